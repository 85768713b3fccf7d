"""Profiles, "me", and admin account management (roles, bans)."""

from __future__ import annotations

from dataclasses import dataclass

from photoshare.application.onetime import EmailVerification
from photoshare.application.ports.accounts import UserRepository
from photoshare.application.ports.common import UnitOfWork
from photoshare.application.ports.mail import MailSender
from photoshare.domain import users as rules
from photoshare.domain.errors import NotFound
from photoshare.domain.users import Keep, Role, User


@dataclass(frozen=True, slots=True)
class UpdateMe:
    """A new email address starts unverified and gets its own verification message."""

    users: UserRepository
    uow: UnitOfWork
    verification: EmailVerification
    sender: MailSender

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
        await self.users.update_profile(updated)
        changed = me.email_changes_to(updated.email)
        message = await self.verification.prepare(updated) if changed else None
        await self.uow.commit()
        if message is not None:
            await self.sender.send(message)


@dataclass(frozen=True, slots=True)
class _ManageAccount:
    users: UserRepository
    uow: UnitOfWork

    async def _target(self, username: str) -> User:
        user = await self.users.lock_by_username(username)
        if user is None:
            raise NotFound(f"no user named {username!r}")
        return user

    async def _save(self, user: User) -> None:
        await self.users.update_access(user)
        await self.uow.commit()


@dataclass(frozen=True, slots=True)
class ChangeRole(_ManageAccount):
    async def __call__(self, actor: User, username: str, role: Role) -> None:
        await self._save(rules.change_role(actor, await self._target(username), role))


@dataclass(frozen=True, slots=True)
class Ban(_ManageAccount):
    async def __call__(self, actor: User, username: str) -> None:
        await self._save(rules.ban(actor, await self._target(username)))


@dataclass(frozen=True, slots=True)
class Unban(_ManageAccount):
    async def __call__(self, actor: User, username: str) -> None:
        await self._save(rules.unban(actor, await self._target(username)))
