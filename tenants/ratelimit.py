"""A small fixed-window rate limiter on Django's cache, for the public (no login) pages.

Each key gets a counter per window of ``window_seconds``: the window's number is part of the
cache key (``ratelimit:<key>:<window number>``), so a new window starts from zero without
anyone resetting anything, and a counter whose expiry a backend extends on ``incr`` (the
file-based cache does) cannot leak into the next window.

``cache.add`` creates the counter only when it is absent and ``cache.incr`` adds one; both are
atomic on Redis and Memcached, so two web processes never both count "the first" hit. On the
local-memory and file caches ``incr`` is a read then a write, and a burst may slip one or two
hits through — acceptable for slowing down spam and guessing, which is all this is for. It is
not a security boundary: the window can be hit twice at its edge (up to ``2 * limit`` in
``window_seconds`` across two windows).

When the cache cannot be reached (Redis stopped, restarting, out of reach) the limiter fails
open: the hit is allowed, a warning is logged and ``failed_open_count()`` goes up. A complaint
or a survey answer must never be refused, or lost, because a counter could not be counted;
letting a spammer through for the minutes Redis is down is the lesser harm.
"""

import ipaddress
import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "ratelimit"

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # the embedded default (file cache) runs without the redis package
    CACHE_ERRORS: tuple[type[BaseException], ...] = (OSError,)
else:
    # What a cache call raises when its server is not there: Django's Redis backend lets
    # redis-py's errors through; the file cache raises OSError when its directory fails.
    CACHE_ERRORS = (RedisError, OSError)

_failed_open = 0
_failed_open_lock = threading.Lock()


def failed_open_count() -> int:
    """How many hits this process let through because the cache could not be reached."""
    return _failed_open


def client_ip(request: HttpRequest) -> str:
    """The client's address as a rate-limit key (:func:`client_key`: an IPv6 address's /64).

    With ``TRUSTED_PROXIES = n`` (the load balancers in front of the app), the address is the
    n-th from the right in ``X-Forwarded-For``: the one the outermost trusted proxy saw.
    Addresses further left are whatever the client chose to send and are never used, so no
    one can pick a fresh key per request. With no trusted proxy, ``REMOTE_ADDR``.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return client_key(forwarded[-proxies])
    return client_key(request.META.get("REMOTE_ADDR") or "unknown")


def client_key(address: str) -> str:
    """What one client's hits count under: an IPv4 address itself, an IPv6 address its /64.

    One IPv6 subscriber is given a whole /64 (at least), so keying on the full address would
    hand them 2**64 fresh counters. Anything that is not an address stays as it is.
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:  # ::ffff:a.b.c.d is an IPv4 client
        return str(parsed.ipv4_mapped)
    return str(ipaddress.IPv6Network((parsed, 64), strict=False))


def _window_key(key: str, window_seconds: int, now: float) -> str:
    return f"{KEY_PREFIX}:{key}:{int(now // window_seconds)}"


def hit(key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit on ``key``; True while the hits in this window are at most ``limit``.

    The caller builds the key from what it limits, e.g. ``f"complaint-form:{tenant.pk}:{ip}"``.
    A hit over the limit still counts, so hammering does not open the door sooner. True, with
    a warning, when the cache cannot be reached (see the module's docstring).
    """
    return _failing_open(key, lambda: _hit(key, limit, window_seconds), True)


def allows(key: str, limit: int, window_seconds: int) -> bool:
    """Whether one more :func:`count` on ``key`` would stay within ``limit``; counts nothing.

    For limits on what is *accepted* (a stored complaint), not on attempts: check with
    ``allows`` before the work, :func:`count` only once it succeeded, so a customer's refused
    tries (a file too big, a field missing) never use up the limit. Check and count are two
    steps: two submissions at the same instant may both pass the check, one over the limit at
    most per concurrent request, which is fine for slowing spam. True when the cache is down.
    """

    def peek() -> bool:
        return (cache.get(_window_key(key, window_seconds, time.time())) or 0) < limit

    return _failing_open(key, peek, True)


def count(key: str, window_seconds: int) -> None:
    """Count one accepted hit on ``key`` (see :func:`allows`); nothing when the cache is down.

    A count that fails lets nothing through (:func:`allows` already did, and counted and
    warned of that), so it is only logged at INFO: one warning per request let through.
    """
    _failing_open(key, lambda: _hit(key, 0, window_seconds), None, let_through=False)


def _failing_open(key: str, call, when_down, *, let_through: bool = True):
    try:
        return call()
    except CACHE_ERRORS as error:
        # The kind of limit only: the rest of the key is the client's address.
        kind = key.split(":", 1)[0]
        if not let_through:
            logger.info("Rate limit %r: an accepted hit not counted: %s", kind, error)
            return when_down
        global _failed_open
        with _failed_open_lock:
            _failed_open += 1
        logger.warning("Rate limit %r not counted, the cache is unreachable: %s", kind, error)
        return when_down


def _hit(key: str, limit: int, window_seconds: int) -> bool:
    cache_key = _window_key(key, window_seconds, time.time())
    # One window more than needed, so the counter outlives its window on every backend.
    if cache.add(cache_key, 1, timeout=window_seconds * 2):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The counter expired between add and incr: this hit starts it again.
        cache.add(cache_key, 1, timeout=window_seconds * 2)
        count = 1
    return count <= limit


def seconds_until_next_window(window_seconds: int) -> int:
    """How long until the current window ends (for a ``Retry-After`` header)."""
    return max(1, int(window_seconds - time.time() % window_seconds))
