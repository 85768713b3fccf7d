"""The steps a newcomer takes, shared by the one- and two-worker journeys."""

from __future__ import annotations

import io
import itertools
import time
from typing import Any

import httpx
from PIL import Image

PASSWORD = "first-hour-pass"
_ids = itertools.count()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def jpeg(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = (30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def sign_up(http: httpx.Client, name: str | None = None) -> dict[str, Any]:
    name = name or f"person{next(_ids)}"
    response = http.post(
        "/api/auth/signup", json={"username": name, "email": f"{name}@example.org", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def log_in(http: httpx.Client, username: str) -> dict[str, Any]:
    response = http.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def member(http: httpx.Client, name: str | None = None) -> tuple[str, str]:
    """A new account, logged in: (username, access token)."""
    username = sign_up(http, name)["username"]
    return username, log_in(http, username)["access_token"]


def upload(http: httpx.Client, token: str, *, description: str = "", tags: str = "") -> dict[str, Any]:
    response = http.post(
        "/api/photos",
        files={"file": ("photo.jpg", jpeg(), "image/jpeg")},
        data={"description": description, "tags": tags},
        headers=bearer(token),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def path_of(url: str) -> str:
    """The path of an absolute URL the service made (its links name the public base URL)."""
    return "/" + url.split("/", 3)[3]


READY_SECONDS = 60


def wait_until_ready(http: httpx.Client, photo_id: str) -> dict[str, Any]:
    """The photo once its variants job has run: its answer (and ETag) stops changing."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        body: dict[str, Any] = http.get(f"/api/photos/{photo_id}").json()
        if body["status"] == "ready":
            return body
        time.sleep(0.1)
    raise AssertionError(f"photo {photo_id} was not ready in {READY_SECONDS} s")
