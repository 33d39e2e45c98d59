"""/healthz for load balancers: 200 when the database and the broker answer, else 503.

It is answered by a middleware placed first, so a probe that comes by IP address over plain
HTTP is neither refused by ALLOWED_HOSTS nor redirected to HTTPS.
"""

import logging

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


def broker_status() -> str:
    try:
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
