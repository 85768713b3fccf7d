"""The request's transaction, owned by the use case that commits it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()
