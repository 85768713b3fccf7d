"""HEAD wherever GET works, and one `Allow` per path (RFC 9110, sections 9.3.2 and 10.2.1).

Every route of the app's route table is walked, with path parameters naming objects that
exist, so each GET answers what it answers for real (200, 302, 304-less images, ...).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from photoshare.entrypoints.http.web import WEB_STATIC_PATH
from tests.integration.accounts import Client, bearer, member
from tests.integration.jobs import drain
from tests.integration.photo_helpers import encoded, linked, path_of, uploaded

_PARAMETER = re.compile(r"{(\w+):\w+}")
# Set afresh on every answer, by design.
_PER_REQUEST = {"x-request-id"}


@pytest.fixture
def app(settings: Settings) -> Litestar:
    # Operators' /metrics answers loopback clients only (404 otherwise); here anyone may see it.
    return create_app(replace(settings, metrics="public"))


def _headers(response: Any, path: str) -> list[tuple[str, str]]:
    # The metrics count the requests just made, so their length moves from one answer to the next.
    varying = _PER_REQUEST | ({"content-length"} if path == "/metrics" else set())
    return sorted((k, v) for k, v in response.headers.multi_items() if k not in varying)


def _expected_allow(route: HTTPRoute) -> set[str]:
    methods = {str(m) for m in route.methods} | {"OPTIONS"}
    return methods | {"HEAD"} if "GET" in methods else methods


def _allow(response: Any) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


async def _world(client: Client, settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """Path parameter values naming real objects (the variants made, bob's avatar, the admin's
    personal token and session), and the admin's headers."""
    admin = (await member(client, "admin"))["access_token"]
    bob = (await member(client, "bob"))["access_token"]
    photo = await uploaded(client, admin, tags="sea")
    link = await linked(client, admin, photo["id"], width=16)
    comment = await client.post(
        f"/api/photos/{photo['id']}/comments", json={"text": "hi"}, headers=bearer(bob)
    )
    rating = await client.post(f"/api/photos/{photo['id']}/ratings", json={"value": 4}, headers=bearer(bob))
    album = await client.post("/api/albums", json={"title": "Trip"}, headers=bearer(admin))
    share = await client.post(f"/api/photos/{photo['id']}/shares", headers=bearer(admin))
    assert comment.status_code == rating.status_code == album.status_code == share.status_code == 201
    avatar = await client.put(
        "/api/users/me/avatar", files={"file": ("me.jpg", encoded(), "image/jpeg")}, headers=bearer(bob)
    )
    token = await client.post(
        "/api/users/me/tokens", json={"name": "walk", "scopes": ["read"]}, headers=bearer(admin)
    )
    sessions = await client.get("/api/users/me/sessions", headers=bearer(admin))
    assert avatar.status_code == 200, avatar.text
    assert token.status_code == 201, token.text
    assert sessions.status_code == 200
    await drain(settings)
    spec, key = path_of(link["url"]).removeprefix("/images/t/").split("/")
    values = {
        "photo_id": photo["id"],
        "link_id": link["id"],
        "slug": link["slug"],
        "comment_id": comment.json()["id"],
        "album_id": album.json()["id"],
        "share_id": share.json()["id"],
        "share_slug": share.json()["slug"],
        "username": "bob",
        "key": key,
        "spec": spec,
        "name": "thumb",
        "token_id": token.json()["id"],
        "session_id": sessions.json()[0]["id"],
        "file_path": "swagger-ui/LICENSE",
        "path": "openapi.json",
        "tag": "sea",  # the web client's pages
    }
    return values, bearer(admin)


# Share links have slugs of their own.
_SHARE_PATHS = ("/api/shared/", "/s/")


def _concrete(route: HTTPRoute, values: dict[str, str]) -> str:
    if route.path.startswith(WEB_STATIC_PATH):  # the web client's modules, not the docs' assets
        values = {**values, "file_path": "app.js"}
    share = route.path.startswith(_SHARE_PATHS)
    return _PARAMETER.sub(
        lambda m: values["share_slug" if share and m.group(1) == "slug" else m.group(1)], route.path
    )


def _routes(app: Litestar) -> list[HTTPRoute]:
    routes = [route for route in app.routes if isinstance(route, HTTPRoute)]
    assert len(routes) >= 25  # the whole table, not a hand-picked few
    return routes


async def test_head_answers_as_get_without_the_body(
    app: Litestar, client: Client, settings: Settings, subtests: pytest.Subtests
) -> None:
    values, admin = await _world(client, settings)
    gets = [route for route in _routes(app) if "GET" in route.methods]
    assert {"/images/t/{spec:str}/{key:str}", "/t/{slug:str}", "/api/links/{slug:str}/qr"} <= {
        route.path for route in gets
    }
    for route in gets:
        path = _concrete(route, values)
        with subtests.test(msg=path):
            got = await client.get(path, headers=admin, follow_redirects=False)
            head = await client.head(path, headers=admin, follow_redirects=False)
            assert got.status_code < 400, (got.status_code, got.text)
            assert head.status_code == got.status_code
            assert _headers(head, path) == _headers(got, path)
            assert head.content == b""


async def test_options_and_405_list_exactly_the_paths_methods(
    app: Litestar, client: Client, settings: Settings, subtests: pytest.Subtests
) -> None:
    values, _ = await _world(client, settings)
    for route in _routes(app):
        path = _concrete(route, values)
        expected = _expected_allow(route)
        with subtests.test(msg=path):
            options = await client.options(path)
            assert options.status_code == 204
            assert _allow(options) == expected
            for method in ("TRACE", *sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - expected)):
                refused = await client.request(method, path)
                assert refused.status_code == 405, (method, refused.status_code)
                assert _allow(refused) == expected, method
            # Anonymous, so nothing is changed: each advertised method is routed (401, 400, ...).
            for method in expected:
                assert (await client.request(method, path)).status_code != 405, method
