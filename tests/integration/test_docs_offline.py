"""Swagger UI and ReDoc pages load every asset from the app itself, never from a CDN."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from litestar import Litestar, get
from litestar.testing import TestClient

from photoshare.entrypoints.http.openapi import docs_static_router, openapi_config

CDN_MARKERS = ("cdn", "jsdelivr", "unpkg", "googleapis")


class _AssetRefs(HTMLParser):
    """Collects the ``src`` of scripts and the ``href`` of links."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.refs.extend(value for name, value in attrs if name == wanted and value)


def _asset_refs(html: str) -> list[str]:
    parser = _AssetRefs()
    parser.feed(html)
    return parser.refs


@get("/ping", sync_to_thread=False)
def ping() -> dict[str, str]:
    """A trivial endpoint so the schema has a path."""
    return {"status": "ok"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    app = Litestar(route_handlers=[docs_static_router(), ping], openapi_config=openapi_config("0.1.0"))
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc", "/schema"])
def test_docs_page_uses_only_local_assets(client: TestClient[Litestar], page: str) -> None:
    response = client.get(page)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for marker in CDN_MARKERS:
        assert marker not in html.lower()
    assert not re.findall(r"https?://", html), "the page must not reference another origin"
    refs = _asset_refs(html)
    assert refs, "the page should load its UI bundle"
    for ref in refs:
        assert ref.startswith("/static/docs/"), ref
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.content
        assert "max-age=31536000" in asset.headers["cache-control"]


def test_static_docs_are_not_in_the_schema(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]

    assert "/ping" in paths
    assert not any(path.startswith("/static") for path in paths)


def test_schema_declares_security_schemes(client: TestClient[Litestar]) -> None:
    schema = client.get("/schema/openapi.json").json()

    assert schema["info"]["title"] == "PhotoShare"
    assert schema["info"]["version"] == "0.1.0"
    schemes = schema["components"]["securitySchemes"]
    bearer = schemes["BearerToken"]
    assert (bearer["type"], bearer["scheme"], bearer["bearerFormat"]) == ("http", "bearer", "JWT")
    oauth2 = schemes["OAuth2Password"]
    assert oauth2["type"] == "oauth2"
    assert oauth2["flows"]["password"]["tokenUrl"] == "/api/auth/token"


def test_missing_asset_is_404(client: TestClient[Litestar]) -> None:
    assert client.get("/static/docs/swagger-ui/nope.js").status_code == 404
