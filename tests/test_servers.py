"""The production servers are really in use when they are configured (and CI configures them)."""

import os
import subprocess
import sys
import uuid

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from config.celery import app as celery_app
from tests.servers import ROOT


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
    assert server.exists(cache.make_key(key)) == 1
    assert cache.get(key) == "hello"
    assert celery_app.connection_for_write().transport_cls == "redis"


def test_without_redis_the_broker_is_the_file_system(tmp_path):
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    environment |= {"DJANGO_SETTINGS_MODULE": "config.settings", "LOOPDESK_VAR_DIR": str(tmp_path)}
    program = (
        "import django; django.setup(); from config.celery import app;"
        "print(app.connection_for_write().transport_cls)"
    )

    result = subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )

    assert result.stdout.strip() == "filesystem"


# --- the suite clears only what it wrote ------------------------------------------------------


@pytest.fixture(scope="module")
def planted_keys():
    """Keys written before the autouse cache cleanup of the test that uses them: one of this
    run, and some that belong to others on the same Redis database."""
    server = redis.Redis.from_url(settings.REDIS_URL)
    others = {
        f"someone-else:{uuid.uuid4().hex}": "a developer's key",
        f"loopdesk-test-cache-another-run:1:{uuid.uuid4().hex}": "another run's cache",
        f":1:ratelimit:{uuid.uuid4().hex}": "an unprefixed cache's key",
    }
    for key, value in others.items():
        server.set(key, value, ex=120)
    queue = f"loopdesk-someone-elses-queue-{uuid.uuid4().hex}"
    server.rpush(queue, "a queued task")
    server.expire(queue, 120)
    cache.set("planted-by-this-run", "ours", timeout=120)
    yield server, others, queue
    server.delete(*others, queue)


@pytest.mark.redis
def test_the_suite_clears_only_its_own_keys_before_each_test(planted_keys):
    server, others, queue = planted_keys

    # The autouse cleanup (tests/conftest.py) ran between the planting and this line.
    assert cache.get("planted-by-this-run") is None
    assert {key: server.get(key) for key in others} == {k: v.encode() for k, v in others.items()}
    assert server.lrange(queue, 0, -1) == [b"a queued task"]


@pytest.mark.redis
def test_clearing_the_cache_removes_every_key_of_this_run_and_no_other(planted_keys):
    server, others, queue = planted_keys
    cache.set_many({f"key-{n}": n for n in range(1200)}, timeout=120)  # more than one batch
    assert server.exists(cache.make_key("key-1199")) == 1

    cache.clear()

    assert cache.get_many([f"key-{n}" for n in range(1200)]) == {}
    assert list(server.scan_iter(match=f"{cache.key_prefix}:*")) == []
    assert {key: server.get(key) for key in others} == {k: v.encode() for k, v in others.items()}
    assert server.lrange(queue, 0, -1) == [b"a queued task"]


@pytest.mark.redis
def test_the_sweep_at_the_end_removes_this_runs_prefix_and_no_other(planted_keys):
    server, others, queue = planted_keys
    # Written past the cache (as a worker or a script might): only the prefix says it is ours.
    server.set(f"{cache.key_prefix}:1:written-directly", "ours", ex=120)

    cache.sweep()

    assert list(server.scan_iter(match=f"{cache.key_prefix}:*")) == []
    assert {key: server.get(key) for key in others} == {k: v.encode() for k, v in others.items()}
    assert server.lrange(queue, 0, -1) == [b"a queued task"]
