"""The web client in a real browser: `photoshare serve` in a subprocess, Debian's chromium.

The service starts as the e2e tests start it (tests/e2e/server.py): `photoshare serve` with an
environment holding nothing of ours but its host, a free port and a temporary data dir, plus
two test knobs: cheap bcrypt and rate limits a whole suite of log-ins from one address
does not hit. Chromium is Debian's package (`make browser-deps`), never a downloaded one.
"""

from __future__ import annotations

import colorsys
import contextlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page

from photoshare.config import RateLimits
from tests.e2e.server import Service as E2EService

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "correct-horse-battery"
FILLER = 25
PICTURE = (480, 360)
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"


@dataclass
class Service:
    base_url: str
    data_dir: Path

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


@contextlib.contextmanager
def running_service() -> Iterator[Service]:
    """`photoshare serve` on a free port and a fresh data dir (the e2e harness), until the block ends."""
    root = Path(tempfile.mkdtemp(prefix="ps-browser-"))
    server = E2EService(
        root / "data",
        env={
            "PHOTOSHARE_BCRYPT_ROUNDS": "4",
            **{f"PHOTOSHARE_RATE_{a.upper()}": "100000" for a in RateLimits.actions()},
        },
    )
    try:
        server.start()
        yield Service(server.base_url, server.data_dir)
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    with running_service() as running:
        yield running


def jpeg(color: tuple[int, int, int] = (200, 80, 40), size: tuple[int, int] = (64, 48)) -> bytes:
    """A small JPEG: a sky-to-`color` gradient with a sun, so galleries look like pictures."""
    w, h = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / max(h - 1, 1)
        draw.line([(0, y), (w, y)], fill=tuple(int(40 * (1 - t) + c * t) for c in color))
    r = max(w, h) // 6
    draw.ellipse([w // 2 - r, h // 3 - r, w // 2 + r, h // 3 + r], fill=(250, 220, 120))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


@dataclass
class Account:
    username: str
    token: str


@dataclass
class World:
    """Accounts made once per run (the first is the admin) and a photo of alice's."""

    admin: Account
    alice: Account
    bob: Account
    photo_id: str


def _account(service: Service, username: str) -> Account:
    with service.client() as c:
        c.post(
            "/api/auth/signup",
            json={"username": username, "email": f"{username}@example.com", "password": PASSWORD},
        ).raise_for_status()
        answer = c.post("/api/auth/login", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return Account(username, answer.json()["access_token"])


@pytest.fixture(scope="session")
def world(service: Service) -> World:
    return make_world(service)


def make_world(service: Service) -> World:
    admin, alice, bob = (_account(service, n) for n in ("root", "alice", "bob"))
    with service.client(alice.token) as c:
        answer = c.post(
            "/api/photos",
            files={"file": ("sunset.jpg", jpeg(size=PICTURE), "image/jpeg")},
            data={"description": "A red sunset over the bay", "tags": "sunset,sea"},
        )
        answer.raise_for_status()
        for i, tag in enumerate(("forest", "city")):
            c.post(
                "/api/photos",
                files={"file": (f"{tag}.jpg", jpeg((30, 120 + 40 * i, 60), PICTURE), "image/jpeg")},
                data={"description": f"A quiet {tag}", "tags": tag},
            ).raise_for_status()
        # Enough for a second page of the gallery (it loads 24 at a time).
        for i in range(FILLER):
            c.post(
                "/api/photos",
                files={
                    "file": (
                        f"filler{i}.jpg",
                        jpeg(_rgb(*colorsys.hsv_to_rgb(i / FILLER, 0.7, 0.9)), PICTURE),
                        "image/jpeg",
                    )
                },
                data={"description": f"Filler number {i}", "tags": "filler"},
            ).raise_for_status()
    return World(admin, alice, bob, answer.json()["id"])


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is missing: run `make browser-deps`")
    with chromium() as b:
        yield b


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    return dict(request.param)


@pytest.fixture
def page(browser, service: Service, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    """A fresh browser context (no session) at the test's size; page errors fail the test."""
    context = browser.new_context(base_url=service.base_url, viewport=viewport)
    context.set_default_timeout(10_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda error: errors.append(str(error)))
    yield pg
    context.close()
    assert not errors, errors


def log_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through the form, as a person does."""
    page.goto("/login")
    page.get_by_label("Username or email").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name=username, exact=True).first.wait_for()


def _rgb(red: float, green: float, blue: float) -> tuple[int, int, int]:
    return int(255 * red), int(255 * green), int(255 * blue)


def audit(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the current page."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
