"""OWASP API9:2023 Improper Inventory Management.

Covers: the OpenAPI document is the complete inventory. Every route the app serves is in it
(except the documentation's own pages and assets, and the web client's pages and modules,
which are HTML for people, not API operations), nothing in it is missing from the app,
every operation of the contract (shared/API.md, copied below) is in it, in both storage
configurations (local images, and Cloudinary, where the CDN serves images and the service
does not mount its image routes); there is no second, forgotten version of the API, and
paths a scanner would try for debug or admin consoles do not exist.

Out of scope: hosts and environments (one deployment, one version: the document's).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from photoshare.entrypoints.http.web import PAGES, WEB_STATIC_PATH
from tests.integration.accounts import Client, assert_problem
from tests.integration.photo_helpers import BASE

# Every method and path of the contract's tables and its Service section (shared/API.md).
CONTRACT = {
    ("POST", "/api/auth/signup"),
    ("POST", "/api/auth/login"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("GET", "/api/users/me"),
    ("PATCH", "/api/users/me"),
    ("GET", "/api/users/{username}"),
    ("PUT", "/api/users/{username}/role"),
    ("POST", "/api/users/{username}/ban"),
    ("POST", "/api/users/{username}/unban"),
    ("POST", "/api/photos"),
    ("GET", "/api/photos/{id}"),
    ("PUT", "/api/photos/{id}"),
    ("DELETE", "/api/photos/{id}"),
    ("GET", "/api/photos"),
    ("POST", "/api/photos/{id}/transformations"),
    ("GET", "/api/photos/{id}/transformations"),
    ("DELETE", "/api/photos/{id}/transformations/{link_id}"),
    ("GET", "/api/links/{slug}/qr"),
    ("GET", "/t/{slug}"),
    ("GET", "/api/photos/{id}/comments"),
    ("POST", "/api/photos/{id}/comments"),
    ("PUT", "/api/comments/{id}"),
    ("DELETE", "/api/comments/{id}"),
    ("POST", "/api/photos/{id}/ratings"),
    ("GET", "/api/photos/{id}/ratings"),
    ("DELETE", "/api/photos/{id}/ratings/{username}"),
    ("GET", "/api/tags"),
    ("GET", "/health"),
    # Additions: Accounts
    ("POST", "/api/auth/verify-email"),
    ("POST", "/api/auth/verify-email/resend"),
    ("POST", "/api/auth/password-reset"),
    ("POST", "/api/auth/password-reset/confirm"),
    ("PUT", "/api/users/me/password"),
    ("GET", "/api/users/me/sessions"),
    ("DELETE", "/api/users/me/sessions/{id}"),
    ("POST", "/api/users/me/tokens"),
    ("GET", "/api/users/me/tokens"),
    ("DELETE", "/api/users/me/tokens/{id}"),
    ("PUT", "/api/users/me/avatar"),
    ("DELETE", "/api/users/me/avatar"),
}
# The documentation itself (the document, its viewers and their vendored assets), and the
# operators' Prometheus scrape, which is for the host (PHOTOSHARE_METRICS), not for clients.
DOCS = re.compile(r"^/(schema|static/docs|metrics)(/|$)")
# The web client: its page paths (one HTML shell) and its static modules.
WEB = re.compile(rf"^{re.escape(WEB_STATIC_PATH)}(/|$)")
NOT_OPERATIONS = {"OPTIONS", "HEAD"}  # answered by the framework for every path


def _shape(path: str) -> str:
    """`/api/photos/{photo_id:uuid}` and `/api/photos/{id}` are the same route."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _served(app: Litestar) -> set[tuple[str, str]]:
    pages = {_shape(page) for page in PAGES}
    return {
        (method, _shape(route.path))
        for route in app.routes
        if not DOCS.match(route.path) and not WEB.match(route.path) and _shape(route.path) not in pages
        for method in getattr(route, "methods", ())
        if method not in NOT_OPERATIONS
    }


def _documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), _shape(path)) for path, item in document["paths"].items() for method in item}


@pytest.mark.parametrize("cloudinary", [False, True], ids=["local images", "cloudinary"])
async def test_the_document_lists_exactly_the_routes_the_app_serves(
    settings: Settings, cloudinary: bool
) -> None:
    if cloudinary:
        settings = replace(settings, cloudinary_url="cloudinary://123456789012345:secret@demo")
    app = create_app(settings)
    async with AsyncTestClient(app, base_url=BASE) as client:
        document = (await client.get("/schema/openapi.json")).json()
    served, documented = _served(app), _documented(document)
    assert served == documented
    assert not any(DOCS.match(path) or WEB.match(path) for path in document["paths"])
    images = {("GET", "/images/{}"), ("GET", "/images/t/{}/{}")}
    assert images.isdisjoint(served) if cloudinary else images <= served


async def test_every_contract_operation_is_documented(refusing_client: Client) -> None:
    document = (await refusing_client.get("/schema/openapi.json")).json()
    documented = _documented(document)
    missing = {(method, path) for method, path in CONTRACT if (method, _shape(path)) not in documented}
    assert not missing
    # And every documented operation documents its answers.
    assert document["info"]["version"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("responses"), (method, path)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/photos",
        "/api/v2/photos",
        "/v1/api/photos",
        # (`/api/users` is the admins' documented user list: 401 without a token.)
        "/api/admin",
        "/admin",
        "/debug",
        "/_debug",
        "/metrics",
        "/api/internal",
        "/.env",
        "/.git/config",
        "/server-status",
        "/docs",
        "/openapi.json",
        "/swagger.json",
        "/api/photos/all",
    ],
)
async def test_paths_a_scanner_tries_do_not_exist(refusing_client: Client, path: str) -> None:
    response = await refusing_client.get(path)
    # /api/users/{username} and /api/photos/{id} are real routes: a word in their place is
    # just an unknown user (404) or not an id (404).
    assert_problem(response, 404)
