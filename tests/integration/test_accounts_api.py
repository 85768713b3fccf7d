"""API.md "Accounts" over HTTP on the real app: every route and status, mail read from the
outbox (the default transport) and from a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import (
    PASSWORD,
    Client,
    assert_problem,
    bearer,
    login,
    member,
    signup,
)
from tests.integration.mail import Inbox, link_in, smtp_inbox, wait_for_outbox
from tests.integration.photo_helpers import encoded, jpeg_with_gps, opened, path_of, png_claiming

NEW_PASSWORD = "a-new-password"


def outbox(settings: Settings) -> Path:
    return settings.outbox_dir


async def mail_token(settings: Settings, count: int, to: str | None = None) -> str:
    """The token of the `count`-th message in the outbox (waiting for it)."""
    message = (await wait_for_outbox(outbox(settings), count))[count - 1]
    if to is not None:
        assert message["To"] == to
    return link_in(message)[1]


async def me(client: Client, token: str) -> dict[str, Any]:
    response = await client.get("/api/users/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- email verification ---------------------------------------------------------------------


async def test_sign_up_mails_a_link_that_verifies_the_address_once(
    client: Client, settings: Settings
) -> None:
    tokens = await member(client, "alice")
    assert (await me(client, tokens["access_token"]))["email_verified"] is False
    (message,) = await wait_for_outbox(outbox(settings), 1)
    link, token = link_in(message)
    assert link.startswith("http://testserver.local/verify-email?token=")
    response = await client.post("/api/auth/verify-email", json={"token": token})
    assert response.status_code == 204, response.text
    assert (await me(client, tokens["access_token"]))["email_verified"] is True
    again = await client.post("/api/auth/verify-email", json={"token": token})
    assert "invalid" in assert_problem(again, 400)["detail"]


async def test_verify_email_refuses_an_unknown_token_and_a_bad_body(client: Client) -> None:
    assert_problem(await client.post("/api/auth/verify-email", json={"token": "nope"}), 400)
    assert_problem(await client.post("/api/auth/verify-email", json={}), 400)
    assert_problem(await client.post("/api/auth/verify-email", json={"token": "x", "extra": 1}), 400)


async def test_resend_is_202_sends_a_new_link_and_needs_a_token(client: Client, settings: Settings) -> None:
    tokens = await member(client, "alice")
    response = await client.post("/api/auth/verify-email/resend", headers=bearer(tokens["access_token"]))
    assert response.status_code == 202, response.text
    second = await mail_token(settings, 2, "alice@example.org")
    assert (await client.post("/api/auth/verify-email", json={"token": second})).status_code == 204
    assert_problem(await client.post("/api/auth/verify-email/resend"), 401)


async def test_an_email_change_unverifies_and_mails_the_new_address(
    client: Client, settings: Settings
) -> None:
    tokens = await member(client, "alice")
    first = await mail_token(settings, 1)
    assert (await client.post("/api/auth/verify-email", json={"token": first})).status_code == 204
    response = await client.patch(
        "/api/users/me", json={"email": "alice@new.example.org"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 200, response.text
    assert response.json()["email_verified"] is False
    token = await mail_token(settings, 2, "alice@new.example.org")
    assert (await client.post("/api/auth/verify-email", json={"token": token})).status_code == 204
    assert (await me(client, tokens["access_token"]))["email_verified"] is True


async def test_a_profile_edit_without_a_new_email_sends_nothing(client: Client, settings: Settings) -> None:
    tokens = await member(client, "alice")
    await wait_for_outbox(outbox(settings), 1)
    response = await client.patch("/api/users/me", json={"bio": "hi"}, headers=bearer(tokens["access_token"]))
    assert response.status_code == 200
    assert len(list(outbox(settings).glob("*.eml"))) == 1


@pytest.fixture
async def strict_client(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(replace(settings, require_verified_email=True))
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


async def test_required_verification_refuses_writes_until_the_link_is_followed(
    strict_client: Client, settings: Settings
) -> None:
    tokens = await member(strict_client, "alice")
    auth = bearer(tokens["access_token"])
    refused = await strict_client.post(
        "/api/photos", files={"file": ("a.jpg", encoded(), "image/jpeg")}, headers=auth
    )
    assert "verify your email" in assert_problem(refused, 403)["detail"]
    assert (await strict_client.get("/api/users/me", headers=auth)).status_code == 200  # reads are fine
    assert (await strict_client.post("/api/auth/verify-email/resend", headers=auth)).status_code == 202
    token = await mail_token(settings, 2)
    assert (await strict_client.post("/api/auth/verify-email", json={"token": token})).status_code == 204
    allowed = await strict_client.post(
        "/api/photos", files={"file": ("a.jpg", encoded(), "image/jpeg")}, headers=auth
    )
    assert allowed.status_code == 201, allowed.text


# --- password reset and change --------------------------------------------------------------


async def test_password_reset_by_mail_sets_the_password_and_ends_every_session(
    client: Client, settings: Settings
) -> None:
    tokens = await member(client, "alice")
    await wait_for_outbox(outbox(settings), 1)
    response = await client.post("/api/auth/password-reset", json={"email": "Alice@Example.org"})
    assert response.status_code == 202, response.text
    message = (await wait_for_outbox(outbox(settings), 2))[1]
    link, token = link_in(message)
    assert link.startswith("http://testserver.local/reset-password?token=")
    confirm = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert confirm.status_code == 204, confirm.text
    assert_problem(await client.get("/api/users/me", headers=bearer(tokens["access_token"])), 401)
    assert_problem(
        await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401
    )
    assert_problem(
        await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD}), 401
    )
    await login(client, "alice", NEW_PASSWORD)
    reused = await client.post(
        "/api/auth/password-reset/confirm", json={"token": token, "password": "third-pass"}
    )
    assert_problem(reused, 400)


async def test_password_reset_for_an_unknown_address_is_the_same_202_and_sends_nothing(
    client: Client, settings: Settings
) -> None:
    bob = await member(client, "bob")
    response = await client.post("/api/auth/password-reset", json={"email": "nobody@example.org"})
    assert response.status_code == 202
    assert response.content == b""
    # A later message to bob arrives; nothing ever went to the unknown address.
    await client.post("/api/auth/verify-email/resend", headers=bearer(bob["access_token"]))
    messages = await wait_for_outbox(outbox(settings), 2)
    assert {m["To"] for m in messages} == {"bob@example.org"}


async def test_password_reset_refuses_bad_bodies(client: Client) -> None:
    assert_problem(await client.post("/api/auth/password-reset", json={"email": "not-an-address"}), 400)
    bad = {"token": "whatever", "password": "short"}
    assert (
        assert_problem(await client.post("/api/auth/password-reset/confirm", json=bad), 400)["field"]
        == "password"
    )
    unknown = {"token": "whatever", "password": NEW_PASSWORD}
    assert (
        assert_problem(await client.post("/api/auth/password-reset/confirm", json=unknown), 400)["field"]
        == "token"
    )


async def test_password_change_keeps_this_session_and_ends_the_others(client: Client) -> None:
    here = await member(client, "alice")
    there = await login(client, "alice")
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = await client.put("/api/users/me/password", json=body, headers=bearer(here["access_token"]))
    assert response.status_code == 204, response.text
    assert (await client.get("/api/users/me", headers=bearer(here["access_token"]))).status_code == 200
    assert_problem(await client.get("/api/users/me", headers=bearer(there["access_token"])), 401)
    assert_problem(
        await client.post("/api/auth/refresh", json={"refresh_token": there["refresh_token"]}), 401
    )
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": here["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    await login(client, "alice", NEW_PASSWORD)


async def test_password_change_needs_the_current_password_and_a_valid_new_one(client: Client) -> None:
    tokens = await member(client, "alice")
    auth = bearer(tokens["access_token"])
    wrong = {"current_password": "not-it-at-all", "new_password": NEW_PASSWORD}
    assert assert_problem(await client.put("/api/users/me/password", json=wrong, headers=auth), 400)[
        "field"
    ] == ("current_password")
    short = {"current_password": PASSWORD, "new_password": "short"}
    assert_problem(await client.put("/api/users/me/password", json=short, headers=auth), 400)
    assert_problem(await client.put("/api/users/me/password", json=wrong), 401)


# --- sessions -------------------------------------------------------------------------------


async def test_sessions_are_listed_with_the_current_one_marked(client: Client) -> None:
    await signup(client, "alice")
    laptop = await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"User-Agent": "Laptop/1.0"},
    )
    await client.post(
        "/api/auth/login",
        json={"username": "alice", "password": PASSWORD},
        headers={"User-Agent": "Phone/2.0"},
    )
    response = await client.get("/api/users/me/sessions", headers=bearer(laptop.json()["access_token"]))
    assert response.status_code == 200, response.text
    sessions = response.json()
    assert {s["user_agent"]: s["current"] for s in sessions} == {"Laptop/1.0": True, "Phone/2.0": False}
    for session in sessions:
        assert set(session) == {"id", "created_at", "last_used_at", "user_agent", "current"}
        uuid.UUID(session["id"])


async def test_a_refresh_moves_last_used_and_keeps_the_session(client: Client) -> None:
    tokens = await member(client, "alice")
    before = (await client.get("/api/users/me/sessions", headers=bearer(tokens["access_token"]))).json()
    refreshed = (
        await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).json()
    after = (await client.get("/api/users/me/sessions", headers=bearer(refreshed["access_token"]))).json()
    assert [s["id"] for s in after] == [s["id"] for s in before]
    assert after[0]["current"] is True
    assert after[0]["last_used_at"] >= before[0]["last_used_at"]


async def test_deleting_a_session_ends_its_tokens_at_once(client: Client) -> None:
    here = await member(client, "alice")
    there = await login(client, "alice")
    sessions = (await client.get("/api/users/me/sessions", headers=bearer(here["access_token"]))).json()
    (other,) = [s for s in sessions if not s["current"]]
    response = await client.delete(
        f"/api/users/me/sessions/{other['id']}", headers=bearer(here["access_token"])
    )
    assert response.status_code == 204, response.text
    assert_problem(await client.get("/api/users/me", headers=bearer(there["access_token"])), 401)
    assert_problem(
        await client.post("/api/auth/refresh", json={"refresh_token": there["refresh_token"]}), 401
    )
    left = (await client.get("/api/users/me/sessions", headers=bearer(here["access_token"]))).json()
    assert [s["current"] for s in left] == [True]
    again = await client.delete(f"/api/users/me/sessions/{other['id']}", headers=bearer(here["access_token"]))
    assert_problem(again, 404)


async def test_someone_elses_session_is_404(client: Client) -> None:
    alice, bob = await member(client, "alice"), await member(client, "bob")
    (bobs,) = (await client.get("/api/users/me/sessions", headers=bearer(bob["access_token"]))).json()
    response = await client.delete(
        f"/api/users/me/sessions/{bobs['id']}", headers=bearer(alice["access_token"])
    )
    assert_problem(response, 404)
    assert (await client.get("/api/users/me", headers=bearer(bob["access_token"]))).status_code == 200
    assert_problem(
        await client.delete(f"/api/users/me/sessions/{uuid.uuid4()}", headers=bearer(alice["access_token"])),
        404,
    )
    assert_problem(await client.get("/api/users/me/sessions"), 401)


# --- personal access tokens -----------------------------------------------------------------


async def _pat(client: Client, session_token: str, scopes: list[str], **extra: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/users/me/tokens",
        json={"name": "script", "scopes": scopes, **extra},
        headers=bearer(session_token),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_personal_token_is_shown_once_listed_without_it_and_revocable(client: Client) -> None:
    tokens = await member(client, "alice")
    created = await _pat(client, tokens["access_token"], ["write"], expires_in=3600)
    assert set(created) == {"id", "name", "token", "scopes", "expires_at", "created_at"}
    assert created["token"].startswith("psp_")
    assert created["scopes"] == ["read", "write"]
    assert created["expires_at"] is not None
    listed = (await client.get("/api/users/me/tokens", headers=bearer(tokens["access_token"]))).json()
    assert [set(t) for t in listed] == [{"id", "name", "scopes", "expires_at", "created_at"}]
    assert (await me(client, created["token"]))["username"] == "alice"
    upload = await client.post(
        "/api/photos", files={"file": ("a.jpg", encoded(), "image/jpeg")}, headers=bearer(created["token"])
    )
    assert upload.status_code == 201, upload.text
    gone = await client.delete(
        f"/api/users/me/tokens/{created['id']}", headers=bearer(tokens["access_token"])
    )
    assert gone.status_code == 204
    assert_problem(await client.get("/api/users/me", headers=bearer(created["token"])), 401)
    again = await client.delete(
        f"/api/users/me/tokens/{created['id']}", headers=bearer(tokens["access_token"])
    )
    assert_problem(again, 404)


async def test_a_read_token_reads_but_never_writes(client: Client) -> None:
    tokens = await member(client, "alice")
    read = (await _pat(client, tokens["access_token"], ["read"]))["token"]
    assert (await client.get("/api/users/me", headers=bearer(read))).status_code == 200
    refused = await client.patch("/api/users/me", json={"bio": "x"}, headers=bearer(read))
    assert "read scope" in assert_problem(refused, 403)["detail"]


async def test_a_personal_token_cannot_manage_tokens_sessions_password_or_email(client: Client) -> None:
    tokens = await member(client, "alice")
    pat = (await _pat(client, tokens["access_token"], ["write"]))["token"]
    auth = bearer(pat)
    for response in (
        await client.get("/api/users/me/tokens", headers=auth),
        await client.post("/api/users/me/tokens", json={"name": "n", "scopes": ["read"]}, headers=auth),
        await client.get("/api/users/me/sessions", headers=auth),
        await client.put(
            "/api/users/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=auth,
        ),
        await client.patch("/api/users/me", json={"email": "evil@example.org"}, headers=auth),
        await client.post("/api/auth/logout", headers=auth),
    ):
        assert "personal access token" in assert_problem(response, 403)["detail"]
    assert (await client.patch("/api/users/me", json={"bio": "ok"}, headers=auth)).status_code == 200


async def test_token_bodies_are_validated(client: Client) -> None:
    tokens = await member(client, "alice")
    auth = bearer(tokens["access_token"])
    for body in (
        {"name": "n", "scopes": []},
        {"name": "n", "scopes": ["admin"]},
        {"name": "", "scopes": ["read"]},
        {"name": "n", "scopes": ["read"], "expires_in": 1},
        {"scopes": ["read"]},
    ):
        assert_problem(await client.post("/api/users/me/tokens", json=body, headers=auth), 400)
    assert_problem(await client.get("/api/users/me/tokens"), 401)


# --- avatars --------------------------------------------------------------------------------


async def test_an_avatar_is_cropped_square_served_in_small_sizes_and_removable(client: Client) -> None:
    alice = await member(client, "alice")
    auth = bearer(alice["access_token"])
    assert (await me(client, alice["access_token"]))["avatar_url"] is None
    response = await client.put(
        "/api/users/me/avatar", files={"file": ("me.jpg", jpeg_with_gps(), "image/jpeg")}, headers=auth
    )
    assert response.status_code == 200, response.text
    url = response.json()["avatar_url"]
    assert url is not None
    image = opened((await client.get(path_of(url))).content)
    assert image.size == (256, 256)
    assert not image.getexif()  # metadata stripped
    profile = (await client.get("/api/users/alice")).json()
    assert profile["avatar_url"] == url
    for size in (64, 128, 256):
        redirect = await client.get(f"/api/users/alice/avatar?size={size}", follow_redirects=False)
        assert redirect.status_code == 302
        assert opened((await client.get(path_of(redirect.headers["location"]))).content).size == (size, size)
    assert_problem(await client.get("/api/users/alice/avatar?size=1000"), 400)
    removed = await client.delete("/api/users/me/avatar", headers=auth)
    assert removed.status_code == 200
    assert removed.json()["avatar_url"] is None
    assert (await client.get(path_of(url))).status_code == 404
    assert_problem(await client.get("/api/users/alice/avatar"), 404)


async def test_avatar_uploads_get_the_photo_checks(client: Client) -> None:
    alice = await member(client, "alice")
    auth = bearer(alice["access_token"])
    text = await client.put(
        "/api/users/me/avatar", files={"file": ("a.jpg", b"not an image", "image/jpeg")}, headers=auth
    )
    assert_problem(text, 415)
    bomb = await client.put(
        "/api/users/me/avatar",
        files={"file": ("b.png", png_claiming(50_000, 50_000), "image/png")},
        headers=auth,
    )
    assert_problem(bomb, 400)
    huge = encoded() + b"\0" * (10 * 1024 * 1024)
    assert_problem(
        await client.put("/api/users/me/avatar", files={"file": ("h.jpg", huge, "image/jpeg")}, headers=auth),
        413,
    )
    assert_problem(await client.put("/api/users/me/avatar", data={"x": "y"}, headers=auth), 400)
    assert_problem(
        await client.put("/api/users/me/avatar", files={"file": ("a.jpg", encoded(), "image/jpeg")}), 401
    )


async def test_a_replaced_avatar_removes_the_old_files(client: Client) -> None:
    alice = await member(client, "alice")
    auth = bearer(alice["access_token"])
    first = (
        await client.put(
            "/api/users/me/avatar",
            files={"file": ("a.png", encoded("PNG", (90, 40)), "image/png")},
            headers=auth,
        )
    ).json()
    second = (
        await client.put(
            "/api/users/me/avatar", files={"file": ("b.jpg", encoded(), "image/jpeg")}, headers=auth
        )
    ).json()
    assert first["avatar_url"] != second["avatar_url"]
    assert (await client.get(path_of(first["avatar_url"]))).status_code == 404
    assert (await client.get(path_of(second["avatar_url"]))).status_code == 200


# --- by SMTP --------------------------------------------------------------------------------


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    yield from smtp_inbox()


@pytest.fixture
async def smtp_client(settings: Settings, inbox: Inbox) -> AsyncIterator[Client]:
    app = create_app(replace(settings, smtp_url=inbox.url, mail_from="PhotoShare <noreply@testserver.local>"))
    async with AsyncTestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


async def test_by_smtp_the_verification_arrives_and_its_link_works_once(
    smtp_client: Client, inbox: Inbox
) -> None:
    tokens = await member(smtp_client, "alice")
    (message,) = await inbox.wait_for(1)
    assert message["To"] == "alice@example.org"
    assert message["From"] == "PhotoShare <noreply@testserver.local>"
    _, token = link_in(message)
    assert (await smtp_client.post("/api/auth/verify-email", json={"token": token})).status_code == 204
    assert_problem(await smtp_client.post("/api/auth/verify-email", json={"token": token}), 400)
    assert (await me(smtp_client, tokens["access_token"]))["email_verified"] is True


async def test_by_smtp_a_reset_arrives_and_its_link_works_once(smtp_client: Client, inbox: Inbox) -> None:
    await member(smtp_client, "alice")
    await smtp_client.post("/api/auth/password-reset", json={"email": "alice@example.org"})
    _, token = link_in((await inbox.wait_for(2))[1])
    body = {"token": token, "password": NEW_PASSWORD}
    assert (await smtp_client.post("/api/auth/password-reset/confirm", json=body)).status_code == 204
    assert_problem(await smtp_client.post("/api/auth/password-reset/confirm", json=body), 400)
    await login(smtp_client, "alice", NEW_PASSWORD)
