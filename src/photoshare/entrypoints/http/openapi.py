"""OpenAPI configuration whose Swagger UI and ReDoc pages work offline.

The JS/CSS of both UIs is vendored under ``static/docs`` (see the README there)
and served by :func:`docs_static_router`, so the pages load no asset from a CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, OAuthFlow, OAuthFlows, SecurityScheme, Tag
from litestar.static_files import create_static_files_router

from photoshare.entrypoints.http.openapi_answers import document_answers

__all__ = [
    "BEARER_SCHEME",
    "DOCS_STATIC_DIR",
    "DOCS_STATIC_PATH",
    "OAUTH2_SCHEME",
    "SECURITY",
    "docs_static_router",
    "openapi_config",
]

#: Versions of the vendored npm packages; bump together with the files (they bust browser caches).
SWAGGER_UI_VERSION = "5.35.0"
REDOC_VERSION = "2.5.4"

DOCS_STATIC_DIR = Path(__file__).with_name("static") / "docs"
DOCS_STATIC_PATH = "/static/docs"

BEARER_SCHEME = "BearerToken"
OAUTH2_SCHEME = "OAuth2Password"
#: Security requirement for protected handlers: either scheme carries the same bearer token.
SECURITY: list[dict[str, list[str]]] = [{BEARER_SCHEME: []}, {OAUTH2_SCHEME: []}]

TOKEN_URL = "/api/auth/token"

_ONE_YEAR = 365 * 24 * 60 * 60


#: The document's sections, in the order a newcomer meets them.
TAGS = [
    Tag(
        name="auth",
        description="Accounts and tokens: sign up, log in (JSON or the OAuth2 form), refresh, log out.",
    ),
    Tag(name="users", description="Your own account, public profiles, and admin account management."),
    Tag(name="photos", description="Upload, read, edit, delete and search photos; tags come with them."),
    Tag(name="links", description="Transformed versions of a photo as short links with QR codes."),
    Tag(
        name="comments",
        description="Comments on photos: anyone reads, users write, authors edit, staff delete.",
    ),
    Tag(
        name="ratings",
        description="Ratings 1-5: once per user per photo, never your own; staff list and remove.",
    ),
    Tag(name="tags", description="The service-wide tags and how many photos use each."),
    Tag(name="albums", description="Ordered albums of photos, with a cover and a visibility."),
    Tag(
        name="shares",
        description="Share links to a photo or an album: expiring, optionally password-protected "
        "and view-limited, with QR codes.",
    ),
    Tag(name="images", description="Image bytes, when the service stores images itself (no Cloudinary)."),
    Tag(name="service", description="Health of the service and its dependencies."),
]


def _asset(package: str, name: str, version: str) -> str:
    """URL of a vendored file; the version query changes the URL whenever the files change."""
    return f"{DOCS_STATIC_PATH}/{package}/{name}?v={version}"


def _favicon() -> str:
    href = _asset("swagger-ui", "favicon-32x32.png", SWAGGER_UI_VERSION)
    return f"<link rel='icon' type='image/png' href='{href}'>"


def _components() -> Components:
    return Components(
        security_schemes={
            BEARER_SCHEME: SecurityScheme(
                type="http",
                scheme="bearer",
                bearer_format="JWT",
                description="Access token from POST /api/auth/login.",
            ),
            OAUTH2_SCHEME: SecurityScheme(
                type="oauth2",
                flows=OAuthFlows(password=OAuthFlow(token_url=TOKEN_URL, scopes={})),
                description="OAuth2 password flow against POST /api/auth/token (what Swagger's Authorize uses).",
            ),
        }
    )


class _SwaggerWithAnswers(SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, document_answers(openapi_schema))


class _RedocWithAnswers(RedocRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, document_answers(openapi_schema))


class _JsonWithAnswers(JsonRenderPlugin):
    """`/schema/openapi.json` with the answers as the app really sends them (see openapi_answers)."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, document_answers(openapi_schema))


def openapi_config(version: str) -> OpenAPIConfig:
    """OpenAPI config at ``/schema``: Swagger UI (also the root) and ReDoc, both from local assets."""
    swagger = _SwaggerWithAnswers(
        js_url=_asset("swagger-ui", "swagger-ui-bundle.js", SWAGGER_UI_VERSION),
        css_url=_asset("swagger-ui", "swagger-ui.css", SWAGGER_UI_VERSION),
        standalone_preset_js_url=_asset("swagger-ui", "swagger-ui-standalone-preset.js", SWAGGER_UI_VERSION),
        path="/swagger",
        favicon=_favicon(),
    )
    redoc = _RedocWithAnswers(
        js_url=_asset("redoc", "redoc.standalone.js", REDOC_VERSION),
        google_fonts=False,
        path="/redoc",
        favicon=_favicon(),
    )
    return OpenAPIConfig(
        title="PhotoShare",
        version=version,
        path="/schema",
        render_plugins=[swagger, redoc, _JsonWithAnswers()],
        components=_components(),
        tags=TAGS,
        description="A photo-sharing REST service. Errors are RFC 9457 problem details "
        "(`application/problem+json`). Protected operations take `Authorization: Bearer <access_token>`.",
    )


def docs_static_router() -> Router:
    """Router serving the vendored docs assets under ``/static/docs``, cached for a year."""
    return create_static_files_router(
        path=DOCS_STATIC_PATH,
        directories=[DOCS_STATIC_DIR],
        name="docs-static",
        cache_control=CacheControlHeader(max_age=_ONE_YEAR, public=True),
        include_in_schema=False,
    )
