"""The served document over real HTTP: HEAD as GET, one Allow per path, and a client
generated from `photoshare serve`'s own /schema/openapi.json that logs in, uploads, searches
and logs out."""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.journey import PASSWORD, bearer, jpeg, member, path_of, upload, wait_until_ready
from tests.e2e.server import Service
from tests.integration.test_generated_client import PACKAGE, generate_client


def _allow(response: httpx.Response) -> set[str]:
    return {m.strip() for m in response.headers["allow"].split(",")}


def test_head_answers_as_get_and_options_agrees_with_405(http: httpx.Client) -> None:
    _, token = member(http)
    photo = upload(http, token, tags="sea")
    wait_until_ready(http, photo["id"])  # else the variants job may change the ETag mid-test
    link = http.post(f"/api/photos/{photo['id']}/transformations", json={"width": 50}, headers=bearer(token))
    assert link.status_code == 201, link.text
    paths = [
        f"/api/photos/{photo['id']}",
        path_of(photo["url"]),
        path_of(link.json()["url"]),
        path_of(link.json()["qr_url"]),
        f"/t/{link.json()['slug']}",
    ]
    for path in paths:
        got = http.get(path, follow_redirects=False)
        head = http.head(path, follow_redirects=False)
        assert (head.status_code, head.content) == (got.status_code, b""), path
        assert head.headers.get("content-type") == got.headers.get("content-type"), path
        assert head.headers.get("etag") == got.headers.get("etag"), path
    path = f"/api/photos/{photo['id']}"
    expected = {"DELETE", "GET", "HEAD", "OPTIONS", "PUT"}
    assert _allow(http.options(path)) == expected
    refused = http.patch(path)
    assert refused.status_code == 405
    assert _allow(refused) == expected


@pytest.fixture
def generated(module_root: Path) -> Iterator[Path]:
    where = module_root / "client"
    where.mkdir()
    yield where
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def test_a_client_generated_from_the_running_service_logs_in_uploads_and_searches(
    service: Service, http: httpx.Client, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = generate_client(http.get("/schema/openapi.json").content, generated)
    assert "warning" not in output.lower(), output
    monkeypatch.syspath_prepend(str(generated))
    client = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    auth = {name: importlib.import_module(f"{PACKAGE}.api.auth.{name}") for name in ("log_in", "log_out")}
    photos = {
        name: importlib.import_module(f"{PACKAGE}.api.photos.{name}")
        for name in ("upload_photo", "search_photos")
    }

    username, _ = member(http)
    anonymous = client.Client(service.base_url)
    tokens = auth["log_in"].sync(client=anonymous, body=models.LoginIn(username=username, password=PASSWORD))
    assert isinstance(tokens, models.TokensOut), tokens
    me = client.AuthenticatedClient(service.base_url, token=tokens.access_token)
    photo = photos["upload_photo"].sync(
        client=me,
        body=models.UploadForm(
            file=types.File(payload=io.BytesIO(jpeg()), file_name="e2e.jpg", mime_type="image/jpeg"),
            tags=["generatedclient"],
        ),
    )
    assert isinstance(photo, models.PhotoView), photo
    page = photos["search_photos"].sync(client=anonymous, tag="generatedclient")
    assert [item.id for item in page.items] == [photo.id]
    assert auth["log_out"].sync_detailed(client=me, body=models.LogoutIn()).status_code == 204
