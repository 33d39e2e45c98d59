"""The production servers are really in use when they are configured (and CI configures them)."""

import uuid

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app


@pytest.mark.postgres
def test_the_database_is_postgresql_through_psycopg3_and_a_connection_pool(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (version,) = cursor.fetchone()

    assert int(version) >= 140000
    assert psycopg.__version__.startswith("3.")
    assert connection.pool is not None


@pytest.mark.redis
def test_the_cache_and_the_broker_are_redis():
    key = f"loopdesk-test-{uuid.uuid4().hex}"

    cache.set(key, "hello", timeout=30)

    server = redis.Redis.from_url(settings.REDIS_URL)
    assert any(key in stored.decode() for stored in server.keys(f"*{key}*"))
    assert cache.get(key) == "hello"
    assert celery_app.connection_for_write().transport_cls == "redis"
