"""JwtTokenCodec: HS256 pinned, the required claims present, expiry and token type enforced."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime

import jwt
import pytest

from photoshare.adapters.security import JwtTokenCodec
from photoshare.application.ports.accounts import TokenType
from photoshare.domain.errors import Unauthenticated
from tests.unit.conftest import ACCESS_TTL, REFRESH_TTL, SECRET
from tests.unit.factories import UserFactory
from tests.unit.fakes import FixedClock


def _payload(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "type": "access",
        "ver": 0,
    }
    claims.update(overrides)
    return claims


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_access_token_round_trips_its_claims(codec: JwtTokenCodec) -> None:
    user = UserFactory.build(token_version=7)
    issued = codec.issue(user, TokenType.ACCESS)
    claims = codec.decode(issued.token, TokenType.ACCESS)
    assert claims == issued.claims
    assert (claims.subject, claims.version, claims.token_type) == (user.id, 7, TokenType.ACCESS)
    assert (claims.expires_at - claims.issued_at).total_seconds() == ACCESS_TTL


def test_token_carries_sub_exp_iat_jti_and_type_signed_with_hs256(codec: JwtTokenCodec) -> None:
    user = UserFactory.build()
    token = codec.issue(user, TokenType.REFRESH, family="fam1").token
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert {"sub", "exp", "iat", "jti", "type"} <= payload.keys()
    assert payload["sub"] == str(user.id)
    assert payload["type"] == "refresh"
    assert payload["exp"] - payload["iat"] == REFRESH_TTL
    assert payload["fam"] == "fam1"


def test_every_token_gets_its_own_id(codec: JwtTokenCodec) -> None:
    user = UserFactory.build()
    ids = {codec.issue(user, TokenType.ACCESS).claims.token_id for _ in range(5)}
    assert len(ids) == 5


def test_unsigned_token_with_alg_none_is_refused(codec: JwtTokenCodec) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_payload())}."
    with pytest.raises(Unauthenticated):
        codec.decode(token, TokenType.ACCESS)


def test_token_signed_with_another_key_is_refused(codec: JwtTokenCodec) -> None:
    token = jwt.encode(_payload(), "another-secret-key-that-is-32-bytes-or-more", algorithm="HS256")
    with pytest.raises(Unauthenticated):
        codec.decode(token, TokenType.ACCESS)


def test_token_signed_with_hs512_and_the_right_key_is_refused(codec: JwtTokenCodec) -> None:
    token = jwt.encode(_payload(), SECRET, algorithm="HS512")
    with pytest.raises(Unauthenticated):
        codec.decode(token, TokenType.ACCESS)


def test_the_test_helper_payload_is_accepted_when_signed_properly(codec: JwtTokenCodec) -> None:
    # The refusals above are about the algorithm and key, not a malformed payload.
    token = jwt.encode(_payload(), SECRET, algorithm="HS256")
    assert codec.decode(token, TokenType.ACCESS).token_type is TokenType.ACCESS


def test_expired_token_is_refused(clock: FixedClock) -> None:
    codec = JwtTokenCodec(SECRET, access_ttl=60, refresh_ttl=120, clock=clock)
    clock.advance(-61)
    token = codec.issue(UserFactory.build(), TokenType.ACCESS).token
    with pytest.raises(Unauthenticated, match="expired"):
        codec.decode(token, TokenType.ACCESS)


@pytest.mark.parametrize("missing", ["sub", "exp", "iat", "jti", "type"])
def test_token_missing_a_required_claim_is_refused(codec: JwtTokenCodec, missing: str) -> None:
    payload = _payload()
    del payload[missing]
    token = jwt.encode(payload, SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        codec.decode(token, TokenType.ACCESS)


@pytest.mark.parametrize(("bad", "value"), [("sub", "not-a-uuid"), ("type", "session")])
def test_token_with_a_malformed_claim_is_refused(codec: JwtTokenCodec, bad: str, value: str) -> None:
    token = jwt.encode(_payload(**{bad: value}), SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        codec.decode(token, TokenType.ACCESS)


def test_access_and_refresh_tokens_are_not_interchangeable(codec: JwtTokenCodec) -> None:
    user = UserFactory.build()
    access = codec.issue(user, TokenType.ACCESS).token
    refresh = codec.issue(user, TokenType.REFRESH, family="f").token
    with pytest.raises(Unauthenticated):
        codec.decode(access, TokenType.REFRESH)
    with pytest.raises(Unauthenticated):
        codec.decode(refresh, TokenType.ACCESS)


def test_signing_key_shorter_than_32_bytes_is_refused(clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenCodec("k" * 31, access_ttl=60, refresh_ttl=60, clock=clock)
