"""The album, share, session, token, avatar, mail-link and admin screens, driven in chromium at
phone and desktop sizes (each task once per size, on accounts of its own). Their photos are
unlisted, so the gallery's counts in test_web.py stay the world's."""

from __future__ import annotations

import re
import time
import uuid
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, Account, Service, World, jpeg, log_in

# The world's accounts come first, so that its `root` is the service's first account: the admin.
pytestmark = pytest.mark.usefixtures("world")


def _member(service: Service, prefix: str = "u") -> Account:
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    with service.client() as c:
        c.post(
            "/api/auth/signup", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        ).raise_for_status()
        answer = c.post("/api/auth/login", json={"username": name, "password": PASSWORD})
        answer.raise_for_status()
        return Account(name, answer.json()["access_token"])


def _photo(service: Service, token: str, description: str) -> str:
    with service.client(token) as c:
        answer = c.post(
            "/api/photos",
            files={"file": ("p.jpg", jpeg((10, 140, 200), (80, 60)), "image/jpeg")},
            data={"description": description, "visibility": "unlisted"},
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


def _mailed_link(data_dir: Path, to: str, kind: str) -> str:
    """The newest `kind` link (verify-email, reset-password) in the outbox for `to`, waiting for it."""
    outbox = data_dir / "outbox"
    deadline = time.monotonic() + 15
    while True:
        for path in sorted(outbox.glob("*.eml"), reverse=True) if outbox.is_dir() else []:
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(preferencelist=("plain",))
            text = str(body.get_content()) if body else ""
            if message["To"] == to and f"/{kind}?token=" in text:
                return next(word for word in text.split() if f"/{kind}?token=" in word)
        assert time.monotonic() < deadline, f"no {kind} message to {to}"
        time.sleep(0.05)


def _order(page: Page) -> list[str]:
    alts: list[str] = page.locator(".album-photos .card img").evaluate_all("imgs => imgs.map(i => i.alt)")
    return alts


def test_albums_create_add_reorder_cover_and_remove(page: Page, browser, service: Service) -> None:  # type: ignore[no-untyped-def]
    owner = _member(service, "a")
    shots = {name: _photo(service, owner.token, name) for name in ("First shot", "Second shot", "Third shot")}
    log_in(page, owner.username)
    page.goto(f"/u/{owner.username}")
    expect(page.get_by_text("No albums.")).to_be_visible()
    page.get_by_label("New album title").fill("Holidays")
    page.get_by_role("button", name="Create album").click()
    expect(page.get_by_role("heading", name="Holidays")).to_be_visible()
    expect(page.get_by_text("No photos in this album yet.")).to_be_visible()
    # Add photos from each photo's page, as the album picker offers; the page then lists the album.
    page.goto(f"/u/{owner.username}")
    in_albums = page.locator(".in-albums")
    for name in ("First shot", "Second shot", "Third shot"):
        page.locator(".grid .card-link", has=page.get_by_role("img", name=name)).click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(in_albums).to_be_hidden()  # in no album yet: nothing is said
        page.get_by_label("Album", exact=True).select_option(label="Holidays")
        page.get_by_role("button", name="Add to album").click()
        expect(page.get_by_text("Added to the album.")).to_be_visible()
        expect(in_albums).to_have_text("In albums: Holidays")
        page.go_back()
    # A photo's page lists its albums as links to them, for a visitor too (the album is public).
    page.goto(f"/photos/{shots['First shot']}")
    in_albums.get_by_role("link", name="Holidays").click()
    expect(page.get_by_role("heading", name="Holidays")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/albums/[0-9a-f-]{36}$"))
    visitor = browser.new_context(base_url=service.base_url, viewport=page.viewport_size)
    try:
        anonymous = visitor.new_page()
        anonymous.goto(f"/photos/{shots['Second shot']}")
        expect(anonymous.locator(".in-albums")).to_have_text("In albums: Holidays")
    finally:
        visitor.close()
    page.goto(f"/u/{owner.username}")
    page.get_by_role("link", name=re.compile("Holidays")).click()
    expect(page.locator(".album-photos .card")).to_have_count(3)
    expect(page.get_by_text(re.compile(r"3 photos"))).to_be_visible()
    first = _order(page)
    page.locator(".album-photos .card").nth(0).get_by_role("button", name="Move later").click()
    expect(page.locator(".album-photos .card img").nth(0)).to_have_attribute("alt", first[1])
    page.reload()
    expect(page.locator(".album-photos .card")).to_have_count(3)
    assert _order(page)[:2] == [first[1], first[0]]
    # The cover becomes the chosen photo's: the album card on the profile shows it.
    with service.client(owner.token) as c:
        album_id = c.get(f"/api/users/{owner.username}/albums").json()["items"][0]["id"]
        before = c.get(f"/api/albums/{album_id}").json()["cover_url"]
    page.locator(".album-photos .card").nth(2).get_by_role("button", name="Cover").click()
    expect(page.get_by_text("Cover set.")).to_be_visible()
    with service.client(owner.token) as c:
        after = c.get(f"/api/albums/{album_id}").json()["cover_url"]
    assert after
    assert after != before
    page.locator(".album-photos .card").nth(0).get_by_role("button", name="Remove").click()
    expect(page.locator(".album-photos .card")).to_have_count(2)
    page.reload()
    expect(page.locator(".album-photos .card")).to_have_count(2)
    expect(page.get_by_text(re.compile(r"2 photos"))).to_be_visible()


def test_share_links_with_limits_and_the_page_they_open(page: Page, browser, service: Service) -> None:  # type: ignore[no-untyped-def]
    owner = _member(service, "s")
    photo_id = _photo(service, owner.token, "A shared harbour")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, owner.username)
    page.goto(f"/photos/{photo_id}")
    form = page.get_by_role("form", name="New share link")
    form.get_by_label("Label").fill("for grandma")
    form.get_by_label("Expires").select_option(label="1 day")
    form.get_by_label("Password").fill("grandma-secret")
    form.get_by_label("View limit").fill("3")
    form.get_by_role("button", name="Create share link").click()
    item = page.locator(".panel", has=page.get_by_role("heading", name="Share links")).locator(".link-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("“for grandma”")
    expect(item).to_contain_text("0 views of 3")
    expect(item).to_contain_text("expires")
    expect(item).to_contain_text("password")
    url = item.get_by_role("link", name=re.compile(r"\/s\/")).get_attribute("href")
    assert url
    assert "/s/" in url
    item.get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == url
    # Signed in, the link's password question is not taken for an expired session: no token
    # goes with it and none is refreshed (that left the refused answer hanging).
    refreshes: list[str] = []
    page.on("request", lambda r: refreshes.append(r.url) if "/api/auth/refresh" in r.url else None)
    item.get_by_role("link", name=re.compile(r"\/s\/")).click()
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("alert")).to_contain_text("Not authenticated")
    page.wait_for_load_state("networkidle")
    assert refreshes == []
    page.go_back()

    # Someone without an account opens the link: the password first, then the photo.
    visitor = browser.new_context(viewport=page.viewport_size)
    guest = visitor.new_page()
    guest.goto(url)
    guest.get_by_label("Password").fill("not-the-password")
    guest.get_by_role("button", name="Open").click()
    expect(guest.get_by_role("alert")).to_contain_text("Not authenticated")
    guest.get_by_label("Password").fill("grandma-secret")
    guest.get_by_role("button", name="Open").click()
    expect(guest.get_by_role("img", name="A shared harbour")).to_be_visible()
    expect(guest.get_by_text(re.compile("This link expires"))).to_be_visible()

    # The owner sees the view counted, then revokes the link; it stops working.
    page.reload()
    expect(item).to_contain_text("1 view of 3")
    item.get_by_role("button", name="Revoke").click()
    expect(item).to_have_count(0)
    page.reload()
    expect(page.get_by_role("heading", name="Share links")).to_be_visible()
    expect(item).to_have_count(0)
    guest.goto(url)
    expect(guest.get_by_role("alert")).to_contain_text("Not found")
    visitor.close()


def test_shared_album_opens_without_a_password(page: Page, service: Service) -> None:
    owner = _member(service, "g")
    photo_id = _photo(service, owner.token, "Album picture one")
    with service.client(owner.token) as c:
        album = c.post("/api/albums", json={"title": "Shared trip", "visibility": "private"}).json()
        c.put(f"/api/albums/{album['id']}/photos/{photo_id}").raise_for_status()
        share = c.post(f"/api/albums/{album['id']}/shares", json={}).json()
    page.goto(share["url"])
    expect(page.get_by_role("heading", name="Shared trip")).to_be_visible()
    expect(page.get_by_role("img", name="Album picture one")).to_be_visible()


def test_sessions_list_and_end_one(page: Page, service: Service) -> None:
    member = _member(service, "n")  # the log-in of _member is a second session
    log_in(page, member.username)
    page.goto("/account")
    sessions = page.locator("section", has=page.get_by_role("heading", name="Sessions")).locator("li")
    expect(sessions).to_have_count(2)
    expect(sessions.filter(has_text="this session")).to_have_count(1)
    other = sessions.filter(has_not_text="this session")
    other.get_by_role("button", name="End").click()
    expect(sessions).to_have_count(1)
    with service.client(member.token) as c:
        assert c.get("/api/users/me").status_code == 401


def test_personal_access_token_shown_once_then_revoked(page: Page, service: Service) -> None:
    member = _member(service, "t")
    log_in(page, member.username)
    page.goto("/account")
    page.get_by_label("Token name").fill("backup script")
    page.get_by_label(re.compile("Allow writes")).check()
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("section", has=page.get_by_role("heading", name="Personal access tokens")).locator(
        "code"
    )
    expect(secret).to_be_visible()
    token = secret.inner_text()
    with service.client(token) as c:
        assert c.get("/api/users/me").json()["username"] == member.username
    tokens = page.locator("section", has=page.get_by_role("heading", name="Personal access tokens")).locator(
        "li"
    )
    expect(tokens).to_have_count(1)
    expect(tokens).to_contain_text("backup script (read, write)")
    page.reload()
    expect(secret).to_have_count(0)  # shown once
    expect(tokens).to_have_count(1)
    tokens.get_by_role("button", name="Revoke").click()
    expect(tokens).to_have_count(0)
    with service.client(token) as c:
        assert c.get("/api/users/me").status_code == 401


def test_avatar_upload_and_profile_edit(page: Page, service: Service, tmp_path: Path) -> None:
    member = _member(service, "v")
    picture = tmp_path / "me.jpg"
    picture.write_bytes(jpeg((180, 40, 160), (96, 96)))
    log_in(page, member.username)
    page.goto("/account")
    page.get_by_label("Full name").fill("Grace Hopper")
    page.get_by_label("Bio").fill("Finds bugs")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    page.get_by_label("New avatar").set_input_files(str(picture))
    page.get_by_role("button", name="Upload avatar").click()
    avatar = page.get_by_role("img", name=f"Avatar of {member.username}")
    expect(avatar).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=avatar.element_handle())
    page.goto(f"/u/{member.username}")
    expect(page.get_by_role("heading", name=f"Grace Hopper ({member.username})")).to_be_visible()
    expect(page.get_by_text("Finds bugs")).to_be_visible()
    expect(page.get_by_role("img", name=f"Avatar of {member.username}")).to_be_visible()
    page.goto("/account")
    page.get_by_role("button", name="Remove avatar").click()
    expect(page.get_by_role("button", name="Upload avatar")).to_be_visible()
    expect(page.get_by_role("img", name=f"Avatar of {member.username}")).to_have_count(0)


def test_password_change_ends_the_other_sessions(page: Page, service: Service) -> None:
    member = _member(service, "p")
    log_in(page, member.username)
    page.goto("/account")
    page.get_by_label("Current password").fill("wrong-password-1")
    page.get_by_label("New password").fill("a-brand-new-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("section", has_text="Change password").get_by_role("alert")).to_be_visible()
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password").fill("a-brand-new-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text(re.compile("Password changed"))).to_be_visible()
    with service.client(member.token) as c:
        assert c.get("/api/users/me").status_code == 401
        login = {"username": member.username, "password": "a-brand-new-password"}
        assert c.post("/api/auth/login", json=login).status_code == 200
    # This tab's session stays.
    page.reload()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()


def test_verify_email_and_reset_password_from_the_mailed_links(page: Page, service: Service) -> None:
    member = _member(service, "m")
    email = f"{member.username}@example.com"
    log_in(page, member.username)
    page.goto("/account")
    expect(page.get_by_role("heading", name="Email not verified yet")).to_be_visible()
    page.goto(_mailed_link(service.data_dir, email, "verify-email"))
    expect(page.get_by_text("Your email is verified.")).to_be_visible()
    page.goto("/account")
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    expect(page.get_by_role("heading", name="Email not verified yet")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Your account's email").fill(email)
    page.get_by_role("button", name="Send a reset link").click()
    expect(page.get_by_text(re.compile("a reset link is on its way"))).to_be_visible()
    page.goto(_mailed_link(service.data_dir, email, "reset-password"))
    page.get_by_label("New password").fill("reset-by-mail-pass")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Username or email").fill(email)
    page.get_by_label("Password").fill("reset-by-mail-pass")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name=member.username, exact=True)).to_be_visible()


def test_moderator_sees_ratings_and_deletes_comments_and_ratings(
    page: Page, service: Service, world: World
) -> None:
    moderator = _member(service, "mod")
    with service.client(world.admin.token) as c:
        c.put(f"/api/users/{moderator.username}/role", json={"role": "moderator"}).raise_for_status()
    photo_id = _photo(service, world.alice.token, "A moderated photo")
    with service.client(world.bob.token) as c:
        c.post(f"/api/photos/{photo_id}/comments", json={"text": "rude words"}).raise_for_status()
        c.post(f"/api/photos/{photo_id}/ratings", json={"value": 1}).raise_for_status()
    log_in(page, moderator.username)
    page.goto(f"/photos/{photo_id}")
    ratings = page.locator("section", has=page.get_by_role("heading", name="Ratings (moderation)"))
    expect(ratings.get_by_text("bob: 1 ★")).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.locator(".comment", has_text="rude words").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("rude words")).to_have_count(0)
    ratings.get_by_role("button", name="Delete the rating by bob").click()
    expect(ratings.get_by_text("No ratings.")).to_be_visible()
    expect(page.get_by_text("Not rated yet")).to_be_visible()
    # A moderator is no admin: no role or ban controls on a profile.
    page.goto("/u/bob")
    expect(page.get_by_role("heading", name="bob")).to_be_visible()
    expect(page.get_by_role("button", name="Ban bob")).to_have_count(0)


def test_admin_lists_users_by_role_and_ban_and_bans_from_the_list(page: Page, service: Service) -> None:
    member = _member(service, "z")
    log_in(page, "root")
    page.get_by_role("link", name="Users", exact=True).click()
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    search = page.get_by_role("search", name="Find users")
    search.get_by_label("Username contains").fill(member.username)
    search.get_by_role("button", name="Find").click()
    rows = page.locator(".user-row")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(f"{member.username}@example.com")
    expect(rows).to_contain_text("user")
    page.once("dialog", lambda d: d.accept())
    rows.get_by_role("button", name=f"Ban {member.username}").click()
    expect(rows.get_by_text("banned", exact=True)).to_be_visible()
    with service.client() as c:
        assert (
            c.post("/api/auth/login", json={"username": member.username, "password": PASSWORD}).status_code
            == 403
        )
    # The banned filter finds them; the role filter finds the admin.
    search.get_by_label("Username contains").fill("")
    search.get_by_label("Status").select_option("banned")
    search.get_by_role("button", name="Find").click()
    expect(page).to_have_url(re.compile(r"banned=true"))
    expect(rows.filter(has_text=member.username)).to_have_count(1)
    expect(rows.filter(has_text="root")).to_have_count(0)
    rows.filter(has_text=member.username).get_by_role("button", name=f"Unban {member.username}").click()
    expect(
        rows.filter(has_text=member.username).get_by_role("button", name=f"Ban {member.username}")
    ).to_be_visible()
    search.get_by_label("Status").select_option("any")
    search.get_by_label("Role").select_option("admin")
    search.get_by_role("button", name="Find").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("root")
    expect(rows.get_by_role("button")).to_have_count(0)  # no banning yourself
    rows.get_by_role("link", name="root").click()
    expect(page).to_have_url(re.compile(r"/u/root$"))
