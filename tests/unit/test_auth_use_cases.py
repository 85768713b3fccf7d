"""SignUp, LogIn, Refresh, LogOut and Authenticate driven through in-memory ports."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from photoshare.adapters.security import JwtTokenCodec
from photoshare.application.auth import (
    BAD_CREDENTIALS,
    Authenticate,
    LogIn,
    LogOut,
    Principal,
    Refresh,
    SignUp,
    Tokens,
)
from photoshare.application.ports.accounts import TokenType
from photoshare.domain import users as rules
from photoshare.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from photoshare.domain.users import Role, User
from tests.unit.fakes import (
    FakePasswordHasher,
    FakeUnitOfWork,
    InMemoryRefreshTokenStore,
    InMemoryTokenRevocations,
    InMemoryUserRepository,
)

PASSWORD = "correct horse"


async def _member(sign_up: SignUp, name: str = "alice") -> User:
    users = sign_up.users
    assert isinstance(users, InMemoryUserRepository)  # the fake is the AccountLookups too
    user = await users.get(await sign_up(name, f"{name}@example.org", PASSWORD))
    assert user is not None
    return user


async def _session(sign_up: SignUp, log_in: LogIn, name: str = "alice") -> tuple[User, Tokens]:
    user = await _member(sign_up, name)
    return user, await log_in(name, PASSWORD)


# --- sign-up -----------------------------------------------------------------------------------


async def test_first_account_becomes_admin_and_later_ones_are_users(sign_up: SignUp) -> None:
    first = await _member(sign_up, "alice")
    second = await _member(sign_up, "bob")
    third = await _member(sign_up, "carol")
    assert [first.role, second.role, third.role] == [Role.ADMIN, Role.USER, Role.USER]


async def test_sign_up_stores_a_hash_never_the_password(
    sign_up: SignUp, users: InMemoryUserRepository
) -> None:
    user = await _member(sign_up)
    assert users.users[user.id].password_hash == "hashed:" + PASSWORD


async def test_sign_up_creates_an_active_account_and_commits_once(
    sign_up: SignUp, users: InMemoryUserRepository, uow: FakeUnitOfWork
) -> None:
    user = users.users[await sign_up("alice", "alice@example.org", PASSWORD)]
    assert user.is_active is True
    assert (user.username, user.email) == ("alice", "alice@example.org")
    assert uow.commits == 1


@pytest.mark.parametrize(
    ("username", "email", "password", "field"),
    [
        ("al", "al@example.org", PASSWORD, "username"),
        ("a" * 33, "al@example.org", PASSWORD, "username"),
        ("al ice", "al@example.org", PASSWORD, "username"),
        ("alice!", "al@example.org", PASSWORD, "username"),
        ("alice", "not-an-email", PASSWORD, "email"),
        ("alice", "alice@localhost", PASSWORD, "email"),
        ("alice", "alice@example.org", "short77", "password"),
        ("alice", "alice@example.org", "p" * 129, "password"),
    ],
)
async def test_sign_up_rejects_invalid_fields_and_names_the_field(
    sign_up: SignUp,
    users: InMemoryUserRepository,
    uow: FakeUnitOfWork,
    username: str,
    email: str,
    password: str,
    field: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await sign_up(username, email, password)
    assert caught.value.field == field
    assert users.users == {}
    assert uow.commits == 0


async def test_sign_up_accepts_boundary_lengths(sign_up: SignUp, users: InMemoryUserRepository) -> None:
    short = users.users[await sign_up("a_b", "short@example.org", "p" * 8)]
    long = users.users[await sign_up("A.b-" + "c" * 28, "long@example.org", "p" * 128)]
    assert (short.username, long.username) == ("a_b", "A.b-" + "c" * 28)


@pytest.mark.parametrize(
    ("username", "email", "field"),
    [("ALICE", "other@example.org", "username"), ("other", "Alice@EXAMPLE.org", "email")],
)
async def test_sign_up_with_a_taken_username_or_email_in_another_case_conflicts(
    sign_up: SignUp, users: InMemoryUserRepository, uow: FakeUnitOfWork, username: str, email: str, field: str
) -> None:
    await _member(sign_up, "alice")
    with pytest.raises(Conflict) as caught:
        await sign_up(username, email, PASSWORD)
    assert caught.value.field == field
    assert len(users.users) == 1
    assert uow.commits == 1


# --- log-in ------------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["alice", "ALICE", "alice@example.org", "Alice@Example.ORG", " alice "])
async def test_user_can_log_in_by_username_or_email_in_any_case(
    sign_up: SignUp, log_in: LogIn, codec: JwtTokenCodec, login: str
) -> None:
    user = await _member(sign_up)
    tokens = await log_in(login, PASSWORD)
    assert codec.decode(tokens.access_token, TokenType.ACCESS).subject == user.id
    assert codec.decode(tokens.refresh_token, TokenType.REFRESH).subject == user.id
    assert tokens.expires_in == codec.access_ttl


async def test_log_in_records_the_refresh_token_and_commits_once(
    sign_up: SignUp,
    log_in: LogIn,
    codec: JwtTokenCodec,
    refresh_tokens: InMemoryRefreshTokenStore,
    uow: FakeUnitOfWork,
) -> None:
    await _member(sign_up)
    commits_before = uow.commits
    tokens = await log_in("alice", PASSWORD)
    claims = codec.decode(tokens.refresh_token, TokenType.REFRESH)
    assert claims.token_id in refresh_tokens.tokens
    assert claims.family
    assert uow.commits == commits_before + 1


async def test_wrong_password_and_unknown_user_fail_the_same_way(sign_up: SignUp, log_in: LogIn) -> None:
    await _member(sign_up)
    with pytest.raises(Unauthenticated) as wrong_password:
        await log_in("alice", "not the password")
    with pytest.raises(Unauthenticated) as unknown_user:
        await log_in("nobody", PASSWORD)
    assert wrong_password.value.detail == unknown_user.value.detail == BAD_CREDENTIALS
    assert str(wrong_password.value) == str(unknown_user.value)
    assert wrong_password.value.field == unknown_user.value.field


async def test_log_in_verifies_a_password_even_for_an_unknown_user(
    log_in: LogIn, hasher: FakePasswordHasher
) -> None:
    with pytest.raises(Unauthenticated):
        await log_in("nobody", PASSWORD)
    assert hasher.verified == [(PASSWORD, None)]


async def test_log_in_moves_a_legacy_hash_to_the_current_scheme(
    sign_up: SignUp, log_in: LogIn, users: InMemoryUserRepository, uow: FakeUnitOfWork
) -> None:
    user = await _member(sign_up)
    users.users[user.id] = replace(user, password_hash="legacy:" + PASSWORD)
    commits_before = uow.commits
    await log_in("alice", PASSWORD)
    assert users.users[user.id].password_hash == "hashed:" + PASSWORD
    assert uow.commits == commits_before + 1


async def test_log_in_leaves_a_current_hash_alone(
    sign_up: SignUp, log_in: LogIn, users: InMemoryUserRepository
) -> None:
    user = await _member(sign_up)
    users.users[user.id] = replace(user, password_hash="hashed:" + PASSWORD)
    calls: list[str] = []
    original = users.update_password_hash

    async def spy(user_id: uuid.UUID, password_hash: str) -> None:
        calls.append(password_hash)
        await original(user_id, password_hash)

    users.update_password_hash = spy  # type: ignore[method-assign]
    await log_in("alice", PASSWORD)
    assert calls == []


async def test_a_wrong_password_never_rehashes_a_legacy_hash(
    sign_up: SignUp, log_in: LogIn, users: InMemoryUserRepository
) -> None:
    user = await _member(sign_up)
    users.users[user.id] = replace(user, password_hash="legacy:" + PASSWORD)
    with pytest.raises(Unauthenticated):
        await log_in("alice", "not the password")
    assert users.users[user.id].password_hash == "legacy:" + PASSWORD


async def test_banned_user_cannot_log_in(
    sign_up: SignUp, log_in: LogIn, users: InMemoryUserRepository, uow: FakeUnitOfWork
) -> None:
    admin = await _member(sign_up, "admin")
    bob = await _member(sign_up, "bob")
    await users.update_access(rules.ban(admin, bob))
    commits_before = uow.commits
    with pytest.raises(Forbidden):
        await log_in("bob", PASSWORD)
    assert uow.commits == commits_before


async def test_banned_user_with_a_wrong_password_learns_nothing_about_the_ban(
    sign_up: SignUp, log_in: LogIn, users: InMemoryUserRepository
) -> None:
    admin = await _member(sign_up, "admin")
    await users.update_access(rules.ban(admin, await _member(sign_up, "bob")))
    with pytest.raises(Unauthenticated):
        await log_in("bob", "not the password")


# --- refresh -----------------------------------------------------------------------------------


async def test_refresh_rotates_and_the_used_refresh_token_is_spent(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh, codec: JwtTokenCodec
) -> None:
    user, first = await _session(sign_up, log_in)
    second = await refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.access_token != first.access_token
    assert codec.decode(second.access_token, TokenType.ACCESS).subject == user.id
    with pytest.raises(Unauthenticated):
        await refresh(first.refresh_token)


async def test_rotated_refresh_token_stays_in_the_same_family(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh, codec: JwtTokenCodec
) -> None:
    _, first = await _session(sign_up, log_in)
    second = await refresh(first.refresh_token)
    old = codec.decode(first.refresh_token, TokenType.REFRESH)
    new = codec.decode(second.refresh_token, TokenType.REFRESH)
    assert new.family == old.family
    assert new.token_id != old.token_id


async def test_reusing_a_spent_refresh_token_revokes_its_whole_family(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh
) -> None:
    _, first = await _session(sign_up, log_in)
    second = await refresh(first.refresh_token)
    with pytest.raises(Unauthenticated):
        await refresh(first.refresh_token)  # theft detected
    with pytest.raises(Unauthenticated):
        await refresh(second.refresh_token)  # the newer token of that family died with it


async def test_reuse_in_one_family_leaves_other_sessions_alone(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh
) -> None:
    _, phone = await _session(sign_up, log_in)
    laptop = await log_in("alice", PASSWORD)
    await refresh(phone.refresh_token)
    with pytest.raises(Unauthenticated):
        await refresh(phone.refresh_token)
    assert (await refresh(laptop.refresh_token)).access_token


async def test_reusing_a_refresh_token_ends_its_familys_access_tokens_at_once(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh, authenticate: Authenticate
) -> None:
    _, phone = await _session(sign_up, log_in)
    laptop = await log_in("alice", PASSWORD)
    rotated = await refresh(phone.refresh_token)
    with pytest.raises(Unauthenticated):
        await refresh(phone.refresh_token)  # theft detected
    for stolen in (phone.access_token, rotated.access_token):
        with pytest.raises(Unauthenticated):
            await authenticate(stolen)
    assert (await authenticate(laptop.access_token)).user.username == "alice"  # another family


async def test_access_token_names_its_refresh_family(
    sign_up: SignUp, log_in: LogIn, codec: JwtTokenCodec
) -> None:
    _, tokens = await _session(sign_up, log_in)
    access = codec.decode(tokens.access_token, TokenType.ACCESS)
    assert access.family == codec.decode(tokens.refresh_token, TokenType.REFRESH).family


async def test_access_token_is_refused_as_a_refresh_token(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh
) -> None:
    _, tokens = await _session(sign_up, log_in)
    with pytest.raises(Unauthenticated):
        await refresh(tokens.access_token)


async def test_refresh_token_that_was_never_issued_is_refused(
    sign_up: SignUp, refresh: Refresh, codec: JwtTokenCodec
) -> None:
    user = await _member(sign_up)
    forged = codec.issue(user, TokenType.REFRESH, family="family").token  # signed, but never stored
    with pytest.raises(Unauthenticated):
        await refresh(forged)


async def test_refresh_token_issued_before_a_ban_is_refused(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh, users: InMemoryUserRepository
) -> None:
    admin = await _member(sign_up, "admin")
    bob, tokens = await _session(sign_up, log_in, "bob")
    await users.update_access(rules.ban(admin, bob))
    with pytest.raises((Unauthenticated, Forbidden)):
        await refresh(tokens.refresh_token)


async def test_refresh_token_of_a_deleted_account_is_refused(
    sign_up: SignUp, log_in: LogIn, refresh: Refresh, users: InMemoryUserRepository
) -> None:
    user, tokens = await _session(sign_up, log_in)
    del users.users[user.id]
    with pytest.raises(Unauthenticated):
        await refresh(tokens.refresh_token)


# --- log-out -----------------------------------------------------------------------------------


async def test_log_out_revokes_the_access_token_until_it_expires(
    sign_up: SignUp,
    log_in: LogIn,
    log_out: LogOut,
    authenticate: Authenticate,
    revocations: InMemoryTokenRevocations,
    uow: FakeUnitOfWork,
) -> None:
    _, tokens = await _session(sign_up, log_in)
    principal = await authenticate(tokens.access_token)
    commits_before = uow.commits
    await log_out(principal, None)
    assert principal.claims is not None
    assert revocations.revoked[principal.claims.token_id] == principal.claims.expires_at
    # Its session ends too: the family's refresh and access tokens with it.
    assert f"family:{principal.claims.family}" in revocations.revoked
    assert uow.commits == commits_before + 2  # the family's end, then the token's revocation
    with pytest.raises(Unauthenticated):
        await authenticate(tokens.access_token)


async def test_log_out_spends_the_given_refresh_token(
    sign_up: SignUp, log_in: LogIn, log_out: LogOut, authenticate: Authenticate, refresh: Refresh
) -> None:
    _, tokens = await _session(sign_up, log_in)
    await log_out(await authenticate(tokens.access_token), tokens.refresh_token)
    with pytest.raises(Unauthenticated):
        await refresh(tokens.refresh_token)


async def test_log_out_with_someone_elses_refresh_token_is_forbidden(
    sign_up: SignUp,
    log_in: LogIn,
    log_out: LogOut,
    authenticate: Authenticate,
    refresh: Refresh,
    revocations: InMemoryTokenRevocations,
) -> None:
    _, alice = await _session(sign_up, log_in, "alice")
    _, bob = await _session(sign_up, log_in, "bob")
    with pytest.raises(Forbidden):
        await log_out(await authenticate(alice.access_token), bob.refresh_token)
    assert revocations.revoked == {}
    assert (await refresh(bob.refresh_token)).access_token  # Bob's session is untouched


async def test_log_out_refuses_an_access_token_in_place_of_a_refresh_token(
    sign_up: SignUp, log_in: LogIn, log_out: LogOut, authenticate: Authenticate
) -> None:
    _, tokens = await _session(sign_up, log_in)
    with pytest.raises(Unauthenticated):
        await log_out(await authenticate(tokens.access_token), tokens.access_token)


# --- authenticate ------------------------------------------------------------------------------


async def test_valid_access_token_authenticates_its_user(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate
) -> None:
    user, tokens = await _session(sign_up, log_in)
    principal = await authenticate(tokens.access_token)
    assert isinstance(principal, Principal)
    assert principal.user == user
    assert principal.claims is not None
    assert principal.claims.token_type is TokenType.ACCESS


async def test_revoked_access_token_is_refused(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    codec: JwtTokenCodec,
    revocations: InMemoryTokenRevocations,
) -> None:
    _, tokens = await _session(sign_up, log_in)
    claims = codec.decode(tokens.access_token, TokenType.ACCESS)
    await revocations.revoke(claims.token_id, claims.expires_at)
    with pytest.raises(Unauthenticated):
        await authenticate(tokens.access_token)


async def test_banned_users_live_token_is_forbidden_at_once(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate, users: InMemoryUserRepository
) -> None:
    admin = await _member(sign_up, "admin")
    bob, tokens = await _session(sign_up, log_in, "bob")
    await authenticate(tokens.access_token)
    await users.update_access(rules.ban(admin, bob))
    with pytest.raises(Forbidden):
        await authenticate(tokens.access_token)


async def test_token_issued_before_a_ban_stays_dead_after_the_unban(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate, users: InMemoryUserRepository
) -> None:
    admin = await _member(sign_up, "admin")
    bob, before = await _session(sign_up, log_in, "bob")
    banned = rules.ban(admin, bob)
    await users.update_access(rules.unban(admin, banned))
    with pytest.raises(Unauthenticated):
        await authenticate(before.access_token)
    after = await log_in("bob", PASSWORD)
    assert (await authenticate(after.access_token)).user.id == bob.id


async def test_token_of_a_deleted_account_is_refused(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate, users: InMemoryUserRepository
) -> None:
    user, tokens = await _session(sign_up, log_in)
    del users.users[user.id]
    with pytest.raises(Unauthenticated):
        await authenticate(tokens.access_token)


async def test_refresh_token_is_refused_as_a_bearer_token(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate
) -> None:
    _, tokens = await _session(sign_up, log_in)
    with pytest.raises(Unauthenticated):
        await authenticate(tokens.refresh_token)


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
async def test_malformed_bearer_token_is_refused(authenticate: Authenticate, token: str) -> None:
    with pytest.raises(Unauthenticated):
        await authenticate(token)


async def test_authenticate_sees_the_current_account_not_the_one_in_the_token(
    sign_up: SignUp, log_in: LogIn, authenticate: Authenticate, users: InMemoryUserRepository
) -> None:
    admin = await _member(sign_up, "admin")
    bob, tokens = await _session(sign_up, log_in, "bob")
    await users.update_access(rules.change_role(admin, bob, Role.MODERATOR))
    assert (await authenticate(tokens.access_token)).user.role is Role.MODERATOR


# --- Unicode forms -----------------------------------------------------------------------------

EMAIL_NFC, EMAIL_NFD = "x@ex\u00e4mple.com", "x@exa\u0308mple.com"


async def test_an_email_in_nfc_and_in_nfd_is_one_account(sign_up: SignUp) -> None:
    await sign_up("first", EMAIL_NFC, PASSWORD)
    with pytest.raises(Conflict) as caught:
        await sign_up("second", EMAIL_NFD, PASSWORD)
    assert caught.value.field == "email"


async def test_an_email_logs_in_in_either_form(sign_up: SignUp, log_in: LogIn) -> None:
    await sign_up("first", EMAIL_NFD, PASSWORD)
    await log_in(EMAIL_NFC, PASSWORD)
    await log_in(EMAIL_NFD.upper(), PASSWORD)
