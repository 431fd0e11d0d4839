"""A token bucket per socket: a flooding tablet is slowed, the room is not."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float
    tokens: float = -1.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.tokens < 0:
            self.tokens = self.burst

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class KeyedLimiter:
    """A token bucket per key (a login and a command), for commands a person could repeat
    to annoy the room rather than to flood the socket: a member pressing 呼叫服务 again and
    again. Per process, and bounded: the least recently used keys are forgotten first.
    """

    def __init__(self, rate: float, burst: float, *, keep: int = 10_000) -> None:
        self.rate, self.burst, self.keep = rate, burst, keep
        self._buckets: dict[object, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: object, now: float | None = None) -> bool:
        with self._lock:
            bucket = self._buckets.pop(key, None) or TokenBucket(self.rate, self.burst)
            self._buckets[key] = bucket  # most recent last
            while len(self._buckets) > self.keep:
                del self._buckets[next(iter(self._buckets))]
            return bucket.take(now)

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()


# 呼叫服务: three calls at once (the three kinds), then one a minute per login.
SERVICE_CALLS = KeyedLimiter(rate=1 / 60, burst=3)
