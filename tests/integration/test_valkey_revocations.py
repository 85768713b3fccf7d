"""Revoked access tokens in a real valkey-server: stored with the token's lifetime, fail closed."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import sqlalchemy as sa
import valkey.asyncio as valkey
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import create_async_engine

from photoshare.adapters.revocations import FAMILY_PREFIX, PREFIX, ValkeyTokenRevocations
from photoshare.adapters.sql.tables import revoked_tokens
from photoshare.config import Settings
from photoshare.domain.errors import Unavailable
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import assert_problem, bearer, member


@pytest.fixture
async def valkey_client(valkey_url: str) -> AsyncIterator[valkey.Valkey]:
    client = valkey.Valkey.from_url(valkey_url)
    yield client
    await client.aclose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_revoked_token_is_reported_revoked(valkey_client: valkey.Valkey) -> None:
    revocations = ValkeyTokenRevocations(valkey_client)
    await revocations.revoke("jti-1", datetime.now(UTC) + timedelta(minutes=5))
    assert await revocations.is_revoked("jti-1") is True


async def test_unknown_token_is_not_revoked(valkey_client: valkey.Valkey) -> None:
    revocations = ValkeyTokenRevocations(valkey_client)
    await revocations.revoke("jti-1", datetime.now(UTC) + timedelta(minutes=5))
    assert await revocations.is_revoked("jti-2") is False


async def test_revoked_family_refuses_its_tokens(valkey_client: valkey.Valkey) -> None:
    revocations = ValkeyTokenRevocations(valkey_client)
    await revocations.revoke_family("fam-1", datetime.now(UTC) + timedelta(minutes=5))
    assert await revocations.is_revoked("jti-1", "fam-1") is True
    assert await revocations.is_revoked("jti-1", "fam-2") is False
    assert await revocations.is_revoked("jti-1") is False


async def test_revocation_expires_with_the_token(valkey_client: valkey.Valkey) -> None:
    await ValkeyTokenRevocations(valkey_client).revoke("jti", datetime.now(UTC) + timedelta(seconds=300))
    ttl = await valkey_client.ttl(PREFIX + "jti")
    assert 295 <= ttl <= 302


async def test_revoking_an_already_expired_token_neither_fails_nor_lingers(
    valkey_client: valkey.Valkey,
) -> None:
    await ValkeyTokenRevocations(valkey_client).revoke("jti", datetime.now(UTC) - timedelta(seconds=30))
    remaining_ms = await valkey_client.pttl(PREFIX + "jti")
    assert remaining_ms != -1  # never a key without an expiry
    assert remaining_ms <= 1000  # at most a second left (-2 once it is gone)


async def test_unreachable_valkey_fails_closed() -> None:
    client = valkey.Valkey(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=1, socket_timeout=1)
    revocations = ValkeyTokenRevocations(client)
    try:
        with pytest.raises(Unavailable):
            await revocations.is_revoked("jti")
        with pytest.raises(Unavailable):
            await revocations.revoke("jti", datetime.now(UTC) + timedelta(minutes=5))
    finally:
        await client.aclose()


async def test_app_with_valkey_revokes_on_logout_through_valkey(
    settings: Settings, valkey_url: str, valkey_client: valkey.Valkey, database_url: str
) -> None:
    app = create_app(dataclasses.replace(settings, valkey_url=valkey_url))
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        health = await client.get("/health")
        assert health.status_code == 200
        assert (health.json()["status"], health.json()["valkey"]) == ("ok", "up")

        tokens = await member(client, "alice")
        jti = jwt.decode(tokens["access_token"], options={"verify_signature": False})["jti"]
        assert await valkey_client.exists(PREFIX + jti) == 0
        response = await client.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
        assert response.status_code == 204
        assert await valkey_client.exists(PREFIX + jti) == 1
        assert_problem(await client.get("/api/users/me", headers=bearer(tokens["access_token"])), 401)

    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            sql_rows = (await conn.execute(sa.select(sa.func.count()).select_from(revoked_tokens))).scalar()
    finally:
        await engine.dispose()
    assert sql_rows == 0  # the revocation went to Valkey, not to the SQL fallback


async def test_app_with_valkey_ends_a_reused_familys_access_tokens_through_valkey(
    settings: Settings, valkey_url: str, valkey_client: valkey.Valkey
) -> None:
    app = create_app(dataclasses.replace(settings, valkey_url=valkey_url))
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        first = await member(client, "alice")
        family = jwt.decode(first["access_token"], options={"verify_signature": False})["fam"]
        second = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert second.status_code == 200
        replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert_problem(replay, 401)
        assert await valkey_client.exists(FAMILY_PREFIX + family) == 1
        for access in (first["access_token"], second.json()["access_token"]):
            assert_problem(await client.get("/api/users/me", headers=bearer(access)), 401)


async def test_app_reports_valkey_down_as_503(settings: Settings) -> None:
    app = create_app(dataclasses.replace(settings, valkey_url=f"redis://127.0.0.1:{_closed_port()}/0"))
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        health = await client.get("/health")
    assert health.status_code == 503
    assert (health.json()["status"], health.json()["database"], health.json()["valkey"]) == (
        "degraded",
        "up",
        "down",
    )
