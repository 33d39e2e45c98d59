"""/healthz for load balancers: 200 when the database and the broker answer, else 503.

It is answered by a middleware placed first, so a probe that comes by IP address over plain
HTTP is neither refused by ALLOWED_HOSTS nor redirected to HTTPS.
"""

import functools
import logging
import os

import redis
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

from config.celery import app as celery_app

HEALTH_PATH = "/healthz"
logger = logging.getLogger(__name__)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not healthy"; details stay in the logs
        logger.exception("health check: database unavailable")
        return "unavailable"
    return "ok"


@functools.lru_cache(maxsize=4)
def redis_client(url: str, pid: int) -> redis.Redis:
    """One client (one pooled connection) per process and broker URL.

    A load balancer probes every few seconds per process: opening a broker connection per
    probe, as kombu's ``connection_for_write()`` does, churns Redis connections for nothing.
    Keyed by process id too: a forked worker makes its own. The name carries the process id,
    so a test can count this process's connections.
    """
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=2,
        socket_timeout=2,
        client_name=f"loopdesk-health-{pid}",
    )


def broker_status() -> str:
    url = celery_app.conf.broker_url or ""
    try:
        if url.startswith(("redis://", "rediss://")):
            redis_client(url, os.getpid()).ping()
        else:  # the embedded file-system broker, or another transport: ask kombu
            with celery_app.connection_for_write() as broker:
                broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception:
        logger.exception("health check: broker unavailable")
        return "unavailable"
    return "ok"


def health_response() -> JsonResponse:
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(status == "ok" for status in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
