"""OWASP API2:2023 Broken Authentication, for the account-recovery routes (API.md "Accounts").

Covers: reset tokens that are reused, expired, or meant for another account or purpose;
password-reset requests that do not tell a known address from an unknown one, by answer or
by time; personal access tokens whose read scope refuses every write route of the app; and
sessions whose access tokens stop working the moment they are revoked, in another worker
too, with PostgreSQL or Valkey keeping the revocations.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photoshare.config import Settings, libpq_url
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, login, member, signup
from tests.integration.mail import link_in, outbox_messages, wait_for_outbox

NEW_PASSWORD = "a-brand-new-password"
SAFE = {"GET", "HEAD", "OPTIONS"}


def _resets(settings: Settings) -> list[str]:
    return [
        link_in(m)[1] for m in outbox_messages(settings.outbox_dir) if "/reset-password?" in link_in(m)[0]
    ]


async def _reset_token(client: Client, settings: Settings, email: str) -> str:
    """Ask for a reset of `email` and read the new reset link's token from the outbox."""
    before = len(_resets(settings))
    response = await client.post("/api/auth/password-reset", json={"email": email})
    assert response.status_code == 202
    deadline = time.monotonic() + 10
    while len(_resets(settings)) == before:
        assert time.monotonic() < deadline, "no reset message arrived"
        await asyncio.sleep(0.02)
    return _resets(settings)[-1]


async def _confirm(client: Client, token: str, password: str = NEW_PASSWORD) -> Any:
    return await client.post("/api/auth/password-reset/confirm", json={"token": token, "password": password})


def _sql(settings: Settings, statement: str) -> None:
    assert settings.database_url
    with psycopg.connect(libpq_url(settings.database_url), autocommit=True) as conn:
        conn.execute(statement)


# --- reset tokens ---------------------------------------------------------------------------


async def test_a_reset_token_works_once(client: Client, settings: Settings) -> None:
    await signup(client, "alice")
    token = await _reset_token(client, settings, "alice@example.org")
    assert (await _confirm(client, token)).status_code == 204
    assert_problem(await _confirm(client, token, "yet-another-password"), 400)
    await login(client, "alice", NEW_PASSWORD)  # the second attempt changed nothing


async def test_a_reset_token_past_its_30_minutes_is_refused(client: Client, settings: Settings) -> None:
    await signup(client, "alice")
    token = await _reset_token(client, settings, "alice@example.org")
    _sql(settings, "UPDATE one_time_tokens SET expires_at = now() - interval '1 second'")
    assert_problem(await _confirm(client, token), 400)
    await login(client, "alice")  # the password is unchanged


async def test_a_reset_token_expires_30_minutes_after_it_was_issued(
    client: Client, settings: Settings
) -> None:
    await signup(client, "alice")
    await _reset_token(client, settings, "alice@example.org")
    assert settings.database_url
    with psycopg.connect(libpq_url(settings.database_url)) as conn:
        (lifetime,) = conn.execute(
            "SELECT expires_at - created_at FROM one_time_tokens WHERE purpose = 'reset_password'"
        ).fetchone() or (None,)
    assert lifetime is not None
    assert lifetime.total_seconds() == 30 * 60


async def test_a_token_for_one_account_changes_only_that_account(client: Client, settings: Settings) -> None:
    await signup(client, "alice")
    bob = await member(client, "bob")
    token = await _reset_token(client, settings, "alice@example.org")
    assert (await _confirm(client, token)).status_code == 204
    await login(client, "alice", NEW_PASSWORD)
    await login(client, "bob", PASSWORD)  # bob's password and session are untouched
    assert (await client.get("/api/users/me", headers=bearer(bob["access_token"]))).status_code == 200
    assert_problem(
        await client.post("/api/auth/login", json={"username": "bob", "password": NEW_PASSWORD}), 401
    )


async def test_a_verification_token_is_no_reset_token_and_the_other_way_round(
    client: Client, settings: Settings
) -> None:
    await signup(client, "alice")
    (welcome,) = await wait_for_outbox(settings.outbox_dir, 1)
    verification = link_in(welcome)[1]
    assert_problem(await _confirm(client, verification), 400)
    reset = await _reset_token(client, settings, "alice@example.org")
    assert_problem(await client.post("/api/auth/verify-email", json={"token": reset}), 400)
    assert (await client.post("/api/auth/verify-email", json={"token": verification})).status_code == 204


async def test_tokens_are_stored_only_as_hashes(client: Client, settings: Settings) -> None:
    alice = await member(client, "alice")
    reset = await _reset_token(client, settings, "alice@example.org")
    pat = await client.post(
        "/api/users/me/tokens", json={"name": "n", "scopes": ["read"]}, headers=bearer(alice["access_token"])
    )
    secret = pat.json()["token"]
    assert settings.database_url
    with psycopg.connect(libpq_url(settings.database_url)) as conn:
        dump = "\n".join(
            str(row)
            for table in ("one_time_tokens", "personal_tokens")
            for row in conn.execute(f"SELECT * FROM {table}").fetchall()
        )
    assert reset not in dump
    assert secret not in dump
    assert secret.removeprefix("psp_") not in dump


# --- no enumeration -------------------------------------------------------------------------


async def test_password_reset_answers_known_and_unknown_addresses_alike(client: Client) -> None:
    await signup(client, "alice")
    answers = set()
    for email in ("alice@example.org", "nobody@example.org", "ALICE@EXAMPLE.ORG"):
        response = await client.post("/api/auth/password-reset", json={"email": email})
        answers.add((response.status_code, response.content, response.headers.get("content-type")))
    assert len(answers) == 1


async def test_password_reset_takes_as_long_for_an_unknown_address_as_for_a_known_one(
    client: Client, settings: Settings
) -> None:
    """The same statements run either way and the message is sent off the request path."""
    await signup(client, "alice")
    emails = {"known": "alice@example.org", "unknown": "nobody@example.org"}
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for attempt in range(24):
        for name, email in emails.items() if attempt % 2 else reversed(emails.items()):
            started = time.perf_counter()
            response = await client.post("/api/auth/password-reset", json={"email": email})
            elapsed = time.perf_counter() - started
            assert response.status_code == 202
            if attempt >= 4:  # warm-up: connection pools, caches
                timings[name].append(elapsed)
    ratio = statistics.median(timings["unknown"]) / statistics.median(timings["known"])
    assert 0.5 <= ratio <= 2.0, (ratio, timings)


# --- personal access tokens -----------------------------------------------------------------


def _write_routes(app: Litestar) -> list[tuple[str, str]]:
    """Every (method, path) of the app that writes and needs a token."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not handler.resolve_security():
                continue
            for method in sorted(handler.http_methods - SAFE):
                found.append((method, route.path))
    return found


def _filled(path: str) -> str:
    return re.sub(
        r"\{[^}:]+:?([a-z]*)\}", lambda m: "x" * 12 if m.group(1) == "str" else str(uuid.uuid4()), path
    )


async def test_a_read_scoped_token_is_refused_on_every_write_route(client: Client, app: Litestar) -> None:
    admin = await member(client, "admin")  # the first account: no role guard stands in the way
    created = await client.post(
        "/api/users/me/tokens",
        json={"name": "reader", "scopes": ["read"]},
        headers=bearer(admin["access_token"]),
    )
    read_only = bearer(created.json()["token"])
    routes = _write_routes(app)
    assert len(routes) >= 20, routes
    assert ("DELETE", "/api/users/me/sessions/{session_id:uuid}") in routes
    for method, path in routes:
        response = await client.request(method, _filled(path), headers=read_only, json={})
        body = assert_problem(response, 403)
        assert "read scope" in body["detail"], (method, path, body)
    assert (await client.get("/api/users/me", headers=read_only)).status_code == 200


# --- sessions -------------------------------------------------------------------------------


@pytest.fixture(params=["postgresql", "valkey"])
async def two_workers(
    request: pytest.FixtureRequest, settings: Settings
) -> AsyncIterator[tuple[Client, Client]]:
    """Two apps on one database (and one Valkey), as two server workers are."""
    shared = settings
    if request.param == "valkey":
        shared = replace(settings, valkey_url=request.getfixturevalue("valkey_url"))
    async with (
        AsyncTestClient(create_app(shared), base_url="http://testserver.local") as first,
        AsyncTestClient(create_app(shared), base_url="http://testserver.local") as second,
    ):
        yield first, second


async def test_a_revoked_sessions_access_token_is_refused_at_once_in_every_worker(
    two_workers: tuple[Client, Client],
) -> None:
    first, second = two_workers
    here = await member(first, "alice")
    there = await login(second, "alice")
    assert (await second.get("/api/users/me", headers=bearer(there["access_token"]))).status_code == 200
    sessions = (await first.get("/api/users/me/sessions", headers=bearer(here["access_token"]))).json()
    (other,) = [s["id"] for s in sessions if not s["current"]]
    response = await first.delete(f"/api/users/me/sessions/{other}", headers=bearer(here["access_token"]))
    assert response.status_code == 204
    for worker in (first, second):
        assert_problem(await worker.get("/api/users/me", headers=bearer(there["access_token"])), 401)
        assert_problem(
            await worker.post("/api/auth/refresh", json={"refresh_token": there["refresh_token"]}), 401
        )
    assert (await second.get("/api/users/me", headers=bearer(here["access_token"]))).status_code == 200


async def test_a_password_change_ends_the_other_sessions_in_every_worker(
    two_workers: tuple[Client, Client],
) -> None:
    first, second = two_workers
    here = await member(first, "alice")
    there = await login(second, "alice")
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert (
        await first.put("/api/users/me/password", json=body, headers=bearer(here["access_token"]))
    ).status_code == 204
    assert_problem(await second.get("/api/users/me", headers=bearer(there["access_token"])), 401)
    assert (await second.get("/api/users/me", headers=bearer(here["access_token"]))).status_code == 200
