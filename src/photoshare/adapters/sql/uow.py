"""The request's transaction, owned by the use case that commits it."""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


async def close_session(session: AsyncSession) -> None:
    """End the request's session, rolling back what was not committed.

    A connection lost meanwhile (the server restarted) cannot roll back, and need not: the
    server dropped its transaction with it. The answer has been sent by now, so the failed
    rollback must not escape the request as an error; the connection is discarded.
    """
    try:
        await session.close()
    except DBAPIError as error:
        log.warning("discarding a session whose connection failed to roll back: %s", error.orig)
        await session.invalidate()
