"""The request's transaction and the time: what every use case may need."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class UnitOfWork(Protocol):
    """The request's transaction: a use case commits once; anything uncommitted rolls back."""

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
