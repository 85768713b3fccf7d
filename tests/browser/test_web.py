"""Every task of the web client, driven in chromium at phone and desktop sizes."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import FILLER, PASSWORD, Service, World, jpeg, log_in


def _photo(service: Service, token: str, description: str, tags: str = "") -> str:
    with service.client(token) as c:
        answer = c.post(
            "/api/photos",
            files={"file": ("p.jpg", jpeg((10, 140, 200), (80, 60)), "image/jpeg")},
            data={"description": description, "tags": tags},
        )
        answer.raise_for_status()
        return str(answer.json()["id"])


def test_root_serves_the_client_with_a_strict_csp(page: Page, service: Service) -> None:
    answer = page.goto("/")
    assert answer is not None
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    expect(page.get_by_role("heading", name="Newest photos")).to_be_visible()
    for path in ("/photos/x", "/u/alice", "/s/abc", "/verify-email", "/reset-password"):
        assert page.request.get(path).headers["content-type"].startswith("text/html")


def test_browse_newest_photos_with_infinite_scroll(page: Page, world: World) -> None:
    page.goto("/")
    cards = page.locator(".grid .card")
    expect(cards).to_have_count(24)
    expect(page.get_by_role("status").first).to_have_text(f"{FILLER + 3} photos")
    # The first-uploaded photo is on the second page: scrolling down loads it.
    sunset = page.get_by_role("img", name="A red sunset over the bay")
    expect(sunset).to_have_count(0)
    page.get_by_role("button", name="Load more").scroll_into_view_if_needed()
    expect(sunset).to_be_visible()
    expect(cards).to_have_count(FILLER + 3)
    expect(page.get_by_role("button", name="Load more")).to_be_hidden()


def test_search_by_word_with_filters_and_sort(page: Page, world: World) -> None:
    page.goto("/")
    page.get_by_label("Search").fill("quiet")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"/\?q=quiet$"))
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()
    expect(page.locator(".grid .card")).to_have_count(2)
    page.get_by_text("Filters and sort").click()
    page.get_by_label("Tag").fill("forest")
    page.get_by_label("Sort").select_option("created_at")
    page.get_by_label("From date").fill("2000-01-01")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"tag=forest"))
    expect(page.locator(".grid .card")).to_have_count(1)
    expect(page.get_by_role("img", name="A quiet forest")).to_be_visible()
    page.get_by_label("Minimum rating").fill("4")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No photo matches.")).to_be_visible()


def test_tag_and_profile_pages(page: Page, world: World) -> None:
    page.goto(f"/photos/{world.photo_id}")
    page.get_by_role("link", name="#sunset").click()
    expect(page.get_by_role("heading", name="Photos tagged #sunset")).to_be_visible()
    expect(page.locator(".grid .card")).to_have_count(1)
    page.locator(".grid .card").get_by_role("link", name="alice").click()
    expect(page).to_have_url(re.compile(r"/u/alice$"))
    expect(page.get_by_role("heading", name="alice")).to_be_visible()
    expect(page.get_by_text(re.compile(rf"user · {FILLER + 3} photos"))).to_be_visible()
    # Anyone sees a person's photos on their profile, a page at a time.
    expect(page.get_by_role("region", name="Photos").locator(".card")).to_have_count(24)


def test_photo_page_rating_once_and_comments(page: Page, service: Service, world: World) -> None:
    photo_id = _photo(service, world.alice.token, "Harbour lights at night", "night")
    log_in(page, "bob")
    page.goto(f"/photos/{photo_id}")
    expect(page.get_by_role("img", name="Harbour lights at night")).to_be_visible()
    expect(page.get_by_role("link", name="#night")).to_be_visible()
    expect(page.get_by_text("Not rated yet")).to_be_visible()
    # Stars are radio buttons: reachable and choosable from the keyboard.
    page.get_by_role("radio", name="4 stars").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Rate").click()
    expect(page.get_by_text("You rated this photo 4 stars.")).to_be_visible()
    expect(page.get_by_text("4.0 ★ (1 rating)")).to_be_visible()
    # Once only: after a reload the page shows the rating given instead of the stars.
    page.reload()
    expect(page.get_by_text("You rated this photo 4 stars.")).to_be_visible()
    expect(page.get_by_role("button", name="Rate")).to_have_count(0)

    page.get_by_label("Write a comment").fill("Lovely colours")
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comment", has_text="Lovely colours")
    expect(comment).to_be_visible()
    comment.get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your comment").fill("Lovely colours, and the reflections")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".comment", has_text="and the reflections")).to_contain_text("edited")
    # A plain user may not delete comments.
    expect(page.locator(".comment").get_by_role("button", name="Delete")).to_have_count(0)


def test_owner_cannot_rate_and_moderator_deletes(page: Page, service: Service, world: World) -> None:
    photo_id = _photo(service, world.alice.token, "Snow on the hills")
    with service.client(world.bob.token) as c:
        c.post(f"/api/photos/{photo_id}/comments", json={"text": "spam spam"}).raise_for_status()
        c.post(f"/api/photos/{photo_id}/ratings", json={"value": 2}).raise_for_status()
    log_in(page, "alice")
    page.goto(f"/photos/{photo_id}")
    expect(page.get_by_role("heading", name="Comments")).to_be_visible()
    expect(page.get_by_role("button", name="Rate")).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    log_in(page, "root")
    page.goto(f"/photos/{photo_id}")
    page.once("dialog", lambda d: d.accept())
    page.locator(".comment", has_text="spam spam").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("spam spam")).to_have_count(0)
    page.get_by_role("button", name="Delete the rating by bob").click()
    expect(page.get_by_text("Not rated yet")).to_be_visible()


def test_upload_several_files_with_progress_and_tag_suggestions(
    page: Page, service: Service, world: World, tmp_path: Path
) -> None:
    files = []
    for i in range(2):
        f = tmp_path / f"up{i}.jpg"
        f.write_bytes(jpeg((40 * i, 200, 90), (120, 90)))
        files.append(str(f))
    log_in(page, "alice")
    page.get_by_role("link", name="Upload", exact=True).click()
    page.locator("#files").set_input_files(files)
    items = page.locator(".upload-item")
    expect(items).to_have_count(2)
    expect(page.get_by_role("img", name="Preview of up0.jpg")).to_be_visible()
    first = items.nth(0)
    first.get_by_label("Description").fill("Uploaded from the browser")
    first.get_by_label(re.compile("Tags")).fill("sun")
    # Suggestions for the prefix come from /api/tags?q=.
    expect(first.locator("datalist option[value='sunset']")).to_have_count(1)
    first.get_by_label(re.compile("Tags")).fill("sunset, browser")
    page.get_by_role("button", name="Upload all").click()
    expect(page.get_by_role("link", name="up0.jpg")).to_be_visible()
    expect(page.get_by_role("link", name="up1.jpg")).to_be_visible()
    for i in range(2):
        expect(page.get_by_label(f"Upload progress of up{i}.jpg")).to_have_attribute("value", "1")
    page.get_by_role("link", name="up0.jpg").click()
    expect(page.get_by_role("img", name="Uploaded from the browser")).to_be_visible()
    expect(page.get_by_role("link", name="#browser")).to_be_visible()


def test_dropped_file_that_is_no_image_shows_the_problem(page: Page, world: World) -> None:
    log_in(page, "alice")
    page.goto("/upload")
    # Drag and drop: a DataTransfer carrying a file, dropped on the drop zone.
    page.locator(".drop").evaluate(
        """zone => {
            const data = new DataTransfer();
            data.items.add(new File(["this is not an image"], "notes.gif", { type: "image/gif" }));
            zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
            zone.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
        }"""
    )
    expect(page.locator(".upload-item")).to_have_count(1)
    page.get_by_role("button", name="Upload all").click()
    expect(page.get_by_role("alert")).to_contain_text("Unsupported media type")


def test_transform_and_share_with_qr_codes(page: Page, service: Service, world: World) -> None:
    photo_id = _photo(service, world.alice.token, "To be transformed")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, "alice")
    page.goto(f"/photos/{photo_id}")
    form = page.get_by_role("form", name="New transformed link")
    form.get_by_label("Width").fill("40")
    form.get_by_label("Crop").select_option("fill")
    form.get_by_label("Effect").select_option("grayscale")
    # The preview follows the form at once, before any link exists.
    preview = page.get_by_role("img", name="Preview of the transformation")
    assert preview.evaluate("img => img.style.filter") == "grayscale(1)"
    assert preview.evaluate("img => img.style.width") == "40px"
    form.get_by_role("button", name="Create link").click()
    item = page.locator(".link-item").first
    qr = item.get_by_role("img", name=re.compile("QR code for"))
    expect(qr).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    expect(item).to_contain_text("width 40")
    link = item.get_by_role("link", name=re.compile(r"\/t\/[\w-]+")).get_attribute("href")
    assert link
    assert "/t/" in link
    with page.expect_download() as download:
        item.get_by_role("link", name="Download QR (PNG)").click()
    assert download.value.suggested_filename.endswith(".png")
    item.get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == link
    # The short link really opens the transformed image.
    assert page.request.get(link).headers["content-type"].startswith("image/")
    item.get_by_role("button", name="Delete").click()
    expect(page.locator(".link-item")).to_have_count(0)
    page.reload()
    expect(page.locator(".link-item")).to_have_count(0)
    # An empty form is refused with a message, and so is what the API refuses.
    form.get_by_role("button", name="Create link").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at least one transformation")
    form.get_by_label("Width").fill("40")
    form.get_by_label("Radius").fill("9999")
    form.get_by_role("button", name="Create link").click()
    with service.client(world.alice.token) as c:
        problem = c.post(f"/api/photos/{photo_id}/transformations", json={"width": 40, "radius": 9999}).json()
    expect(page.get_by_role("alert")).to_contain_text(f"{problem['title']} {problem['detail']}")


def test_sign_up_log_out_log_in_and_edit_profile(page: Page) -> None:
    name = f"u{uuid.uuid4().hex[:8]}"
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(name)
    page.get_by_label("Email").fill(f"{name}@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Bio").fill("Counts photos")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").last).to_have_text("Profile saved.")
    # The session survives a reload (refresh token in sessionStorage), nothing in localStorage.
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    log_in(page, name)
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Ada Lovelace ({name})")).to_be_visible()
    expect(page.get_by_text("Counts photos")).to_be_visible()


def test_errors_come_from_the_problem_details(page: Page, world: World) -> None:
    page.goto("/login")
    page.get_by_label("Username or email").fill("alice")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Not authenticated")
    page.goto("/signup")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Email").fill("another@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("alert")).to_contain_text("Conflict")
    page.goto(f"/photos/{uuid.uuid4()}")
    expect(page.get_by_role("alert")).to_contain_text("Not found")


def test_admin_changes_role_bans_and_unbans(page: Page, service: Service) -> None:
    name = f"m{uuid.uuid4().hex[:8]}"
    with service.client() as c:
        c.post(
            "/api/auth/signup", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        ).raise_for_status()
    log_in(page, "root")
    page.goto(f"/u/{name}")
    page.get_by_label("Role").select_option("moderator")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_text(re.compile(r"^moderator ·"))).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name=f"Ban {name}").click()
    expect(page.get_by_text("banned", exact=True)).to_be_visible()
    with service.client() as c:
        assert c.post("/api/auth/login", json={"username": name, "password": PASSWORD}).status_code == 403
    page.get_by_role("button", name=f"Unban {name}").click()
    expect(page.get_by_role("button", name=f"Ban {name}")).to_be_visible()
    with service.client() as c:
        assert c.post("/api/auth/login", json={"username": name, "password": PASSWORD}).status_code == 200


def test_keyboard_reaches_a_photo_and_focus_is_visible(page: Page, world: World) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('.card-link') !== null"):
            break
    else:
        pytest.fail("no photo reachable with Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/photos/"))
    expect(page.locator("main")).to_be_focused()


def test_csp_blocks_an_injected_inline_script(page: Page, world: World) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Newest photos")).to_be_visible()
    blocked = page.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective));
            const s = document.createElement("script");
            s.textContent = "window.injected = true";
            document.body.append(s);
            setTimeout(() => resolve(null), 2000);
        })"""
    )
    assert blocked
    assert blocked.startswith("script-src")
    assert page.evaluate("window.injected") is None
    # An inline event handler from injected markup does not run either.
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.injected2=1\">')"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected2") is None
