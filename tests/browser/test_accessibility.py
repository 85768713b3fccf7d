"""axe-core on every page of the web client: no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Service, World, audit, log_in

PUBLIC = [
    "/",
    "/?q=quiet&tag=forest",
    "/tags/sunset",
    "/u/alice",
    "/login",
    "/signup",
    "/reset-password",
    "/reset-password?token=x",
    "/verify-email?token=x",
    "/s/unknown",
]
SIGNED_IN = ["/upload", "/account", "/u/alice"]


def _settle(page: Page) -> None:
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("path", PUBLIC)
def test_public_pages(page: Page, world: World, path: str) -> None:
    page.goto(path)
    _settle(page)
    assert audit(page) == []


def test_photo_page_and_signed_in_pages(page: Page, service: Service, world: World) -> None:
    log_in(page, "alice")
    failures = {}
    for path in [f"/photos/{world.photo_id}", *SIGNED_IN]:
        page.goto(path)
        _settle(page)
        if found := audit(page):
            failures[path] = found
    with service.client(world.alice.token) as c:
        album = c.post("/api/albums", json={"title": "Audited album"}).json()
        c.put(f"/api/albums/{album['id']}/photos/{world.photo_id}").raise_for_status()
        share = c.post(f"/api/photos/{world.photo_id}/shares", json={"password": "audit-password"}).json()
    for path in [f"/albums/{album['id']}", share["url"]]:
        page.goto(path)
        _settle(page)
        if found := audit(page):
            failures[path] = found
    log_in(page, "root")
    for path in [f"/photos/{world.photo_id}", "/u/bob", "/admin/users", f"/albums/{album['id']}"]:
        page.goto(path)
        _settle(page)
        if found := audit(page):
            failures[f"{path} (admin)"] = found
    assert failures == {}
