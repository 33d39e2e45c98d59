"""The test run's Redis cache: one key prefix per run, and ``clear()`` removes this run's keys only.

Django's ``RedisCache.clear()`` is ``FLUSHDB``: it would empty the whole Redis database, which
CI shares with this run's Celery broker and results, with other runs on the machine and with a
developer's stack. Here every key this run writes starts with its own ``KEY_PREFIX``; the keys
this process made are remembered (the live server's thread included: the record is the
class's), so clearing before each test unlinks those and nothing else, without scanning a
database that may hold many other keys. ``sweep()`` scans for the prefix once, at the end.
"""

import threading

from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

BATCH = 500


class RunRedisCache(RedisCache):
    _made: set[str] = set()
    _lock = threading.Lock()

    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured("The test run's Redis cache needs a KEY_PREFIX of its own.")

    def make_key(self, key, version=None):
        made = super().make_key(key, version=version)
        with self._lock:
            self._made.add(made)
        return made

    def clear(self) -> bool:
        with self._lock:
            keys, RunRedisCache._made = list(self._made), set()
        self._unlink(keys)
        return True

    def sweep(self) -> None:
        """Remove every key under this run's prefix, however it was written."""
        client = self._cache.get_client(None, write=True)
        self._unlink(list(client.scan_iter(match=f"{self.key_prefix}:*", count=BATCH)))

    def _unlink(self, keys: list) -> None:
        client = self._cache.get_client(None, write=True)
        for start in range(0, len(keys), BATCH):
            client.unlink(*keys[start : start + BATCH])
