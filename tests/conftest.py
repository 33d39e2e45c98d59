"""Personas and real servers for the tests.

Personas (after healthchecks' alice/bob/charlie): Acme is the tenant under test, with a head
office, a north and a south region and a branch under each; Globex is another tenant whose
members must see nothing of Acme.

Servers: on a bare machine the suite runs on SQLite and the file-system broker and skips the
tests marked ``postgres`` / ``redis``. With ``CI=true`` a skipped test fails the run, so nothing
that needs a server can pass unseen.
"""

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone, translation
from psycopg import sql

from tenants import rls
from tests.factories import make_acme, make_globex, make_persona
from tests.servers import SmtpSink, WorkerProcess, database_url_of, redis_available

STRICT = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Complaint fixtures (acme_brand, acme_setup, complaint_in...) for every test package.
pytest_plugins = ["tests.complaint_fixtures"]


def pytest_collection_modifyitems(config, items):
    vendor = settings.DATABASE_VENDOR
    for item in items:
        if "postgres" in item.keywords and vendor != "postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not redis_available():
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


def pytest_sessionfinish(session, exitstatus):
    # The keys this run left in the cache (its prefix only: see tests/cache.py).
    if hasattr(cache, "sweep") and redis_available():
        cache.sweep()
    # Messages this run queued but no worker took stay in the file-system broker's spool.
    spool = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("data_folder_in")
    if spool:
        for queue in (settings.CELERY_TASK_DEFAULT_QUEUE, settings.OUTBOX_BULK_QUEUE):
            for leftover in Path(spool).glob(f"*.{queue}.msg"):
                leftover.unlink(missing_ok=True)


# --- PostgreSQL: the tests connect as the app's role, held by row-level security -------------


def _connect_as(connection, credentials: dict) -> None:
    connection.close()
    connection.close_pool()
    connection.settings_dict.update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_blocker):
    """On PostgreSQL the test databases are created and migrated by the owner
    (``config.test_settings``): make sure the app role exists, then connect as the owner."""
    if settings.DATABASE_VENDOR != "postgresql":
        return
    _connect_as(connection, settings.TEST_DATABASE_OWNER)
    if not settings.DATABASE_OWNER_URL:
        role = sql.Identifier(settings.DATABASE_APP_ROLE)
        with django_db_blocker.unblock(), connection._nodb_cursor() as cursor:
            # Idempotent, and safe when another run (or xdist worker) creates it meanwhile.
            # An existing role is left as it is: tests/tenants/test_rls.py fails if it is a
            # superuser or bypasses RLS.
            cursor.execute(
                sql.SQL(
                    "DO $$ BEGIN CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB "
                    "NOCREATEROLE; EXCEPTION WHEN duplicate_object OR unique_violation THEN "
                    "NULL; END $$"
                )
                .format(role)
                .as_string(cursor.connection)
            )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Once the owner has migrated the test database: every connection of the run (tests, live
    server, the worker process) is the app role's. TRUNCATE is granted for the tests' flush
    between transactional tests, and UPDATE on sequences for ``tests.tenants.sequences``
    (``setval``), only here: the app role never gets them in production."""
    if settings.DATABASE_VENDOR != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        role = sql.Identifier(settings.TEST_DATABASE_APP["USER"])
        with connection.cursor() as cursor:
            for grant in (
                "GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}",
                "GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}",
            ):
                cursor.execute(sql.SQL(grant).format(role).as_string(cursor.connection))
        _connect_as(connection, settings.TEST_DATABASE_APP)
    yield
    with django_db_blocker.unblock():
        _connect_as(connection, settings.TEST_DATABASE_OWNER)  # the owner drops the database


@pytest.fixture
def as_table_owner(transactional_db):
    """For the few tests that alter tables or skip triggers (a migration run backwards): the
    default connection is the tables' owner's for this test (no transaction around it)."""
    if settings.DATABASE_VENDOR != "postgresql":
        yield
        return
    _connect_as(connection, settings.TEST_DATABASE_OWNER)
    try:
        yield
    finally:
        _connect_as(connection, settings.TEST_DATABASE_APP)


@pytest.fixture(autouse=True)
def _test_code_crosses_tenants():
    """The tests' own code (factories, assertions) reads and writes every tenant's rows, through
    the explicit escape hatch; the requests and tasks under test act for their own tenant
    (``tenants.rls``: a request starts with none)."""
    with rls.all_tenants():
        yield


@pytest.fixture(autouse=True)
def _language_of_each_test_its_own():
    """A request in another language (the locale middleware activates it for the thread) never
    leaves the next test in the same process speaking it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values never carry from one test to the next.

    This clears the keys of this run only (``tests.cache.RunRedisCache``), never the database:
    the broker, other runs and a developer's stack may share it."""
    cache.clear()


@pytest.fixture
def own_cache(settings):
    """A cache of this test alone, in this process: rate-limit counters (also the live
    server's, which runs here) that neither a parallel test nor another run can touch."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4().hex}",
        }
    }


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)``: from then on, ``timezone.now()`` answers ``moment`` in our code (which
    always reads the time through it), so a step taken "now" happens at a time the test chose."""

    def set_to(moment: datetime) -> datetime:
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = (
            f"Skipped under CI=true, where every server must be there: {report.longrepr}"
        )


# --- personas -------------------------------------------------------------------------------


@pytest.fixture
def acme(db):
    return make_acme()


@pytest.fixture
def globex(db):
    return make_globex()


@pytest.fixture
def acme_admin(acme):
    return make_persona("acme_admin", acme)


@pytest.fixture
def acme_manager(acme):
    return make_persona("acme_manager", acme)


@pytest.fixture
def acme_agent(acme):
    return make_persona("acme_agent", acme)


@pytest.fixture
def acme_south_agent(acme):
    return make_persona("acme_south_agent", acme)


@pytest.fixture
def acme_performer(acme):
    return make_persona("acme_performer", acme)


@pytest.fixture
def acme_analyst(acme):
    return make_persona("acme_analyst", acme)


@pytest.fixture
def globex_agent(globex):
    return make_persona("globex_agent", globex)


@pytest.fixture
def client_of(client):
    """``client_of(member)``: the test client logged in as that member's user."""

    def login(member):
        client.force_login(member.user)
        return client

    return login


# --- servers ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def _smtp_sink():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_server(_smtp_sink, settings):
    """A real SMTP server on 127.0.0.1 that Django's mail goes to for this test."""
    _smtp_sink.messages.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _smtp_sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    return _smtp_sink


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, _smtp_sink):
    """A real ``celery worker`` process on the test database and a queue of its own; the mail
    it sends goes to the tests' SMTP server."""
    with django_db_blocker.unblock():
        database_url = database_url_of(connection.settings_dict)
    worker = WorkerProcess(
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        database_url=database_url,
        environment={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(_smtp_sink.port)},
    )
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db, _smtp_sink):
    """Tasks sent in this test run in the worker process; data is committed so it sees it."""
    _smtp_sink.messages.clear()
    return celery_worker_process
