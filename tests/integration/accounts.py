"""Small HTTP helpers shared by the account tests: sign up, log in, bearer headers."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "password123"
PROBLEM_JSON = "application/problem+json"
# The exact fields of `Me` and `Profile` in API.md (a profile never shows the email).
ME_FIELDS = {
    "id",
    "username",
    "email",
    "full_name",
    "bio",
    "role",
    "is_active",
    "created_at",
    "photo_count",
    "email_verified",
    "avatar_url",
}
PROFILE_FIELDS = {
    "username",
    "full_name",
    "bio",
    "role",
    "is_active",
    "created_at",
    "photo_count",
    "comment_count",
    "avatar_url",
}

# The app's test client or a plain httpx client on an ASGI transport: these helpers need neither more.
Client = httpx.AsyncClient


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def signup(client: Client, username: str, email: str | None = None) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/signup",
        json={"username": username, "email": email or f"{username}@example.org", "password": PASSWORD},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def login(client: Client, username: str, password: str = PASSWORD) -> dict[str, Any]:
    response = await client.post("/api/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def member(client: Client, username: str) -> dict[str, Any]:
    """Sign up and log in; the tokens of the new account."""
    await signup(client, username)
    return await login(client, username)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with the given status; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body
