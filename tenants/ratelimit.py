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
"""

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

KEY_PREFIX = "ratelimit"


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
    A hit over the limit still counts, so hammering does not open the door sooner.
    """
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
