"""Stopping the service the ways people do, and starting it again on the same data."""

from __future__ import annotations

import signal
import time

import pytest

from tests.e2e.journey import bearer, member, upload
from tests.e2e.server import STOP_SECONDS, Service, postgres_on


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_leaves_no_postgres_and_a_restart_keeps_the_data(
    fresh_service: Service, how: signal.Signals
) -> None:
    service = fresh_service.start()
    with service.client() as http:
        username, token = member(http, "keeper")
        photo = upload(http, token, description="kept across restarts", tags="kept")
        http.post(f"/api/photos/{photo['id']}/comments", json={"text": "still here"}, headers=bearer(token))
    assert postgres_on(service.pgdata), "the embedded PostgreSQL should be running while serving"

    assert service.stop(how) < STOP_SECONDS
    assert postgres_on(service.pgdata) == []

    service.start()
    with service.client() as http:
        again = http.post("/api/auth/login", json={"username": username, "password": "first-hour-pass"})
        assert again.status_code == 200
        kept = http.get(f"/api/photos/{photo['id']}")
        assert kept.status_code == 200
        assert kept.json()["description"] == "kept across restarts"
        assert kept.json()["comment_count"] == 1
        assert http.get("/api/users/keeper").json()["role"] == "admin"
    assert service.stop(how) < STOP_SECONDS


def test_a_killed_server_takes_its_postgres_with_it(fresh_service: Service) -> None:
    """SIGKILL (the OOM killer) gives no chance to clean up: PostgreSQL must notice and go."""
    service = fresh_service.start()
    assert postgres_on(service.pgdata)
    workers = service.workers_processes()
    assert workers
    workers += service.job_worker_processes()  # it must go too
    assert service.process is not None
    service.process.send_signal(signal.SIGKILL)
    service.process.wait(timeout=STOP_SECONDS)
    deadline = time.monotonic() + STOP_SECONDS
    while (
        postgres_on(service.pgdata) or any(w.is_running() for w in workers)
    ) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert postgres_on(service.pgdata) == []
    assert not [w for w in workers if w.is_running()], "orphaned workers would keep serving on the port"
    # ...and the next start finds a data dir it can use.
    service.start()
    assert service.stop() < STOP_SECONDS
