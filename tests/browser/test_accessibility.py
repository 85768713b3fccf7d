"""axe-core on every page of the web client: no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import World, audit, log_in

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


def test_photo_page_and_signed_in_pages(page: Page, world: World) -> None:
    log_in(page, "alice")
    failures = {}
    for path in [f"/photos/{world.photo_id}", *SIGNED_IN]:
        page.goto(path)
        _settle(page)
        if found := audit(page):
            failures[path] = found
    log_in(page, "root")
    for path in [f"/photos/{world.photo_id}", "/u/bob"]:
        page.goto(path)
        _settle(page)
        if found := audit(page):
            failures[f"{path} (admin)"] = found
    assert failures == {}
