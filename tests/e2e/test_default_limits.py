"""The default rate limits never stop one busy person: within a minute they sign up, upload
10 photos, create 5 transformed links, write 20 comments and rate 20 photos, without a 429.

The photos they rate belong to others, who connect from another loopback address so that
their set-up is not counted against the person's address.
"""

from __future__ import annotations

import time

import httpx

from tests.e2e.journey import bearer, jpeg, member, upload
from tests.e2e.server import Service

MINUTE = 60


def test_one_busy_minute_never_meets_a_rate_limit(service: Service) -> None:
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=service.base_url, transport=elsewhere, timeout=30) as others:
        owners = [member(others, f"owner{i}")[1] for i in range(2)]
        theirs = [upload(others, owners[i % 2], description=f"their photo {i}")["id"] for i in range(20)]

    started = time.monotonic()
    statuses: list[int] = []
    with service.client() as http:
        _, token = member(http, "busybee")
        mine = []
        for i in range(10):
            response = http.post(
                "/api/photos",
                files={"file": (f"{i}.jpg", jpeg((320, 240), (i * 20, 80, 160)), "image/jpeg")},
                data={"description": f"my photo {i}"},
                headers=bearer(token),
            )
            statuses.append(response.status_code)
            mine.append(response.json()["id"])
        for i in range(5):
            statuses.append(
                http.post(
                    f"/api/photos/{mine[i]}/transformations", json={"width": 100 + i}, headers=bearer(token)
                ).status_code
            )
        for i in range(20):
            statuses.append(
                http.post(
                    f"/api/photos/{theirs[i]}/comments", json={"text": f"nice {i}"}, headers=bearer(token)
                ).status_code
            )
        for i in range(20):
            statuses.append(
                http.post(
                    f"/api/photos/{theirs[i]}/ratings", json={"value": 1 + i % 5}, headers=bearer(token)
                ).status_code
            )
    assert time.monotonic() - started < MINUTE, "the burst must fit in one rate window to prove anything"
    assert 429 not in statuses
    assert set(statuses) == {201}
