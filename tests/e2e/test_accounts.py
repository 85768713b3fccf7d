"""Accounts over real HTTP against `photoshare serve` on the defaults: mail lands in the
outbox under the data dir, and its links work once."""

from __future__ import annotations

import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.e2e.journey import PASSWORD, bearer, jpeg, log_in, sign_up
from tests.e2e.server import Service

NEW_PASSWORD = "recovered-pass-1"


def _messages(outbox: Path) -> list[EmailMessage]:
    found = []
    for path in sorted(outbox.glob("*.eml")) if outbox.is_dir() else []:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


def _link(outbox: Path, to: str, kind: str) -> str:
    """The newest `kind` link (verify-email, reset-password) mailed to `to`, waiting for it."""
    deadline = time.monotonic() + 15
    while True:
        for message in reversed(_messages(outbox)):
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            text = str(body.get_content())
            if message["To"] == to and f"/{kind}?token=" in text:
                return next(word for word in text.split() if f"/{kind}?token=" in word)
        assert time.monotonic() < deadline, f"no {kind} message to {to}"
        time.sleep(0.05)


def _token(link: str) -> str:
    return urlsplit(link).query.removeprefix("token=")


def test_verify_reset_and_manage_access_through_the_outbox(service: Service, http: httpx.Client) -> None:
    outbox = service.data_dir / "outbox"
    me = sign_up(http, "recoverer")
    assert me["email_verified"] is False
    verify = _link(outbox, "recoverer@example.org", "verify-email")
    assert verify.startswith(f"{service.base_url}/verify-email?token=")
    assert http.post("/api/auth/verify-email", json={"token": _token(verify)}).status_code == 204
    assert http.post("/api/auth/verify-email", json={"token": _token(verify)}).status_code == 400

    old = log_in(http, "recoverer")
    assert http.get("/api/users/me", headers=bearer(old["access_token"])).json()["email_verified"] is True

    # Forgot the password: the reset link comes by mail, works once, and ends every session.
    assert http.post("/api/auth/password-reset", json={"email": "recoverer@example.org"}).status_code == 202
    assert http.post("/api/auth/password-reset", json={"email": "ghost@example.org"}).status_code == 202
    reset = _link(outbox, "recoverer@example.org", "reset-password")
    body = {"token": _token(reset), "password": NEW_PASSWORD}
    assert http.post("/api/auth/password-reset/confirm", json=body).status_code == 204
    assert http.post("/api/auth/password-reset/confirm", json=body).status_code == 400
    assert http.get("/api/users/me", headers=bearer(old["access_token"])).status_code == 401
    assert not any(m["To"] == "ghost@example.org" for m in _messages(outbox))
    refused = http.post("/api/auth/login", json={"username": "recoverer", "password": PASSWORD})
    assert refused.status_code == 401

    # Two sessions; one ends the other.
    here = http.post(
        "/api/auth/login",
        json={"username": "recoverer", "password": NEW_PASSWORD},
        headers={"User-Agent": "e2e-laptop"},
    ).json()
    there = http.post(
        "/api/auth/login",
        json={"username": "recoverer", "password": NEW_PASSWORD},
        headers={"User-Agent": "e2e-phone"},
    ).json()
    sessions = http.get("/api/users/me/sessions", headers=bearer(here["access_token"])).json()
    assert {s["user_agent"]: s["current"] for s in sessions} == {"e2e-laptop": True, "e2e-phone": False}
    (phone,) = [s["id"] for s in sessions if not s["current"]]
    assert (
        http.delete(f"/api/users/me/sessions/{phone}", headers=bearer(here["access_token"])).status_code
        == 204
    )
    assert http.get("/api/users/me", headers=bearer(there["access_token"])).status_code == 401

    # A read-only token for a script.
    created = http.post(
        "/api/users/me/tokens",
        json={"name": "backup", "scopes": ["read"], "expires_in": 3600},
        headers=bearer(here["access_token"]),
    )
    assert created.status_code == 201, created.text
    script = bearer(created.json()["token"])
    assert http.get("/api/users/me", headers=script).status_code == 200
    upload = http.post("/api/photos", files={"file": ("a.jpg", jpeg(), "image/jpeg")}, headers=script)
    assert upload.status_code == 403
    assert http.get("/api/users/me/tokens", headers=script).status_code == 403
    # Deleted (in the request's transaction), it is refused at once (looked up on the read pool).
    owner = bearer(here["access_token"])
    assert http.delete(f"/api/users/me/tokens/{created.json()['id']}", headers=owner).status_code == 204
    assert http.get("/api/users/me", headers=script).status_code == 401

    # An avatar, square, in small sizes.
    avatar = http.put(
        "/api/users/me/avatar",
        files={"file": ("me.jpg", jpeg((300, 200)), "image/jpeg")},
        headers=bearer(here["access_token"]),
    )
    assert avatar.status_code == 200, avatar.text
    assert http.get(avatar.json()["avatar_url"]).status_code == 200
    small = http.get("/api/users/recoverer/avatar?size=64", follow_redirects=True)
    assert small.status_code == 200
    assert small.headers["content-type"] == "image/jpeg"
