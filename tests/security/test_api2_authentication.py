"""OWASP API2:2023 Broken Authentication.

Covers: bearer tokens that were not issued by the service as they are (a tampered payload,
`alg: none`, another algorithm or another key, expired or not yet valid, missing or wrong
claims, a subject that does not exist, a stale account version), the token types kept apart
(a refresh token is no access token and the other way round), revocation (log-out, a refresh
token used twice, a ban), malformed `Authorization` headers on protected and public routes,
log-in that does not tell an unknown account from a wrong password, by status, body or time,
and passwords whose every byte counts (bcrypt alone reads 72), legacy hashes upgraded on log-in.

Out of scope: password strength rules beyond the contract's 8-128 characters, brute force
(rate limits are API4), and transport security (TLS is the deployment's, not the app's).
"""

from __future__ import annotations

import base64
import json
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
import jwt
import psycopg
import pytest

from photoshare.adapters.security import PREHASH_PREFIX
from photoshare.config import Settings, libpq_url
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member, signup
from tests.integration.engagement import small_jpeg

OTHER_KEY = "an-attacker-key-that-is-long-enough-to-sign-hs256-and-hs512-tokens!"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(subject: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        "jti": uuid.uuid4().hex,
        "type": "access",
        "ver": 0,
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _unsigned(claims: dict[str, Any], alg: str = "none") -> str:
    header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _tampered(token: str, **changes: Any) -> str:
    """The same header and signature around a payload with `changes`."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_b64(json.dumps(claims | changes).encode())}.{signature}"


async def _me(client: Client, token: str) -> Any:
    return await client.get("/api/users/me", headers=bearer(token))


async def test_a_token_the_service_did_not_issue_as_it_is_is_401(
    client: Client, settings: Settings, subtests: pytest.Subtests
) -> None:
    admin = await signup(client, "admin")
    alice_tokens = await member(client, "alice")
    alice = (await _me(client, alice_tokens["access_token"])).json()
    key = settings.secret_key
    assert key
    past = datetime.now(UTC) - timedelta(hours=2)
    forged = {
        "payload changed, signature kept": _tampered(alice_tokens["access_token"], sub=admin["id"]),
        "alg none": _unsigned(_claims(alice["id"])),
        "alg NONE": _unsigned(_claims(alice["id"]), alg="NONE"),
        "alg none with the original signature": _unsigned(_claims(alice["id"]))
        + alice_tokens["access_token"].rsplit(".", 1)[1],
        "HS512 with the service's key": jwt.encode(_claims(alice["id"]), key, algorithm="HS512"),
        "HS384 with the service's key": jwt.encode(_claims(alice["id"]), key, algorithm="HS384"),
        "HS256 with another key": jwt.encode(_claims(alice["id"]), OTHER_KEY, algorithm="HS256"),
        "expired": jwt.encode(
            _claims(
                alice["id"],
                iat=int(past.timestamp()),
                exp=int((past + timedelta(minutes=15)).timestamp()),
            ),
            key,
            algorithm="HS256",
        ),
        "not valid before an hour from now": jwt.encode(
            _claims(alice["id"], nbf=int((datetime.now(UTC) + timedelta(hours=1)).timestamp())),
            key,
            algorithm="HS256",
        ),
        "no expiry": jwt.encode(_claims(alice["id"], exp=None), key, algorithm="HS256"),
        "no token id": jwt.encode(_claims(alice["id"], jti=None), key, algorithm="HS256"),
        "no type": jwt.encode(_claims(alice["id"], type=None), key, algorithm="HS256"),
        "type admin": jwt.encode(_claims(alice["id"], type="admin"), key, algorithm="HS256"),
        "subject not a uuid": jwt.encode(_claims("alice"), key, algorithm="HS256"),
        "subject nobody has": jwt.encode(_claims(str(uuid.uuid4())), key, algorithm="HS256"),
        "stale account version": jwt.encode(_claims(alice["id"], ver=7), key, algorithm="HS256"),
        "refresh token": alice_tokens["refresh_token"],
        "two tokens glued": alice_tokens["access_token"] + "." + alice_tokens["access_token"],
    }
    # The control: a token built the same way, correctly, is accepted, so each 401 below comes
    # from the one thing that was changed.
    genuine = jwt.encode(_claims(alice["id"]), key, algorithm="HS256")
    assert (await _me(client, genuine)).json()["username"] == "alice"
    for name, token in forged.items():
        with subtests.test(msg=name):
            assert_problem(await _me(client, token), 401)
            # A public route must not quietly treat a bad token as "anonymous".
            assert_problem(await client.get("/api/photos", headers=bearer(token)), 401)


async def test_an_access_token_is_no_refresh_token(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert_problem(response, 401)
    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": tokens["access_token"]},
        headers=bearer(tokens["access_token"]),
    )
    assert_problem(response, 401)


async def test_after_logout_both_tokens_are_dead(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 204
    assert_problem(await _me(client, tokens["access_token"]), 401)
    assert_problem(await client.get("/api/photos", headers=bearer(tokens["access_token"])), 401)
    response = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_problem(response, 401)


async def test_a_refresh_token_used_twice_ends_its_whole_family(client: Client) -> None:
    first = await member(client, "alice")
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(replay, 401)
    response = await client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert_problem(response, 401)


async def test_a_banned_users_tokens_are_403_everywhere_at_once(client: Client) -> None:
    admin = await member(client, "admin")
    bob = await member(client, "bob")
    assert (await _me(client, bob["access_token"])).status_code == 200
    ban = await client.post("/api/users/bob/ban", headers=bearer(admin["access_token"]))
    assert ban.status_code == 200
    headers = bearer(bob["access_token"])
    assert_problem(await client.get("/api/users/me", headers=headers), 403)
    assert_problem(await client.patch("/api/users/me", json={"bio": "still here"}, headers=headers), 403)
    assert_problem(
        await client.post(
            "/api/photos", files={"file": ("a.jpg", small_jpeg(), "image/jpeg")}, headers=headers
        ),
        403,
    )
    assert_problem(await client.get("/api/photos", headers=headers), 403)
    assert_problem(await client.post("/api/auth/logout", headers=headers), 403)
    # The refresh token predates the ban, so it is dead (401); the account is banned (403):
    # either way the answer is a refusal.
    response = await client.post("/api/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert response.status_code in (401, 403)
    assert_problem(response, response.status_code)
    login = await client.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert_problem(login, 403)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer  ",
        "Basic YWxpY2U6cGFzc3dvcmQxMjM=",
        "Digest username=alice",
        "Token abc.def.ghi",
        "Bearer garbage",
        "Bearer a.b.c",
        "Bearer ...",
        "Bearer " + "A" * 8000,
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.%%%",
    ],
)
async def test_a_malformed_authorization_header_is_401_with_a_bearer_challenge(
    refusing_client: Client, value: str
) -> None:
    for path in ("/api/users/me", "/api/photos"):
        response = await refusing_client.get(path, headers={"Authorization": value})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].lower().startswith("bearer")


async def test_login_does_not_tell_an_unknown_account_from_a_wrong_password(client: Client) -> None:
    await signup(client, "alice", "alice@example.org")
    attempts = {
        "wrong password": {"username": "alice", "password": "wrong-password"},
        "wrong password by email": {"username": "alice@example.org", "password": "wrong-password"},
        "unknown user": {"username": "nobody", "password": "wrong-password"},
        "unknown email": {"username": "nobody@example.org", "password": PASSWORD},
    }
    answers = {}
    for name, body in attempts.items():
        response = await client.post("/api/auth/login", json=body)
        assert_problem(response, 401)
        answers[name] = (response.status_code, response.json(), response.headers.get("www-authenticate"))
        form = await client.post("/api/auth/login", data=body | {"grant_type": "password"})
        assert (form.status_code, form.json()) == answers[name][:2]
    assert len({json.dumps(answer, sort_keys=True) for answer in answers.values()}) == 1


async def test_login_takes_as_long_for_an_unknown_account_as_for_a_wrong_password(
    client: Client, settings: Settings
) -> None:
    """The unknown account still costs one bcrypt check (at the test settings' rounds)."""
    await signup(client, "alice")
    bodies = {
        "wrong": {"username": "alice", "password": "wrong-password"},
        "unknown": {"username": "nobody", "password": "wrong-password"},
    }
    timings: dict[str, list[float]] = {"wrong": [], "unknown": []}
    for attempt in range(24):
        for name, body in bodies.items() if attempt % 2 else reversed(bodies.items()):
            started = time.perf_counter()
            response = await client.post("/api/auth/login", json=body)
            elapsed = time.perf_counter() - started
            assert response.status_code == 401
            if attempt >= 4:  # warm-up: connection pools, caches
                timings[name].append(elapsed)
    ratio = statistics.median(timings["unknown"]) / statistics.median(timings["wrong"])
    assert 0.5 <= ratio <= 2.0, (settings.bcrypt_rounds, ratio, timings)


async def test_a_password_counts_beyond_bcrypts_72_bytes(client: Client) -> None:
    """bcrypt reads 72 bytes: without the pre-hash, both wrong passwords below logged in."""
    await signup(client, "admin")
    password = "A" * 72 + "secret1"
    body = {"username": "longpass", "email": "longpass@example.org", "password": password}
    assert (await client.post("/api/auth/signup", json=body)).status_code == 201
    for wrong in ("A" * 72 + "different", "A" * 72):
        assert_problem(
            await client.post("/api/auth/login", json={"username": "longpass", "password": wrong}), 401
        )
    right = await client.post("/api/auth/login", json={"username": "longpass", "password": password})
    assert right.status_code == 200, right.text


async def test_a_legacy_bcrypt_hash_logs_in_once_and_is_moved_to_the_new_scheme(
    client: Client, database_url: str
) -> None:
    await signup(client, "alice")
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
    async with await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True) as sql:
        await sql.execute("UPDATE users SET password_hash = %s WHERE username = 'alice'", (legacy,))
        response = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
        assert response.status_code == 200, response.text
        row = await (await sql.execute("SELECT password_hash FROM users WHERE username = 'alice'")).fetchone()
    assert row is not None
    assert row[0].startswith(PREHASH_PREFIX)
    assert (
        await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    ).status_code == 200
    wrong = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD + "x"})
    assert_problem(wrong, 401)
