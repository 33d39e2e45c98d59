import pytest

from config.celery import app as celery_app


def test_healthz_answers_ok_when_database_and_broker_answer(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_a_probe_by_ip_address_whatever_allowed_hosts_says(client, db, settings):
    settings.ALLOWED_HOSTS = ["loopdesk.example.com"]

    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    elsewhere = client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    # Only the probe is answered whatever the host: every other page still checks it.
    assert elsewhere.status_code == 400


def test_healthz_answers_503_when_the_broker_is_unreachable(client, db, monkeypatch):
    # A port nothing listens on: the broker is "down".
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"] == "unavailable"


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.redis
def test_healthz_keeps_one_redis_connection_per_process(client, db, settings):
    import os

    import redis

    # given the probe answered once (its client is made then)
    assert client.get("/healthz").status_code == 200
    mine = f"loopdesk-health-{os.getpid()}"
    observer = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    def connections():
        return [entry["id"] for entry in observer.client_list() if entry["name"] == mine]

    first = connections()

    # when a load balancer probes twenty more times
    for _ in range(20):
        assert client.get("/healthz").json()["broker"] == "ok"

    # then the same one connection answered every probe: none opened, none left behind
    assert len(first) == 1
    assert connections() == first
    observer.close()
