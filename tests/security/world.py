"""A small world with one resource of every kind, for the authorisation tests.

- `admin` (the first account), users `alice`, `bob`, `carol`, and the moderator `mod`;
- alice's photo with one transformed link, commented on by carol and rated 4 by bob;
- bob's photo with a link of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.integration.accounts import Client, bearer
from tests.integration.engagement import cast, photo, photo_by
from tests.integration.photo_helpers import linked


@dataclass(frozen=True)
class World:
    tokens: dict[str, str]
    photo: str
    link: str
    slug: str
    comment: str
    bobs_photo: str
    bobs_link: str

    def headers(self, who: str | None) -> dict[str, str]:
        """Bearer headers of `who`, or none for `None` (anonymous)."""
        return {} if who is None else bearer(self.tokens[who])

    def path(self, template: str) -> str:
        return template.format(
            photo=self.photo,
            link=self.link,
            slug=self.slug,
            comment=self.comment,
            bobs_photo=self.bobs_photo,
            bobs_link=self.bobs_link,
        )


async def build_world(client: Client) -> World:
    tokens = await cast(client)
    alices = await photo_by(client, tokens["alice"])
    link = await linked(client, tokens["alice"], alices, width=40)
    comment = await client.post(
        f"/api/photos/{alices}/comments", json={"text": "lovely light"}, headers=bearer(tokens["carol"])
    )
    assert comment.status_code == 201, comment.text
    rating = await client.post(
        f"/api/photos/{alices}/ratings", json={"value": 4}, headers=bearer(tokens["bob"])
    )
    assert rating.status_code == 201, rating.text
    bobs = await photo_by(client, tokens["bob"])
    bobs_link = await linked(client, tokens["bob"], bobs, height=30)
    return World(
        tokens=tokens,
        photo=alices,
        link=link["id"],
        slug=link["slug"],
        comment=comment.json()["id"],
        bobs_photo=bobs,
        bobs_link=bobs_link["id"],
    )


async def snapshot(client: Client, world: World) -> dict[str, Any]:
    """Everything an unauthorised write could have changed, read back by people allowed to."""
    links = await client.get(f"/api/photos/{world.photo}/transformations", headers=world.headers("alice"))
    bobs_links = await client.get(
        f"/api/photos/{world.bobs_photo}/transformations", headers=world.headers("bob")
    )
    comment = await client.get(f"/api/comments/{world.comment}")
    ratings = await client.get(f"/api/photos/{world.photo}/ratings", headers=world.headers("mod"))
    profiles = {}
    for name in world.tokens:
        response = await client.get(f"/api/users/{name}")
        assert response.status_code == 200, response.text
        body = response.json()
        profiles[name] = (body["role"], body["is_active"])
    assert links.status_code == bobs_links.status_code == comment.status_code == ratings.status_code == 200
    current = await photo(client, world.photo)
    return {
        "photo": {k: current[k] for k in ("description", "tags", "rating", "comment_count", "updated_at")},
        "bobs_photo": (await photo(client, world.bobs_photo))["updated_at"],
        "links": sorted(item["id"] for item in links.json()),
        "bobs_links": sorted(item["id"] for item in bobs_links.json()),
        "comment": (comment.json()["text"], comment.json()["updated_at"]),
        "ratings": [(r["user"]["username"], r["value"]) for r in ratings.json()],
        "profiles": profiles,
    }
