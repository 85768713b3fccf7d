"""The account rules of the domain: field formats, roles, and who may change whom."""

from __future__ import annotations

import pytest

from photoshare.domain import users as rules
from photoshare.domain.errors import Conflict, Forbidden, InvalidInput
from photoshare.domain.users import Role, validate_email, validate_password, validate_username
from tests.unit.factories import UserFactory


@pytest.mark.parametrize("name", ["abc", "a" * 32, "A.b_c-9", "___", "Zed.99"])
def test_username_of_3_to_32_allowed_characters_is_valid(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize(
    "name", ["ab", "a" * 33, "", "with space", "at@sign", "slash/", "émile", "tab\tname", "name\n"]
)
def test_username_outside_the_rules_is_invalid_input_on_username(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_username(name)
    assert caught.value.field == "username"


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@sub.example.org", "X_Y@EXAMPLE.COM"])
def test_ordinary_email_addresses_are_valid(email: str) -> None:
    assert validate_email(email) == email


def test_email_is_trimmed() -> None:
    assert validate_email("  a@b.co ") == "a@b.co"


@pytest.mark.parametrize(
    "email",
    [
        "plain",
        "a@b",
        "@b.co",
        "a@@b.co",
        "a b@c.co",
        "a@.co",
        "a@b..co",
        "a@b.co.",
        "",
        "x" * 65 + "@b.co",
        "a@" + "b" * 250 + ".co",
    ],
)
def test_malformed_email_is_invalid_input_on_email(email: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_email(email)
    assert caught.value.field == "email"


@pytest.mark.parametrize("length", [8, 64, 128])
def test_password_of_8_to_128_characters_is_valid(length: int) -> None:
    assert validate_password("p" * length) == "p" * length


@pytest.mark.parametrize("length", [0, 7, 129])
def test_password_outside_8_to_128_characters_is_invalid_input_on_password(length: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_password("p" * length)
    assert caught.value.field == "password"


def test_only_moderators_and_admins_are_staff() -> None:
    assert {role for role in Role if role.is_staff} == {Role.MODERATOR, Role.ADMIN}


def test_admin_can_change_another_users_role() -> None:
    admin, bob = UserFactory.build(role=Role.ADMIN), UserFactory.build()
    assert rules.change_role(admin, bob, Role.MODERATOR).role is Role.MODERATOR


@pytest.mark.parametrize("actor_role", [Role.USER, Role.MODERATOR])
def test_non_admin_cannot_change_roles(actor_role: Role) -> None:
    actor, bob = UserFactory.build(role=actor_role), UserFactory.build()
    with pytest.raises(Forbidden):
        rules.change_role(actor, bob, Role.MODERATOR)


@pytest.mark.parametrize("role", [Role.USER, Role.MODERATOR])
def test_admin_cannot_demote_themselves(role: Role) -> None:
    admin = UserFactory.build(role=Role.ADMIN)
    with pytest.raises(Conflict):
        rules.change_role(admin, admin, role)


def test_admin_keeping_their_own_admin_role_changes_nothing() -> None:
    admin = UserFactory.build(role=Role.ADMIN)
    assert rules.change_role(admin, admin, Role.ADMIN) == admin


def test_moderator_cannot_promote_themselves_to_admin() -> None:
    moderator = UserFactory.build(role=Role.MODERATOR)
    with pytest.raises(Forbidden):
        rules.change_role(moderator, moderator, Role.ADMIN)


def test_ban_deactivates_and_invalidates_every_earlier_token() -> None:
    admin, bob = UserFactory.build(role=Role.ADMIN), UserFactory.build(token_version=3)
    banned = rules.ban(admin, bob)
    assert banned.is_active is False
    assert banned.token_version == 4


def test_unban_reactivates_but_keeps_earlier_tokens_dead() -> None:
    admin = UserFactory.build(role=Role.ADMIN)
    banned = rules.ban(admin, UserFactory.build(token_version=0))
    unbanned = rules.unban(admin, banned)
    assert unbanned.is_active is True
    assert unbanned.token_version == 1


@pytest.mark.parametrize("actor_role", [Role.USER, Role.MODERATOR])
def test_non_admin_cannot_ban_or_unban(actor_role: Role) -> None:
    actor = UserFactory.build(role=actor_role)
    target = UserFactory.build()
    with pytest.raises(Forbidden):
        rules.ban(actor, target)
    with pytest.raises(Forbidden):
        rules.unban(actor, UserFactory.build(is_active=False))


def test_admin_cannot_ban_themselves() -> None:
    admin = UserFactory.build(role=Role.ADMIN)
    with pytest.raises(Conflict):
        rules.ban(admin, admin)


def test_profile_update_changes_only_the_given_fields() -> None:
    user = UserFactory.build(full_name="Old Name", bio="old bio", email="old@example.org")
    updated = user.with_profile(full_name="New Name")
    assert (updated.full_name, updated.bio, updated.email) == ("New Name", "old bio", "old@example.org")


def test_profile_update_with_none_clears_the_name_and_the_bio() -> None:
    user = UserFactory.build(full_name="Old Name", bio="old bio", email="old@example.org")
    updated = user.with_profile(full_name=None, bio=None, email=None)
    assert (updated.full_name, updated.bio, updated.email) == (None, None, "old@example.org")


def test_profile_update_validates_the_new_email() -> None:
    user = UserFactory.build()
    with pytest.raises(InvalidInput) as caught:
        user.with_profile(email="nope")
    assert caught.value.field == "email"
