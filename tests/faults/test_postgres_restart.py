"""PostgreSQL restarted while requests run: 503 during the gap, none after, no lost committed writes.

A stream of overlapping reads (GET a photo) and writes (comments, sign-ups) runs through
httpx's ASGI transport while the test's own embedded PostgreSQL is stopped (`pg_ctl stop`,
fast mode: sessions are cut mid-transaction) and started again.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import httpx
import psycopg
import pytest

from photoshare.entrypoints.http.app import create_app
from tests.faults.restartable import RestartablePostgres, asgi_client, restartable_postgres, settings_on
from tests.integration.accounts import PASSWORD, PROBLEM_JSON, bearer
from tests.integration.engagement import small_jpeg

WORKERS = 8
KINDS = ("read", "comment", "signup")


@dataclass(frozen=True)
class Outcome:
    kind: str
    started: float
    ended: float
    status: int
    content_type: str
    created: str | None  # the new comment's id or user's name, when the write answered 2xx


@pytest.fixture
def postgres() -> Iterator[RestartablePostgres]:
    with restartable_postgres() as server:
        yield server


class Traffic:
    """Reads and writes against one photo, each request timed and recorded."""

    def __init__(self, client: httpx.AsyncClient, token: str, photo_id: str) -> None:
        self.client, self.token, self.photo_id = client, token, photo_id
        self.outcomes: list[Outcome] = []
        self._names = itertools.count()

    async def request(self, kind: str) -> Outcome:
        started = time.monotonic()
        created: str | None = None
        if kind == "read":
            response = await self.client.get(f"/api/photos/{self.photo_id}")
        elif kind == "comment":
            response = await self.client.post(
                f"/api/photos/{self.photo_id}/comments",
                json={"text": "still here?"},
                headers=bearer(self.token),
            )
            created = response.json()["id"] if response.status_code == 201 else None
        else:
            name = f"user{next(self._names)}"
            response = await self.client.post(
                "/api/auth/signup",
                json={"username": name, "email": f"{name}@example.org", "password": PASSWORD},
            )
            created = name if response.status_code == 201 else None
        outcome = Outcome(
            kind,
            started,
            time.monotonic(),
            response.status_code,
            response.headers.get("content-type", ""),
            created,
        )
        self.outcomes.append(outcome)
        return outcome

    async def stream(self, worker: int, until: anyio.Event) -> None:
        for i in itertools.count(worker):
            if until.is_set():
                return
            await self.request(KINDS[i % len(KINDS)])
            await anyio.sleep(0.01)


async def photo_traffic(client: httpx.AsyncClient) -> Traffic:
    """alice, logged in, with a photo to read and comment on."""
    await client.post(
        "/api/auth/signup", json={"username": "alice", "email": "a@ex.org", "password": PASSWORD}
    )
    login = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    token = login.json()["access_token"]
    upload = await client.post(
        "/api/photos", files={"file": ("a.jpg", small_jpeg(), "image/jpeg")}, headers=bearer(token)
    )
    assert upload.status_code == 201, upload.text
    return Traffic(client, token, upload.json()["id"])


async def warm(traffic: Traffic) -> None:
    """Overlapping requests of every kind, so both pools hold several connections."""
    async with anyio.create_task_group() as group:
        for i in range(12):
            group.start_soon(traffic.request, KINDS[i % len(KINDS)])
    assert all(o.status in (200, 201) for o in traffic.outcomes)


def assert_recovered(outcomes: list[Outcome], *, max_failures: int) -> None:
    """Requests after the database came back: every read succeeds (they are retried), and of
    each kind of write (a comment runs on the psycopg pool, a sign-up in an ORM session) only
    the first may fail, never one after a write of its kind has succeeded."""
    assert [o.status for o in outcomes if o.kind == "read"] == [200] * sum(o.kind == "read" for o in outcomes)
    failed = 0
    for kind in KINDS[1:]:
        writes = [o.status for o in outcomes if o.kind == kind]
        failed += writes.count(503)
        expected = [503] * writes.count(503) + [201] * (len(writes) - writes.count(503))
        assert writes == expected, [(o.kind, o.status) for o in outcomes]
    assert failed <= max_failures, [(o.kind, o.status) for o in outcomes]


def rows(dsn: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, params).fetchall()


async def test_requests_during_a_restart_get_503_then_all_succeed_and_no_write_is_lost(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    app = create_app(settings_on(postgres.url(), tmp_path / "data"))
    async with app.lifespan(), asgi_client(app) as client:
        traffic = await photo_traffic(client)

        with anyio.fail_after(30):
            until = anyio.Event()
            async with anyio.create_task_group() as group:
                for worker in range(WORKERS):
                    group.start_soon(traffic.stream, worker, until)
                await anyio.sleep(0.5)  # warm: every pool holds connections to the old server
                down_at = time.monotonic()
                await anyio.to_thread.run_sync(postgres.stop)
                await anyio.sleep(0.5)  # fully down for a while
                await anyio.to_thread.run_sync(postgres.start)
                up_at = time.monotonic()  # pg_ctl start -w: accepting connections from here on
                await anyio.sleep(1.5)
                until.set()

            # A batch after recovery: every request of every kind succeeds.
            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    for i in range(30):
                        group.start_soon(traffic.request, KINDS[i % len(KINDS)])
    after_gap = [o for o in traffic.outcomes if o.started >= up_at]
    before_gap = [o for o in traffic.outcomes if o.ended < down_at]

    statuses = {o.status for o in traffic.outcomes}
    assert statuses <= {200, 201, 503}, sorted(statuses)  # never a 500, never another 5xx
    unavailable = [o for o in traffic.outcomes if o.status == 503]
    assert unavailable, "the restart was never noticed: the test did not test anything"
    assert all(o.content_type.startswith(PROBLEM_JSON) for o in unavailable)
    late = [(o.kind, round(o.started - up_at, 3)) for o in unavailable if o.started >= up_at]
    assert late == [], "503 for requests sent after the database was back"
    assert before_gap
    assert after_gap
    assert {o.kind for o in after_gap} == set(KINDS)
    assert all(o.status in (200, 201) for o in after_gap)

    # Every write that was answered 201 is there; counters agree with the rows they count.
    comment_ids = {str(r[0]) for r in rows(postgres.dsn(), "SELECT id FROM comments")}
    usernames = {r[0] for r in rows(postgres.dsn(), "SELECT username FROM users")}
    answered = [o for o in traffic.outcomes if o.created is not None]
    assert {o.created for o in answered if o.kind == "comment"} <= comment_ids
    assert {o.created for o in answered if o.kind == "signup"} <= usernames
    (photo_count, author_count) = rows(
        postgres.dsn(),
        "SELECT p.comment_count, u.comment_count FROM photos p JOIN users u ON u.id = p.owner_id",
    )[0]
    assert photo_count == author_count == len(comment_ids)


async def test_a_restart_no_request_saw_costs_at_most_the_first_request_on_each_pool(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    app = create_app(settings_on(postgres.url(), tmp_path / "data"))
    async with app.lifespan(), asgi_client(app) as client:
        traffic = await photo_traffic(client)
        await warm(traffic)

        await anyio.to_thread.run_sync(postgres.stop)
        await anyio.to_thread.run_sync(postgres.start)

        reads = [await traffic.request("read") for _ in range(3)]
        writes = [await traffic.request(kind) for kind in ("comment", "signup") * 3]

    # Reads are idempotent: one that met a stale connection is retried on a fresh one.
    assert [o.status for o in reads] == [200, 200, 200]
    # A write is not retried; the first to meet a stale connection of a pool may fail, and then
    # the pool drops all of its stale connections, not one per failed request.
    assert_recovered(writes, max_failures=2)  # one per pool: the SQLAlchemy engine's and psycopg's


async def test_after_a_long_outage_requests_succeed_as_soon_as_the_database_is_back(
    postgres: RestartablePostgres, tmp_path: Path
) -> None:
    app = create_app(settings_on(postgres.url(), tmp_path / "data"))
    async with app.lifespan(), asgi_client(app) as client:
        traffic = await photo_traffic(client)
        await warm(traffic)

        await anyio.to_thread.run_sync(postgres.stop)
        # Two rounds of requests while it is down (the pool keeps trying to reconnect meanwhile).
        for _ in range(2):
            async with anyio.create_task_group() as group:
                for kind in KINDS:
                    group.start_soon(traffic.request, kind)
        await anyio.to_thread.run_sync(postgres.start)
        back = [await traffic.request(kind) for kind in KINDS * 2]

    during = traffic.outcomes[-len(KINDS) * 2 - len(back) : -len(back)]
    assert [o.status for o in during] == [503] * len(during)
    # The pool's wait bounds an answer during the outage (5 s), and a read is not made to wait twice.
    assert max(o.ended - o.started for o in during) < 6.5
    # Nobody waits for a reconnection attempt that the pool scheduled, with a long backoff,
    # during the outage: the first read is served at once.
    assert (back[0].kind, back[0].status) == ("read", 200)
    assert back[0].ended - back[0].started < 2
    # The engine's connections were never touched during the outage (authentication and rate
    # limits failed first, on the other pool): the first write to use one may fail, no other.
    assert_recovered(back, max_failures=1)
