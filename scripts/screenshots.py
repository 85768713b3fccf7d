"""`make screenshots`: PNGs of the web client's main pages at desktop and phone sizes.

Starts the service exactly as the browser tests do (tests/browser/conftest.py), fills it with
a few photos, and writes docs/screenshots/{page}-{size}.png.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402
    DESKTOP,
    PHONE,
    PICTURE,
    chromium,
    jpeg,
    log_in,
    make_world,
    running_service,
)

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with running_service() as service, chromium() as browser:
        world = make_world(service)
        with service.client(world.alice.token) as c:
            album = c.post("/api/albums", json={"title": "Summer by the sea"}).json()
            for photo in c.get("/api/users/alice/photos", params={"limit": 6}).json()["items"]:
                c.put(f"/api/albums/{album['id']}/photos/{photo['id']}").raise_for_status()
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            context = browser.new_context(base_url=service.base_url, viewport=viewport)
            page = context.new_page()
            shots = [
                ("gallery", "/"),
                ("search", "/?q=quiet"),
                ("login", "/login"),
            ]
            for name, path in shots:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}-{size}.png"))
            log_in(page, "alice")
            for name, path in (
                ("photo", f"/photos/{world.photo_id}"),
                ("account", "/account"),
                ("album", f"/albums/{album['id']}"),
            ):
                page.goto(path)
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=name == "photo")
            page.goto("/upload")
            with tempfile.TemporaryDirectory() as tmp:
                files = []
                for i, colour in enumerate(((220, 120, 40), (40, 160, 120))):
                    f = Path(tmp) / f"holiday-{i + 1}.jpg"
                    f.write_bytes(jpeg(colour, PICTURE))
                    files.append(str(f))
                page.locator("#files").set_input_files(files)
            page.locator(".upload-item").first.get_by_label("Description").fill("Evening on the beach")
            page.locator(".upload-item").first.get_by_label("Tags (comma-separated, at most 5)").fill(
                "sunset, sea"
            )
            page.screenshot(path=str(OUT / f"upload-{size}.png"))
            log_in(page, "root")
            page.goto("/admin/users")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / f"users-{size}.png"))
            context.close()
    print(f"wrote {len(list(OUT.glob('*.png')))} screenshots to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
