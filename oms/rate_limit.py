"""Counting tries in the shared cache: "at most N in a window", the same for every process.

The cache is the one the API throttles use (Redis with ``REDIS_URL``, else the
database table), so two web processes share one count. A count lives in a
fixed window (``window`` seconds, numbered from the epoch): the key names the
window, so a count ends when its window does, whatever the cache backend.
Redis counts atomically; the database cache's increment is a read and a
write, so two tries at the same instant may count once there.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

# The clock windows are numbered by (seconds since the epoch); tests move it.
clock = time.time


@dataclass(frozen=True)
class Limit:
    """At most ``count`` tries per ``window`` seconds."""

    count: int
    window: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Read "20/600" (20 tries per 600 seconds)."""
        count, _, window = str(text).partition("/")
        return cls(max(int(count), 1), max(int(window or 60), 1))


def _key(scope: str, who: str, limit: Limit) -> tuple[str, int]:
    now = clock()
    window = int(now // limit.window)
    digest = hashlib.sha256(who.encode()).hexdigest()[:32]
    ends_in = int((window + 1) * limit.window - now) + 1
    return f"oms:rate:{scope}:{limit.window}:{window}:{digest}", ends_in


def count_try(scope: str, who: str, limit: Limit) -> int | None:
    """Count one try; return None when allowed, else the seconds until tries are allowed again."""
    key, ends_in = _key(scope, who, limit)
    if cache.add(key, 1, timeout=ends_in):
        tries = 1
    else:
        try:
            tries = cache.incr(key)
        except ValueError:  # the entry expired between add and incr
            cache.set(key, 1, timeout=ends_in)
            tries = 1
        # The database cache's incr writes the default timeout: keep the window's end.
        cache.touch(key, ends_in)
    return None if tries <= limit.count else ends_in


def is_limited(scope: str, who: str, limit: Limit) -> int | None:
    """Return the seconds left when ``who`` has used up its tries, without counting one."""
    key, ends_in = _key(scope, who, limit)
    return ends_in if (cache.get(key) or 0) >= limit.count else None
