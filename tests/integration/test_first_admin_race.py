"""Racing sign-ups on an empty service: exactly one of them becomes the admin.

Litestar's AsyncTestClient hands each request to a blocking portal, so `asyncio.gather`
over it would run the sign-ups one after another. Threads calling the sync TestClient
share that portal's event loop, so their requests really are in flight together.
"""

from __future__ import annotations

import dataclasses
import threading
from concurrent.futures import ThreadPoolExecutor

from litestar.testing import TestClient

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD

RACERS = 8


def test_concurrent_first_signups_make_exactly_one_admin(settings: Settings) -> None:
    # Enough hashing threads that every sign-up reaches the database at about the same time.
    app = create_app(dataclasses.replace(settings, hash_concurrency=RACERS))
    start = threading.Barrier(RACERS)
    with TestClient(app, base_url="http://testserver.local") as client, ThreadPoolExecutor(RACERS) as pool:
        # Warm up: the engine exists and the pool holds a connection for every racer.
        assert set(pool.map(lambda _: client.get("/health").status_code, range(RACERS))) == {200}

        def sign_up(n: int) -> tuple[int, str]:
            start.wait()
            response = client.post(
                "/api/auth/signup",
                json={"username": f"racer{n}", "email": f"racer{n}@example.org", "password": PASSWORD},
            )
            return response.status_code, response.json()["role"]

        results = list(pool.map(sign_up, range(RACERS)))
        stored = [client.get(f"/api/users/racer{n}").json()["role"] for n in range(RACERS)]

    assert [status for status, _ in results] == [201] * RACERS
    assert sorted(role for _, role in results) == ["admin"] + ["user"] * (RACERS - 1)
    assert sorted(stored) == ["admin"] + ["user"] * (RACERS - 1)
