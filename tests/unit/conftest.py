"""Use cases wired to the in-memory fakes (and the pure, I/O-free JWT codec)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from photoshare.adapters.security import JwtTokenCodec
from photoshare.application.auth import (
    Authenticate,
    EndFamily,
    IssueTokens,
    LogIn,
    LogOut,
    Refresh,
    SeparateLookups,
    SignUp,
)
from photoshare.application.mail import AccountMail
from photoshare.application.onetime import EmailVerification
from tests.unit.fakes import (
    FakePasswordHasher,
    FakeUnitOfWork,
    FixedClock,
    InMemoryOneTimeTokenStore,
    InMemoryPersonalTokenStore,
    InMemoryRefreshTokenStore,
    InMemoryTokenRevocations,
    InMemoryUserRepository,
    RecordingMailSender,
)

BASE_URL = "https://photos.example.org"

SECRET = "unit-test-secret-key-long-enough-for-hs256-and-even-hs512-at-64-bytes"
ACCESS_TTL = 900
REFRESH_TTL = 3600


@pytest.fixture
def clock() -> FixedClock:
    # pyjwt checks `exp` against the real time, so the fixed clock starts at the real "now".
    return FixedClock(datetime.now(UTC))


@pytest.fixture
def users() -> InMemoryUserRepository:
    return InMemoryUserRepository()


@pytest.fixture
def hasher() -> FakePasswordHasher:
    return FakePasswordHasher()


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def refresh_tokens() -> InMemoryRefreshTokenStore:
    return InMemoryRefreshTokenStore()


@pytest.fixture
def revocations(clock: FixedClock) -> InMemoryTokenRevocations:
    return InMemoryTokenRevocations(clock)


@pytest.fixture
def codec(clock: FixedClock) -> JwtTokenCodec:
    return JwtTokenCodec(SECRET, access_ttl=ACCESS_TTL, refresh_ttl=REFRESH_TTL, clock=clock)


@pytest.fixture
def one_time_tokens() -> InMemoryOneTimeTokenStore:
    return InMemoryOneTimeTokenStore()


@pytest.fixture
def personal_tokens() -> InMemoryPersonalTokenStore:
    return InMemoryPersonalTokenStore()


@pytest.fixture
def mail() -> RecordingMailSender:
    return RecordingMailSender()


@pytest.fixture
def verification(one_time_tokens: InMemoryOneTimeTokenStore, clock: FixedClock) -> EmailVerification:
    return EmailVerification(one_time_tokens, AccountMail(BASE_URL), clock)


@pytest.fixture
def sign_up(
    users: InMemoryUserRepository,
    hasher: FakePasswordHasher,
    clock: FixedClock,
    uow: FakeUnitOfWork,
    verification: EmailVerification,
    mail: RecordingMailSender,
) -> SignUp:
    return SignUp(users, hasher, clock, uow, verification, mail)


@pytest.fixture
def issue(codec: JwtTokenCodec, refresh_tokens: InMemoryRefreshTokenStore) -> IssueTokens:
    return IssueTokens(codec, refresh_tokens)


@pytest.fixture
def end_family(
    codec: JwtTokenCodec,
    refresh_tokens: InMemoryRefreshTokenStore,
    revocations: InMemoryTokenRevocations,
    clock: FixedClock,
    uow: FakeUnitOfWork,
) -> EndFamily:
    return EndFamily(codec, refresh_tokens, revocations, clock, uow)


@pytest.fixture
def log_in(
    users: InMemoryUserRepository, hasher: FakePasswordHasher, issue: IssueTokens, uow: FakeUnitOfWork
) -> LogIn:
    return LogIn(users, users, hasher, issue, uow)


@pytest.fixture
def refresh(
    codec: JwtTokenCodec,
    users: InMemoryUserRepository,
    refresh_tokens: InMemoryRefreshTokenStore,
    issue: IssueTokens,
    end_family: EndFamily,
    uow: FakeUnitOfWork,
) -> Refresh:
    return Refresh(codec, users, refresh_tokens, issue, end_family, uow)


@pytest.fixture
def log_out(
    codec: JwtTokenCodec,
    revocations: InMemoryTokenRevocations,
    refresh_tokens: InMemoryRefreshTokenStore,
    end_family: EndFamily,
    uow: FakeUnitOfWork,
) -> LogOut:
    return LogOut(codec, revocations, refresh_tokens, end_family, uow)


@pytest.fixture
def authenticate(
    codec: JwtTokenCodec,
    revocations: InMemoryTokenRevocations,
    users: InMemoryUserRepository,
    personal_tokens: InMemoryPersonalTokenStore,
    clock: FixedClock,
) -> Authenticate:
    return Authenticate(codec, SeparateLookups(revocations, users), users, personal_tokens, clock)
