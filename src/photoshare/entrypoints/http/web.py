"""The web client: static ES modules served by the service itself (no build step).

Every page path answers the same `index.html`; the client's router (`web/router.js`) reads the
path and draws the page from the public API. The pages carry a strict CSP of their own
(`security.WEB_CSP`: scripts and styles only from this origin, nothing inline).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from photoshare.entrypoints.http.security import WEB_CSP

WEB_DIR = Path(__file__).parent.parent / "web"
WEB_STATIC_PATH = "/static/web"

#: The client's page paths (its router draws each); everything else stays the API's.
PAGES = [
    "/",
    "/upload",
    "/login",
    "/signup",
    "/account",
    "/verify-email",
    "/reset-password",
    "/photos/{photo_id:str}",
    "/tags/{tag:str}",
    "/u/{username:str}",
    "/albums/{album_id:str}",
    "/s/{slug:str}",
    "/admin/users",
]


@cache
def _index() -> bytes:
    return (WEB_DIR / "index.html").read_bytes()


@get(PAGES, include_in_schema=False, media_type="text/html")
async def web_page() -> Response[bytes]:
    """The client's shell; revalidated on every load so a new release shows at once."""
    return Response(
        _index(),
        media_type="text/html",  # Litestar adds "; charset=utf-8" to text types itself
        headers={"Content-Security-Policy": WEB_CSP, "Cache-Control": "no-cache"},
    )


def web_static_router() -> Router:
    """The client's modules and styles under ``/static/web``; browsers revalidate them."""
    return create_static_files_router(
        path=WEB_STATIC_PATH,
        directories=[WEB_DIR],
        name="web-static",
        cache_control=CacheControlHeader(no_cache=True),
        include_in_schema=False,
    )
