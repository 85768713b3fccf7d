"""One-time tokens, password reset and change, sessions, personal access tokens and the write
policy, driven through the in-memory ports."""

from __future__ import annotations

import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from photoshare.application.accounts import (
    ChangePassword,
    ConfirmPasswordReset,
    CreatePersonalToken,
    ListSessions,
    RequestPasswordReset,
    RevokeSession,
    SessionEnder,
    VerifyEmail,
)
from photoshare.application.auth import (
    Authenticate,
    EndFamily,
    LogIn,
    LogOut,
    Principal,
    Refresh,
    SignUp,
    WritePolicy,
)
from photoshare.application.mail import AccountMail
from photoshare.application.onetime import EmailVerification, digest
from photoshare.application.ports.mail import MailMessage
from photoshare.application.users import UpdateMe
from photoshare.domain.accounts import LIFETIME, OneTimeToken, Purpose, Scope, validate_scopes
from photoshare.domain.errors import Forbidden, InvalidInput, Unauthenticated
from photoshare.domain.users import User
from tests.unit.conftest import BASE_URL
from tests.unit.factories import UserFactory
from tests.unit.fakes import (
    FakePasswordHasher,
    FakeUnitOfWork,
    FixedClock,
    InMemoryOneTimeTokenStore,
    InMemoryPersonalTokenStore,
    InMemoryRefreshTokenStore,
    InMemoryUserRepository,
    RecordingMailSender,
)

PASSWORD = "correct horse"
NEW_PASSWORD = "battery staple"


def token_of(message: MailMessage) -> str:
    (token,) = parse_qs(urlsplit(message.link).query)["token"]
    return token


@pytest.fixture
def verify(
    one_time_tokens: InMemoryOneTimeTokenStore,
    users: InMemoryUserRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> VerifyEmail:
    return VerifyEmail(one_time_tokens, users, clock, uow)


@pytest.fixture
def ender(refresh_tokens: InMemoryRefreshTokenStore, end_family: EndFamily) -> SessionEnder:
    return SessionEnder(refresh_tokens, end_family)


@pytest.fixture
def request_reset(
    users: InMemoryUserRepository,
    one_time_tokens: InMemoryOneTimeTokenStore,
    mail: RecordingMailSender,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> RequestPasswordReset:
    return RequestPasswordReset(users, one_time_tokens, AccountMail(BASE_URL), mail, clock, uow)


@pytest.fixture
def confirm_reset(
    one_time_tokens: InMemoryOneTimeTokenStore,
    users: InMemoryUserRepository,
    hasher: FakePasswordHasher,
    ender: SessionEnder,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> ConfirmPasswordReset:
    return ConfirmPasswordReset(one_time_tokens, users, users, hasher, ender, clock, uow)


async def _alice(sign_up: SignUp) -> User:
    users = sign_up.users
    assert isinstance(users, InMemoryUserRepository)  # the fake is the AccountLookups too
    user = await users.get(await sign_up("alice", "alice@example.org", PASSWORD))
    assert user is not None
    return user


# --- rules ----------------------------------------------------------------------------------


def test_a_one_time_token_works_for_its_purpose_until_it_expires_or_is_used(clock: FixedClock) -> None:
    token = OneTimeToken.new("h", uuid.uuid4(), Purpose.RESET_PASSWORD, clock.now())
    assert token.expires_at - token.created_at == LIFETIME[Purpose.RESET_PASSWORD]
    assert token.usable(Purpose.RESET_PASSWORD, clock.now())
    assert not token.usable(Purpose.VERIFY_EMAIL, clock.now())
    assert not token.usable(Purpose.RESET_PASSWORD, token.expires_at)
    assert not replace(token, used_at=clock.now()).usable(Purpose.RESET_PASSWORD, clock.now())


def test_lifetimes_are_48_hours_to_verify_and_30_minutes_to_reset() -> None:
    assert LIFETIME[Purpose.VERIFY_EMAIL].total_seconds() == 48 * 3600
    assert LIFETIME[Purpose.RESET_PASSWORD].total_seconds() == 30 * 60


def test_scopes_write_implies_read_and_nothing_else_is_a_scope() -> None:
    assert validate_scopes(["write"]) == {Scope.READ, Scope.WRITE}
    assert validate_scopes(["read"]) == {Scope.READ}
    for bad in ([], ["admin"]):
        with pytest.raises(InvalidInput):
            validate_scopes(bad)


# --- email verification ---------------------------------------------------------------------


async def test_sign_up_sends_a_verification_link_that_works_once(
    sign_up: SignUp, mail: RecordingMailSender, verify: VerifyEmail, users: InMemoryUserRepository
) -> None:
    alice = await _alice(sign_up)
    (message,) = mail.sent
    assert message.to == "alice@example.org"
    assert message.link.startswith(f"{BASE_URL}/verify-email?token=")
    assert not alice.email_verified
    await verify(token_of(message))
    assert users.users[alice.id].email_verified
    with pytest.raises(InvalidInput):
        await verify(token_of(message))


async def test_a_verification_link_expires_after_48_hours(
    sign_up: SignUp, mail: RecordingMailSender, verify: VerifyEmail, clock: FixedClock
) -> None:
    await _alice(sign_up)
    clock.advance(48 * 3600 + 1)
    with pytest.raises(InvalidInput):
        await verify(token_of(mail.sent[0]))


async def test_a_link_for_the_old_address_confirms_nothing_after_an_email_change(
    sign_up: SignUp,
    mail: RecordingMailSender,
    verify: VerifyEmail,
    users: InMemoryUserRepository,
    verification: EmailVerification,
    uow: FakeUnitOfWork,
) -> None:
    alice = await _alice(sign_up)
    await UpdateMe(users, uow, verification, mail)(alice, full_name=None, bio=None, email="new@example.org")
    old, new = mail.sent
    assert new.to == "new@example.org"
    with pytest.raises(InvalidInput):
        await verify(token_of(old))
    await verify(token_of(new))
    assert users.users[alice.id].email_verified


async def test_an_email_change_makes_a_verified_address_unverified(
    sign_up: SignUp, mail: RecordingMailSender, verify: VerifyEmail, users: InMemoryUserRepository
) -> None:
    alice = await _alice(sign_up)
    await verify(token_of(mail.sent[0]))
    changed = users.users[alice.id].with_profile(full_name=None, bio=None, email="other@example.org")
    assert not changed.email_verified
    same = users.users[alice.id].with_profile(full_name=None, bio=None, email="ALICE@example.org")
    assert same.email_verified


# --- password reset -------------------------------------------------------------------------


async def test_a_reset_for_an_unknown_address_sends_nothing_and_does_not_fail(
    request_reset: RequestPasswordReset, mail: RecordingMailSender, uow: FakeUnitOfWork
) -> None:
    await request_reset("nobody@example.org")
    assert mail.sent == []
    assert uow.commits == 1  # the same statements as for a known address


async def test_a_reset_link_sets_the_password_once_and_ends_every_session(
    sign_up: SignUp,
    log_in: LogIn,
    request_reset: RequestPasswordReset,
    confirm_reset: ConfirmPasswordReset,
    mail: RecordingMailSender,
    users: InMemoryUserRepository,
    authenticate: Authenticate,
    one_time_tokens: InMemoryOneTimeTokenStore,
) -> None:
    alice = await _alice(sign_up)
    tokens = await log_in("alice", PASSWORD)
    await request_reset("ALICE@example.org")
    reset = mail.sent[-1]
    assert reset.link.startswith(f"{BASE_URL}/reset-password?token=")
    assert digest(token_of(reset)) in one_time_tokens.tokens  # stored as a hash only
    assert token_of(reset) not in one_time_tokens.tokens
    await confirm_reset(token_of(reset), NEW_PASSWORD)
    assert users.users[alice.id].password_hash == "hashed:" + NEW_PASSWORD
    with pytest.raises(Unauthenticated):
        await authenticate(tokens.access_token)
    with pytest.raises(InvalidInput):
        await confirm_reset(token_of(reset), "another password")
    assert users.users[alice.id].email_verified  # following the link proved the address


async def test_a_reset_link_expires_after_30_minutes(
    sign_up: SignUp,
    request_reset: RequestPasswordReset,
    confirm_reset: ConfirmPasswordReset,
    mail: RecordingMailSender,
    clock: FixedClock,
) -> None:
    await _alice(sign_up)
    await request_reset("alice@example.org")
    clock.advance(30 * 60)
    with pytest.raises(InvalidInput, match="expired"):
        await confirm_reset(token_of(mail.sent[-1]), NEW_PASSWORD)


async def test_a_new_reset_request_retires_the_previous_link(
    sign_up: SignUp,
    request_reset: RequestPasswordReset,
    confirm_reset: ConfirmPasswordReset,
    mail: RecordingMailSender,
) -> None:
    await _alice(sign_up)
    await request_reset("alice@example.org")
    await request_reset("alice@example.org")
    first, second = mail.sent[-2:]
    with pytest.raises(InvalidInput):
        await confirm_reset(token_of(first), NEW_PASSWORD)
    await confirm_reset(token_of(second), NEW_PASSWORD)


async def test_a_refused_new_password_does_not_burn_the_link(
    sign_up: SignUp,
    request_reset: RequestPasswordReset,
    confirm_reset: ConfirmPasswordReset,
    mail: RecordingMailSender,
) -> None:
    await _alice(sign_up)
    await request_reset("alice@example.org")
    with pytest.raises(InvalidInput, match="password"):
        await confirm_reset(token_of(mail.sent[-1]), "short")
    await confirm_reset(token_of(mail.sent[-1]), NEW_PASSWORD)


async def test_a_verification_token_is_no_reset_token(
    sign_up: SignUp, confirm_reset: ConfirmPasswordReset, mail: RecordingMailSender
) -> None:
    await _alice(sign_up)
    with pytest.raises(InvalidInput):
        await confirm_reset(token_of(mail.sent[0]), NEW_PASSWORD)


# --- password change and sessions -----------------------------------------------------------


async def test_a_password_change_keeps_the_current_session_and_ends_every_other(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    users: InMemoryUserRepository,
    hasher: FakePasswordHasher,
    ender: SessionEnder,
    uow: FakeUnitOfWork,
    refresh_tokens: InMemoryRefreshTokenStore,
) -> None:
    await _alice(sign_up)
    here, there = await log_in("alice", PASSWORD, "laptop"), await log_in("alice", PASSWORD, "phone")
    me = await authenticate(here.access_token)
    change = ChangePassword(users, hasher, ender, uow)
    with pytest.raises(InvalidInput, match="current password"):
        await change(me, "wrong password", NEW_PASSWORD)
    await change(me, PASSWORD, NEW_PASSWORD)
    assert (await authenticate(here.access_token)).user.password_hash == "hashed:" + NEW_PASSWORD
    with pytest.raises(Unauthenticated):
        await authenticate(there.access_token)
    assert [s.id for s in await refresh_tokens.sessions(me.user.id)] == [me.session_id]


async def test_sessions_list_marks_the_current_one_and_revoking_one_refuses_its_access_token(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    refresh_tokens: InMemoryRefreshTokenStore,
    ender: SessionEnder,
    uow: FakeUnitOfWork,
) -> None:
    await _alice(sign_up)
    here, there = await log_in("alice", PASSWORD, "laptop"), await log_in("alice", PASSWORD, "phone")
    me, other = await authenticate(here.access_token), await authenticate(there.access_token)
    listed = await ListSessions(refresh_tokens)(me)
    assert {(i.session.user_agent, i.current) for i in listed} == {("laptop", True), ("phone", False)}
    assert other.session_id is not None
    await RevokeSession(refresh_tokens, ender, uow)(me, other.session_id)
    with pytest.raises(Unauthenticated, match="revoked"):
        await authenticate(there.access_token)
    await authenticate(here.access_token)


# --- personal access tokens and the write policy --------------------------------------------


async def test_a_personal_token_authenticates_by_its_prefix_and_keeps_its_scope(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    personal_tokens: InMemoryPersonalTokenStore,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> None:
    await _alice(sign_up)
    me = await authenticate((await log_in("alice", PASSWORD)).access_token)
    created = await CreatePersonalToken(personal_tokens, clock, uow)(me, "backup script", ["read"], 3600)
    assert created.secret.startswith("psp_")
    assert created.token.token_hash == digest(created.secret)
    script = await authenticate(created.secret)
    assert script.user.id == me.user.id
    assert script.claims is None
    assert not script.can_write
    with pytest.raises(Forbidden, match="read scope"):
        WritePolicy(require_verified_email=False).check(script)
    with pytest.raises(Forbidden, match="personal access token"):
        await CreatePersonalToken(personal_tokens, clock, uow)(script, "more", ["write"], None)
    clock.advance(3600)
    with pytest.raises(Unauthenticated, match="expired"):
        await authenticate(created.secret)


async def test_a_personal_token_dies_with_a_ban_and_an_unknown_one_is_401(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    personal_tokens: InMemoryPersonalTokenStore,
    users: InMemoryUserRepository,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> None:
    await _alice(sign_up)
    me = await authenticate((await log_in("alice", PASSWORD)).access_token)
    created = await CreatePersonalToken(personal_tokens, clock, uow)(me, "ci", ["write"], None)
    assert (await authenticate(created.secret)).can_write
    await users.update_access(replace(me.user, token_version=me.user.token_version + 1))
    with pytest.raises(Unauthenticated):
        await authenticate(created.secret)
    with pytest.raises(Unauthenticated):
        await authenticate("psp_" + "x" * 43)


def test_the_verified_email_rule_applies_only_when_required_and_not_on_exempt_routes() -> None:
    unverified = Principal(UserFactory.build(email_verified=False), None)
    verified = Principal(UserFactory.build(email_verified=True), None)
    WritePolicy(require_verified_email=False).check(unverified)
    with pytest.raises(Forbidden, match="verify your email"):
        WritePolicy(require_verified_email=True).check(unverified)
    WritePolicy(require_verified_email=True).check(unverified, unverified_ok=True)
    WritePolicy(require_verified_email=True).check(verified)


async def test_logging_out_without_the_refresh_token_still_ends_the_session(
    sign_up: SignUp,
    log_in: LogIn,
    authenticate: Authenticate,
    log_out: LogOut,
    refresh: Refresh,
    refresh_tokens: InMemoryRefreshTokenStore,
) -> None:
    await _alice(sign_up)
    tokens = await log_in("alice", PASSWORD)
    me = await authenticate(tokens.access_token)
    await log_out(me, None)
    assert await refresh_tokens.sessions(me.user.id) == []
    with pytest.raises(Unauthenticated):
        await refresh(tokens.refresh_token)
