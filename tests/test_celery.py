import pytest
from django.conf import settings
from django.db import connection

from tenants.tasks import ping_task

pytestmark = pytest.mark.worker


def test_a_real_worker_process_runs_a_task_on_the_same_database(celery_worker, acme, globex):
    result = ping_task.delay()

    answer = result.get(timeout=30)

    assert answer["worker"].startswith(f"test-{settings.CELERY_TASK_DEFAULT_QUEUE}@")
    assert answer["database"] == connection.vendor
    assert answer["tenants"] == ["acme", "globex"]


def test_the_broker_is_redis_when_redis_url_is_set():
    broker = ping_task.app.connection_for_write()
    expected = "redis" if settings.REDIS_URL else "filesystem"
    assert broker.transport_cls == expected
