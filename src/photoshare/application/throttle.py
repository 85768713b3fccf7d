"""Rate limits per client and per account, counted behind the RateLimiter port."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from photoshare.application.ports.throttle import RateLimiter
from photoshare.domain.errors import TooManyRequests, Unavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    hits: int
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Throttle:
    limiter: RateLimiter
    limits: Mapping[str, Limit]

    async def check(self, action: str, *subjects: str, fail_open: bool = False) -> None:
        """Count one `action` by each subject (e.g. "ip:1.2.3.4", "user:<id>", "account:bob"):
        one counter each, counted together, refused if any is over its limit.

        Counters out of reach refuse the action (503), unless `fail_open`: for public reads,
        which an outage of the counters' store must not take down with it."""
        limit = self.limits[action]
        keys = list(dict.fromkeys(f"{action}:{subject}" for subject in subjects))
        try:
            retry_after = await self.limiter.hit(keys, limit=limit.hits, window_seconds=limit.window_seconds)
        except Unavailable:
            if not fail_open:
                raise
            log.warning("rate counters unreachable: %s allowed uncounted", action)
            return
        if retry_after is not None:
            raise _too_many(action, retry_after)

    async def ensure_allowed(self, action: str, subject: str) -> None:
        """Refuse (429) without counting once `subject` has used up `action`: failures
        counted with `check` then block every attempt, so a 429 tells nothing."""
        retry_after = await self.limiter.exhausted(f"{action}:{subject}", limit=self.limits[action].hits)
        if retry_after is not None:
            raise _too_many(action, retry_after)


def _too_many(action: str, retry_after: int) -> TooManyRequests:
    return TooManyRequests(
        f"too many {action} requests; try again in {retry_after} s", retry_after=retry_after
    )
