"""Helpers for the comment and rating tests: a cast of accounts with roles, and a photo to discuss."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.integration.accounts import Client, bearer, member

CAST = ("admin", "alice", "bob", "carol", "mod")


async def cast(client: Client) -> dict[str, str]:
    """Access tokens of `admin` (the first account), users `alice`, `bob`, `carol`, and `mod`,
    promoted to moderator by the admin."""
    tokens = {name: (await member(client, name))["access_token"] for name in CAST}
    await promote(client, tokens["admin"], "mod")
    return tokens


async def promote(client: Client, admin_token: str, username: str, role: str = "moderator") -> None:
    response = await client.put(
        f"/api/users/{username}/role", json={"role": role}, headers=bearer(admin_token)
    )
    assert response.status_code == 200, response.text


def small_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


async def photo_by(client: Client, token: str) -> str:
    """Upload a small JPEG as the token's owner; the new photo's id."""
    response = await client.post(
        "/api/photos", files={"file": ("a.jpg", small_jpeg(), "image/jpeg")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    photo_id: str = response.json()["id"]
    return photo_id


async def photo(client: Client, photo_id: str) -> dict[str, Any]:
    response = await client.get(f"/api/photos/{photo_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def profile(client: Client, username: str) -> dict[str, Any]:
    response = await client.get(f"/api/users/{username}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
