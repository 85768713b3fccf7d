"""ChangeRole, Ban, Unban and UpdateMe through in-memory ports."""

from __future__ import annotations

import pytest

from photoshare.application.mail import AccountMail
from photoshare.application.onetime import EmailVerification
from photoshare.application.users import Ban, ChangeRole, Unban, UpdateMe
from photoshare.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from photoshare.domain.users import Role, User
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakeUnitOfWork,
    FixedClock,
    InMemoryOneTimeTokenStore,
    InMemoryUserRepository,
    RecordingMailSender,
)


def _verification() -> EmailVerification:
    return EmailVerification(InMemoryOneTimeTokenStore(), AccountMail("https://x.example"), FixedClock())


@pytest.fixture
def admin() -> User:
    return UserFactory.build(username="root", role=Role.ADMIN)


@pytest.fixture
def bob() -> User:
    return UserFactory.build(username="bob", email="bob@example.org")


@pytest.fixture
def moderator() -> User:
    return UserFactory.build(username="mod", role=Role.MODERATOR)


@pytest.fixture
def users(admin: User, bob: User, moderator: User) -> InMemoryUserRepository:
    return InMemoryUserRepository(admin, bob, moderator)


# --- roles -------------------------------------------------------------------------------------


async def test_admin_changes_a_users_role_and_it_is_saved(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User
) -> None:
    await ChangeRole(users, uow)(admin, "bob", Role.MODERATOR)
    assert users.users[bob.id].role is Role.MODERATOR
    assert uow.commits == 1


async def test_role_change_finds_the_user_case_insensitively(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User
) -> None:
    await ChangeRole(users, uow)(admin, "BoB", Role.ADMIN)
    assert users.users[bob.id].role is Role.ADMIN


@pytest.mark.parametrize("actor_name", ["bob", "mod"])
async def test_only_an_admin_changes_roles(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, bob: User, actor_name: str
) -> None:
    actor = await users.get_by_username(actor_name)
    assert actor is not None
    with pytest.raises(Forbidden):
        await ChangeRole(users, uow)(actor, "root", Role.USER)
    assert uow.commits == 0


async def test_admin_cannot_demote_themselves(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User
) -> None:
    with pytest.raises(Conflict):
        await ChangeRole(users, uow)(admin, "root", Role.USER)
    assert users.users[admin.id].role is Role.ADMIN
    assert uow.commits == 0


async def test_changing_the_role_of_an_unknown_user_is_not_found(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User
) -> None:
    with pytest.raises(NotFound):
        await ChangeRole(users, uow)(admin, "ghost", Role.MODERATOR)


# --- bans --------------------------------------------------------------------------------------


async def test_admin_bans_a_user(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User
) -> None:
    await Ban(users, uow)(admin, "bob")
    stored = users.users[bob.id]
    assert stored.is_active is False
    assert stored.token_version == bob.token_version + 1
    assert uow.commits == 1


@pytest.mark.parametrize("actor_name", ["bob", "mod"])
async def test_only_an_admin_bans(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, actor_name: str
) -> None:
    actor = await users.get_by_username(actor_name)
    assert actor is not None
    with pytest.raises(Forbidden):
        await Ban(users, uow)(actor, "root")
    assert users.users[admin.id].is_active is True


async def test_admin_cannot_ban_themselves(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User
) -> None:
    with pytest.raises(Conflict):
        await Ban(users, uow)(admin, "ROOT")
    assert users.users[admin.id].is_active is True
    assert uow.commits == 0


async def test_banning_an_unknown_user_is_not_found(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User
) -> None:
    with pytest.raises(NotFound):
        await Ban(users, uow)(admin, "ghost")


async def test_admin_unbans_a_user_who_keeps_the_bumped_token_version(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User
) -> None:
    await Ban(users, uow)(admin, "bob")
    await Unban(users, uow)(admin, "bob")
    stored = users.users[bob.id]
    assert stored.is_active is True
    assert stored.token_version == bob.token_version + 1
    assert uow.commits == 2


async def test_only_an_admin_unbans(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User, moderator: User
) -> None:
    await Ban(users, uow)(admin, "bob")
    with pytest.raises(Forbidden):
        await Unban(users, uow)(moderator, "bob")
    assert users.users[bob.id].is_active is False


async def test_unbanning_an_unknown_user_is_not_found(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User
) -> None:
    with pytest.raises(NotFound):
        await Unban(users, uow)(admin, "ghost")


# --- me ----------------------------------------------------------------------------------------


async def test_update_me_saves_the_given_fields_and_commits_once(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, bob: User
) -> None:
    await UpdateMe(users, uow, _verification(), RecordingMailSender())(
        bob, full_name="Bob B.", bio="likes photos", email="new@example.org"
    )
    stored = users.users[bob.id]
    assert (stored.full_name, stored.bio, stored.email) == ("Bob B.", "likes photos", "new@example.org")
    assert uow.commits == 1


async def test_update_me_leaves_fields_that_were_not_given(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, bob: User
) -> None:
    await UpdateMe(users, uow, _verification(), RecordingMailSender())(bob, bio="only the bio")
    stored = users.users[bob.id]
    assert (stored.full_name, stored.email, stored.bio) == (bob.full_name, bob.email, "only the bio")


async def test_update_me_rejects_an_invalid_email_and_saves_nothing(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, bob: User
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await UpdateMe(users, uow, _verification(), RecordingMailSender())(
            bob, full_name="Changed", email="not-an-email"
        )
    assert caught.value.field == "email"
    assert users.users[bob.id] == bob
    assert uow.commits == 0


async def test_update_me_to_an_email_taken_in_another_case_conflicts(
    users: InMemoryUserRepository, uow: FakeUnitOfWork, admin: User, bob: User
) -> None:
    with pytest.raises(Conflict) as caught:
        await UpdateMe(users, uow, _verification(), RecordingMailSender())(bob, email=admin.email.upper())
    assert caught.value.field == "email"
    assert users.users[bob.id] == bob
    assert uow.commits == 0
