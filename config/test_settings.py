"""Settings for the test run: the environment's settings with a fast password hasher.

Tasks go to a queue of this run's own, so a development worker on the same broker never takes
them; the tests' worker process consumes exactly that queue.
"""

import os
import uuid

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_DEFAULT_QUEUE = f"loopdesk-test-{uuid.uuid4().hex[:8]}"

if DATABASE_VENDOR == "sqlite":  # noqa: F405
    # One file per run, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"]["NAME"] = str(VAR_DIR / f"test-loopdesk-{os.getpid()}.sqlite3")  # noqa: F405
