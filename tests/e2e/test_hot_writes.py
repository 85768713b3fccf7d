"""Comments and ratings written at the same time keep every counter exact on the real server.

Each comment and each rating is one statement with its counters (a CTE): the photo's
comment count, each author's comment count and the photo's rating summary must come out
exactly as many as were written, however the writes interleave.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.journey import bearer, member, upload
from tests.e2e.server import Service

AUTHORS = 4
COMMENTS_EACH = 5


def test_concurrent_comments_and_ratings_keep_every_counter(service: Service, http: httpx.Client) -> None:
    _, owner = member(http)
    photo = upload(http, owner, description="much discussed")
    people = [member(http) for _ in range(AUTHORS)]

    def write(person: tuple[str, str], value: int) -> list[int]:
        _, token = person
        with service.client() as own:  # a connection per writer: the requests really overlap
            codes = [
                own.post(
                    f"/api/photos/{photo['id']}/comments", json={"text": f"note {n}"}, headers=bearer(token)
                ).status_code
                for n in range(COMMENTS_EACH)
            ]
            rated = own.post(
                f"/api/photos/{photo['id']}/ratings", json={"value": value}, headers=bearer(token)
            )
            return [*codes, rated.status_code]

    values = [(n % 5) + 1 for n in range(AUTHORS)]
    with ThreadPoolExecutor(AUTHORS) as pool:
        answers = list(pool.map(write, people, values))
    assert answers == [[201] * (COMMENTS_EACH + 1)] * AUTHORS

    seen = http.get(f"/api/photos/{photo['id']}").json()
    assert seen["comment_count"] == AUTHORS * COMMENTS_EACH
    assert seen["rating"] == {"average": round(sum(values) / AUTHORS, 2), "count": AUTHORS}
    page = http.get(f"/api/photos/{photo['id']}/comments", params={"limit": 100}).json()
    assert page["total"] == len(page["items"]) == AUTHORS * COMMENTS_EACH
    for username, _ in people:
        assert http.get(f"/api/users/{username}").json()["comment_count"] == COMMENTS_EACH
    # A second rating by the same person is still refused (the primary key, inside the CTE).
    again = http.post(f"/api/photos/{photo['id']}/ratings", json={"value": 1}, headers=bearer(people[0][1]))
    assert again.status_code == 409
