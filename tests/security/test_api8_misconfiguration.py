"""OWASP API8:2023 Security Misconfiguration.

Covers: security headers (`X-Content-Type-Options: nosniff`, a Content-Security-Policy,
`Referrer-Policy`, `X-Frame-Options`) on every kind of answer: JSON, images, QR codes,
redirects, problem details (including the router's own 404 and 405) and the API docs; no CORS
unless origins are configured, and then only those origins, without credentials; token answers
never cached; error answers that carry no stack trace, SQL, driver or framework names, file
paths or secrets, for every client error the contract names and for an unexpected failure;
no server or framework version in the headers; `TRACE` refused; images served inline under
their true content type.

Out of scope: TLS and HSTS (the reverse proxy's), and the server's own `Server` header
(granian's, set at deployment).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import ProgrammingError

from photoshare.application.readmodels import PhotoQueries, PhotoSearch, TagPage, TagQueries
from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer
from tests.integration.photo_helpers import BASE, encoded, path_of, upload
from tests.security.world import World

API_CSP = re.compile(r"default-src 'none'")
ORIGIN = "https://app.example"


def assert_security_headers(response: Any, *, docs: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    if docs:
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert "unsafe-eval" not in csp
    else:
        assert API_CSP.search(csp), csp


def assert_no_leak(response: Any, settings: Settings) -> None:
    text = response.text
    for needle in (
        "Traceback",
        'File "',
        ".py",
        "sqlalchemy",
        "psycopg",
        "litestar",
        "msgspec",
        "/work/",
        "/tmp/",
    ):
        assert needle.lower() not in text.lower(), (needle, text)
    assert settings.secret_key
    assert settings.secret_key not in text
    assert "SELECT" not in text
    assert "x-powered-by" not in response.headers
    server = response.headers.get("server", "")
    assert not re.search(r"\d", server), server


async def test_every_kind_of_answer_carries_the_security_headers(client: Client, world: World) -> None:
    photo = (await client.get(world.path("/api/photos/{photo}"))).json()
    checks: list[tuple[str, str, dict[str, Any], bool]] = [
        ("GET", "/api/photos", {}, False),
        ("GET", world.path("/api/photos/{photo}"), {}, False),
        ("GET", "/api/users/me", {"headers": world.headers("alice")}, False),
        ("POST", "/api/auth/login", {"json": {"username": "alice", "password": PASSWORD}}, False),
        ("GET", path_of(photo["url"]), {}, False),
        ("GET", f"/api/links/{world.slug}/qr", {}, False),
        ("GET", f"/api/links/{world.slug}/qr?format=svg", {}, False),
        ("GET", f"/t/{world.slug}", {}, False),
        ("GET", "/health", {}, False),
        ("GET", "/api/users/me", {}, False),  # 401
        ("GET", "/api/photos?owner=alice", {}, False),  # 403
        ("GET", f"/api/photos/{uuid.uuid4()}", {}, False),  # 404 from a handler
        ("GET", "/no/such/route", {}, False),  # 404 from the router
        ("GET", "/api/photos/not-a-uuid", {}, False),  # 404 from the router
        ("DELETE", "/api/tags", {}, False),  # 405 from the router
        ("TRACE", "/api/photos", {}, False),  # 405
        ("GET", "/schema/openapi.json", {}, True),
        ("GET", "/schema/swagger", {}, True),
        ("GET", "/schema/redoc", {}, True),
        ("GET", "/static/docs/no-such-asset.js", {}, True),  # 404 under the docs
    ]
    for method, path, options, docs in checks:
        response = await client.request(method, path, follow_redirects=False, **options)
        assert response.status_code < 500, (method, path)
        try:
            assert_security_headers(response, docs=docs)
        except (AssertionError, KeyError) as error:
            raise AssertionError(
                f"{method} {path} -> {response.status_code}: {dict(response.headers)}"
            ) from error


async def test_trace_is_refused(refusing_client: Client) -> None:
    for path in ("/api/photos", "/health", "/schema/openapi.json"):
        assert_problem(await refusing_client.request("TRACE", path), 405)


async def test_images_are_inline_under_their_true_type(client: Client, world: World) -> None:
    for fmt, declared, expected in (("PNG", "image/jpeg", "image/png"), ("GIF", "image/png", "image/gif")):
        uploaded = await upload(
            client, world.tokens["alice"], encoded(fmt), filename="x.jpg", content_type=declared
        )
        assert uploaded.status_code == 201
        image = await client.get(path_of(uploaded.json()["url"]))
        assert image.status_code == 200
        assert image.headers["content-type"] == expected
        assert image.headers["content-disposition"] == "inline"
        assert image.headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in image.headers["content-security-policy"]


async def test_token_answers_are_never_cached(client: Client) -> None:
    body = {"username": "alice", "email": "alice@example.org", "password": PASSWORD}
    assert (await client.post("/api/auth/signup", json=body)).status_code == 201
    login = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    refresh = await client.post("/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})
    for response in (login, refresh):
        assert response.status_code == 200
        assert "no-store" in response.headers.get("cache-control", ""), response.headers


# --- CORS -----------------------------------------------------------------------------------------


async def test_no_cors_by_default(refusing_client: Client) -> None:
    simple = await refusing_client.get("/api/photos", headers={"Origin": ORIGIN})
    assert simple.status_code == 200
    preflight = await refusing_client.options(
        "/api/photos",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    for response in (simple, preflight):
        assert not any(name.lower().startswith("access-control-") for name in response.headers), (
            response.headers
        )


@pytest.fixture
async def cors_client(settings: Settings) -> AsyncIterator[Client]:
    app = create_app(replace(settings, cors_origins=(ORIGIN,)))
    async with AsyncTestClient(app, base_url=BASE) as client:
        yield client


async def test_cors_only_for_configured_origins_and_without_credentials(cors_client: Client) -> None:
    request_headers = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    allowed = await cors_client.options("/api/photos", headers={"Origin": ORIGIN} | request_headers)
    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    simple = await cors_client.get("/api/photos", headers={"Origin": ORIGIN})
    assert simple.headers["access-control-allow-origin"] == ORIGIN
    for response in (allowed, simple):
        assert response.headers.get("access-control-allow-credentials", "false") != "true"
    for origin in ("https://evil.example", "https://app.example.evil.example", "http://app.example", "null"):
        preflight = await cors_client.options("/api/photos", headers={"Origin": origin} | request_headers)
        get = await cors_client.get("/api/photos", headers={"Origin": origin})
        for response in (preflight, get):
            assert response.headers.get("access-control-allow-origin") not in (origin, "*"), (
                origin,
                response.headers,
            )


# --- errors ---------------------------------------------------------------------------------------


async def test_client_errors_reveal_nothing_about_the_inside(
    client: Client, world: World, settings: Settings, subtests: pytest.Subtests
) -> None:
    json_header = {"content-type": "application/json"}
    provoked: list[tuple[int, str, str, dict[str, Any]]] = [
        (400, "POST", "/api/auth/signup", {"content": b'{"username": ', "headers": json_header}),
        (
            400,
            "PATCH",
            "/api/users/me",
            {"content": b"[" * 5000, "headers": world.headers("alice") | json_header},
        ),
        (400, "GET", "/api/photos?created_from=yesterday%27%3B%20DROP%20TABLE%20photos%3B--", {}),
        (400, "GET", "/api/photos?limit=abc", {}),
        (401, "GET", "/api/users/me", {"headers": bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")}),
        (401, "POST", "/api/auth/login", {"json": {"username": "alice", "password": "wrong-password"}}),
        (403, "PUT", "/api/users/bob/role", {"json": {"role": "admin"}, "headers": world.headers("alice")}),
        (404, "GET", f"/api/photos/{uuid.uuid4()}", {}),
        (404, "GET", "/api/users/nobody%27--", {}),
        (404, "GET", "/../../etc/passwd", {}),
        (405, "PATCH", "/api/photos", {}),
        (
            409,
            "POST",
            "/api/auth/signup",
            {"json": {"username": "ALICE", "email": "x@example.org", "password": PASSWORD}},
        ),
        (413, "PATCH", "/api/users/me", {"json": {"bio": "b" * 70_000}, "headers": world.headers("alice")}),
        (
            415,
            "POST",
            "/api/photos",
            {
                "files": {"file": ("x.jpg", b"GIF89a but not really", "image/gif")},
                "headers": world.headers("alice"),
            },
        ),
    ]
    for status, method, path, options in provoked:
        with subtests.test(msg=f"{status} {method} {path[:50]}"):
            response = await client.request(method, path, **options)
            assert_problem(response, status)
            assert_no_leak(response, settings)


class _ExplodingQueries:
    """Read models that fail the way a bug or a broken query would, with telling messages."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    async def page(self, q: str | None, limit: int, offset: int) -> TagPage:
        raise RuntimeError(f"Traceback: /work/main/src/photoshare/x.py key={self._secret}")

    async def get(self, photo_id: uuid.UUID) -> Any:
        raise ProgrammingError(
            "SELECT password_hash FROM users WHERE id = %(id)s", {"id": 1}, Exception("psycopg")
        )

    async def search(self, search: PhotoSearch) -> Any:
        raise ProgrammingError("SELECT * FROM photos", {}, Exception("relation does not exist"))


async def test_an_unexpected_failure_is_a_bare_500(settings: Settings) -> None:
    assert settings.secret_key
    exploding = _ExplodingQueries(settings.secret_key)

    class Broken(Provider):
        scope = Scope.APP

        @provide
        def tags(self) -> TagQueries:
            return exploding

        @provide
        def photos(self) -> PhotoQueries:
            return exploding  # type: ignore[return-value]  # explodes before anything else is asked

    app: Litestar = create_app(settings, Broken())
    assert app.debug is False
    async with AsyncTestClient(app, base_url=BASE) as client:
        for path in ("/api/tags", f"/api/photos/{uuid.uuid4()}", "/api/photos"):
            response = await client.get(path)
            body = assert_problem(response, 500)
            assert set(body) <= {"status", "title", "detail", "type"}
            assert body["detail"] == "an unexpected error occurred; it has been logged"
            assert_no_leak(response, settings)
            assert_security_headers(response)
