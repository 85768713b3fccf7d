"""Profiles, "me", and admin account management (roles, bans)."""

from __future__ import annotations

from photoshare.application.onetime import EmailVerification
from photoshare.application.ports import MailSender, UnitOfWork, UserRepository
from photoshare.domain import users as rules
from photoshare.domain.errors import NotFound
from photoshare.domain.users import Keep, Role, User


class UpdateMe:
    """A new email address starts unverified and gets its own verification message."""

    def __init__(
        self,
        users: UserRepository,
        uow: UnitOfWork,
        verification: EmailVerification,
        sender: MailSender,
    ) -> None:
        self._users, self._uow = users, uow
        self._verification, self._sender = verification, sender

    async def __call__(
        self,
        me: User,
        *,
        full_name: str | Keep | None = Keep.KEEP,
        bio: str | Keep | None = Keep.KEEP,
        email: str | None = None,
    ) -> None:
        """`None` clears the full name or the bio; `Keep.KEEP` (the default) leaves it."""
        updated = me.with_profile(full_name=full_name, bio=bio, email=email)
        await self._users.update_profile(updated)
        changed = me.email_changes_to(updated.email)
        message = await self._verification.prepare(updated) if changed else None
        await self._uow.commit()
        if message is not None:
            await self._sender.send(message)


class _ManageAccount:
    def __init__(self, users: UserRepository, uow: UnitOfWork) -> None:
        self._users, self._uow = users, uow

    async def _target(self, username: str) -> User:
        user = await self._users.lock_by_username(username)
        if user is None:
            raise NotFound(f"no user named {username!r}")
        return user

    async def _save(self, user: User) -> User:
        await self._users.update_access(user)
        await self._uow.commit()
        return user


class ChangeRole(_ManageAccount):
    async def __call__(self, actor: User, username: str, role: Role) -> User:
        return await self._save(rules.change_role(actor, await self._target(username), role))


class Ban(_ManageAccount):
    async def __call__(self, actor: User, username: str) -> User:
        return await self._save(rules.ban(actor, await self._target(username)))


class Unban(_ManageAccount):
    async def __call__(self, actor: User, username: str) -> User:
        return await self._save(rules.unban(actor, await self._target(username)))
