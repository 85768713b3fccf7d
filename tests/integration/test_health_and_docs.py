"""Service rows of the contract: health, the OpenAPI document, and problem details for routing errors."""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem

ACCOUNT_OPERATIONS = {
    "/api/auth/signup": {"post"},
    "/api/auth/login": {"post"},
    "/api/auth/refresh": {"post"},
    "/api/auth/logout": {"post"},
    "/api/users/me": {"get", "patch"},
    "/api/users/{username}": {"get"},
    "/api/users/{username}/role": {"put"},
    "/api/users/{username}/ban": {"post"},
    "/api/users/{username}/unban": {"post"},
    "/health": {"get"},
}


@pytest.fixture
def dead_database_settings(settings: Settings) -> Iterator[Settings]:
    nowhere = Path(tempfile.mkdtemp(prefix="ps-nodb-"))  # a socket directory with no server in it
    yield dataclasses.replace(
        settings, database_url=f"postgresql+psycopg://postgres@/photoshare?host={nowhere}"
    )
    shutil.rmtree(nowhere, ignore_errors=True)


async def test_health_reports_ok_with_the_database_up(client: Client) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "valkey": "not configured", "failed_jobs": 0}


async def test_health_is_503_when_the_database_is_down(dead_database_settings: Settings) -> None:
    async with AsyncTestClient(create_app(dead_database_settings), base_url="http://testserver.local") as c:
        response = await c.get("/health")
    assert response.status_code == 503
    assert (response.json()["status"], response.json()["database"]) == ("degraded", "down")


async def test_openapi_document_lists_every_account_operation(refusing_client: Client) -> None:
    response = await refusing_client.get("/schema/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in ACCOUNT_OPERATIONS.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path


async def test_openapi_marks_account_writes_as_needing_a_bearer_token(refusing_client: Client) -> None:
    document = (await refusing_client.get("/schema/openapi.json")).json()
    protected = [
        ("/api/auth/logout", "post"),
        ("/api/users/me", "get"),
        ("/api/users/me", "patch"),
        ("/api/users/{username}/role", "put"),
        ("/api/users/{username}/ban", "post"),
    ]
    for path, method in protected:
        assert document["paths"][path][method].get("security"), (path, method)
    assert not document["paths"]["/api/users/{username}"]["get"].get("security")


@pytest.mark.parametrize("page", ["/schema/swagger", "/schema/redoc"])
async def test_interactive_docs_are_served(refusing_client: Client, page: str) -> None:
    response = await refusing_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", ["/no/such/route", "/api/auth/nope", "/api/users/alice/nope"])
async def test_unknown_route_is_404_problem(refusing_client: Client, path: str) -> None:
    assert_problem(await refusing_client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/auth/signup"), ("DELETE", "/api/users/me"), ("PUT", "/api/auth/login")],
)
async def test_wrong_method_is_405_problem(refusing_client: Client, method: str, path: str) -> None:
    assert_problem(await refusing_client.request(method, path), 405)


async def test_every_operation_has_a_unique_hand_given_id_summary_and_tag(refusing_client: Client) -> None:
    """Litestar's defaults were `ApiPhotosPhotoIdGetPhoto` and summaries such as "Remove"."""
    document = (await refusing_client.get("/schema/openapi.json")).json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+([A-Z][a-z]+)*", name) for name in ids), ids
    assert {
        "signUp",
        "logIn",
        "refreshTokens",
        "logOut",
        "getMe",
        "updateMe",
        "getProfile",
        "setRole",
    } <= set(ids)
    assert {
        "banUser",
        "unbanUser",
        "uploadPhoto",
        "getPhoto",
        "updatePhoto",
        "deletePhoto",
        "searchPhotos",
    } <= set(ids)
    assert {"createTransformation", "listTransformations", "deleteTransformation", "getLinkQr"} <= set(ids)
    assert {"followLink", "listComments", "addComment", "editComment", "deleteComment", "ratePhoto"} <= set(
        ids
    )
    assert {"listRatings", "deleteRating", "listTags", "health"} <= set(ids)
    assert {
        "createAlbum",
        "getAlbum",
        "updateAlbum",
        "deleteAlbum",
        "listAlbumPhotos",
        "addAlbumPhoto",
        "removeAlbumPhoto",
        "listUserAlbums",
    } <= set(ids)
    assert {
        "sharePhoto",
        "shareAlbum",
        "listShares",
        "getShare",
        "updateShare",
        "deleteShare",
        "openShared",
        "getSharedQr",
    } <= set(ids)
    summaries = [op["summary"] for op in operations]
    assert len(summaries) == len(set(summaries))
    assert all(op.get("description") for op in operations)
    described = {tag["name"] for tag in document["tags"] if tag.get("description")}
    assert {tag for op in operations for tag in op["tags"]} <= described
