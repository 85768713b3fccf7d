"""Two server workers agree at once: a log-out or a ban through one is honoured by the other.

Every request goes on a new connection, which the kernel spreads over the workers'
SO_REUSEPORT sockets; the workers' CPU times show that both really answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.journey import PASSWORD, bearer, log_in, member, upload
from tests.e2e.server import Service

ROUNDS = 40


@pytest.fixture(scope="module")
def two_workers(module_root: Path) -> Iterator[Service]:
    server = Service(module_root / "data", workers=2).start()
    yield server
    server.kill()


def one_shot(service: Service) -> httpx.Client:
    """A client that opens a new connection for every request."""
    return httpx.Client(
        base_url=service.base_url, timeout=30, limits=httpx.Limits(max_keepalive_connections=0)
    )


def cpu_seconds(service: Service) -> list[float]:
    return [sum(worker.cpu_times()[:2]) for worker in service.workers_processes()]


def test_both_workers_answer_and_agree_on_a_log_out(two_workers: Service) -> None:
    assert len(two_workers.workers_processes()) == 2
    with one_shot(two_workers) as http:
        _, admin = member(http, "boss")
        username, _ = member(http, "roamer")
        photo = upload(http, admin, description="seen by both workers", tags="shared")
        tokens = log_in(http, username)
        headers = bearer(tokens["access_token"])
        before = cpu_seconds(two_workers)
        for _ in range(ROUNDS):
            assert http.get(f"/api/photos/{photo['id']}", headers=headers).status_code == 200
        after = cpu_seconds(two_workers)
        assert all(b > a for a, b in zip(before, after, strict=True)), "one worker answered everything"

        assert http.post("/api/auth/logout", headers=headers).status_code == 204
        refused = [http.get("/api/users/me", headers=headers).status_code for _ in range(ROUNDS)]
        assert refused == [401] * ROUNDS


def test_a_ban_through_one_worker_locks_out_on_every_worker(two_workers: Service) -> None:
    with one_shot(two_workers) as http:
        admin = log_in(http, "boss")["access_token"]
        username, token = member(http, "troublemaker")
        assert http.get("/api/users/me", headers=bearer(token)).status_code == 200
        assert http.post(f"/api/users/{username}/ban", headers=bearer(admin)).status_code == 200
        answers = [http.get("/api/users/me", headers=bearer(token)).status_code for _ in range(ROUNDS)]
        assert answers == [403] * ROUNDS
        login = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        assert login.status_code == 403


def test_two_workers_stop_on_ctrl_c(two_workers: Service) -> None:
    assert two_workers.stop() < 10
