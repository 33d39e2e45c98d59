"""Settings for the test run: the environment's settings with a fast password hasher.

Each run (each pytest-xdist worker is one) has an id of its own. Tasks go to a queue named after
it, so a development worker on the same broker never takes them; the tests' worker process
consumes exactly that queue. The cache keeps its keys under a prefix named after it and clears
only that prefix (``tests.cache.RunRedisCache``), so the suite never empties a Redis database
that the broker, another run or a developer's stack also uses.
"""

import os
import uuid

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
RUN_ID = uuid.uuid4().hex[:8]
CELERY_TASK_DEFAULT_QUEUE = f"loopdesk-test-{RUN_ID}"

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
