"""Settings for the test run: the environment's settings with a fast password hasher.

Each run (each pytest-xdist worker is one) has an id of its own. Tasks go to a queue named after
it (bulk mail to its ``-bulk`` twin), so a development worker on the same broker never takes
them; the tests' worker process consumes exactly those queues. The cache keeps its keys under a
prefix named after it and clears only that prefix (``tests.cache.RunRedisCache``), so the suite
never empties a Redis database that the broker, another run or a developer's stack also uses.
"""

import os
import uuid

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
RUN_ID = uuid.uuid4().hex[:8]
CELERY_TASK_DEFAULT_QUEUE = f"loopdesk-test-{RUN_ID}"
OUTBOX_BULK_QUEUE = f"{CELERY_TASK_DEFAULT_QUEUE}-bulk"
CELERY_TASK_QUEUES = celery_queues(CELERY_TASK_DEFAULT_QUEUE, OUTBOX_BULK_QUEUE)  # noqa: F405

if REDIS_URL:  # noqa: F405
    CACHES = {
        "default": {
            "BACKEND": "tests.cache.RunRedisCache",
            "LOCATION": REDIS_URL,  # noqa: F405
            "KEY_PREFIX": f"loopdesk-test-cache-{RUN_ID}",
        }
    }
else:
    # In this process only: the embedded default's file cache is the development server's too.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"loopdesk-test-cache-{RUN_ID}",
        }
    }

if DATABASE_VENDOR == "sqlite":  # noqa: F405
    # One file per run, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-loopdesk-{os.getpid()}.sqlite3")  # noqa: F405

if DATABASE_VENDOR == "postgresql":  # noqa: F405
    # The tests connect like the app in production: as a role that neither owns the tables nor
    # has BYPASSRLS, so PostgreSQL's row-level security really holds them (tenants.rls). The
    # owner (DATABASE_OWNER_URL, else DATABASE_URL's user) creates and migrates the test
    # databases; without DATABASE_OWNER_URL the app role is "<database name>_app", created by
    # tests/conftest.py (roles belong to the whole server: one per database name, harmless to
    # create twice).
    _owner = DATABASES.pop("owner", None) or DATABASES["default"]  # noqa: F405
    TEST_DATABASE_OWNER = {"USER": _owner.get("USER", ""), "PASSWORD": _owner.get("PASSWORD", "")}
    if not DATABASE_OWNER_URL:  # noqa: F405
        DATABASE_APP_ROLE = f"{DATABASES['default']['NAME']}_app"  # noqa: F405
        DATABASES["default"]["USER"] = DATABASE_APP_ROLE  # noqa: F405
        DATABASES["default"]["PASSWORD"] = ""  # noqa: F405
    TEST_DATABASE_APP = {
        "USER": DATABASES["default"]["USER"],  # noqa: F405
        "PASSWORD": DATABASES["default"].get("PASSWORD", ""),  # noqa: F405
    }
