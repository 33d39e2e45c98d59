"""The test run's Redis cache: one key prefix per run, and ``clear()`` removes that prefix only.

Django's ``RedisCache.clear()`` is ``FLUSHDB``: it would empty the whole Redis database, which
CI shares with this run's Celery broker and results, with other runs on the machine and with a
developer's stack. Here every key this run writes starts with its own ``KEY_PREFIX``, so
clearing is a ``SCAN`` over that prefix and an ``UNLINK`` of what it finds.
"""

from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

BATCH = 500


class RunRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured("The test run's Redis cache needs a KEY_PREFIX of its own.")

    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=BATCH):
            batch.append(key)
            if len(batch) == BATCH:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
