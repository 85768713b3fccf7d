"""Rate limits: counters shared by all workers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class RateLimiter(Protocol):
    """Fixed-window counters shared by all workers."""

    async def hit(self, keys: Sequence[str], *, limit: int, window_seconds: int) -> int | None:
        """Count one hit on each key, all in one round trip; None if every key is within the
        limit, else the seconds until the last exceeded window resets."""
        ...

    async def exhausted(self, key: str, *, limit: int) -> int | None:
        """Without counting: None while another hit would be allowed, else seconds until
        the window resets (failures counted by `hit` then block successes too)."""
        ...
