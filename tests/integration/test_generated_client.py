"""A Python client generated from the served OpenAPI document works, as a newcomer uses it.

openapi-python-client (pinned in the dev extra) generates the client from
`/schema/openapi.json` without a single warning; the generated package is imported and
drives the journey: sign up, log in, upload, get, search, transform, comment, rate, log out.
"""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.integration.accounts import PASSWORD
from tests.integration.photo_helpers import encoded

PACKAGE = "photoshare_client"
BASE = "http://testserver.local"


def generate_client(document: bytes, where: Path) -> str:
    source = where / "openapi.json"
    source.write_bytes(document)
    venv_bin = Path(sys.executable).parent
    done = subprocess.run(
        [
            venv_bin / "openapi-python-client",
            "generate",
            "--path",
            source,
            "--meta",
            "none",
            "--output-path",
            where / PACKAGE,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=where,
        # Its post-generation hooks run ruff, from the same virtual environment.
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


@pytest.fixture
def generated(tmp_path: Path) -> Iterator[Path]:
    """Where the client is generated; its modules are forgotten again afterwards."""
    yield tmp_path
    for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def _modules(where: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    monkeypatch.syspath_prepend(str(where))
    names = {
        "client": "client",
        "types": "types",
        "models": "models",
        "auth": "api.auth",
        "photos": "api.photos",
        "links": "api.links",
        "comments": "api.comments",
        "ratings": "api.ratings",
        "users": "api.users",
    }
    return {key: importlib.import_module(f"{PACKAGE}.{name}") for key, name in names.items()}


def _op(package: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{package.__name__}.{name}")


async def test_a_generated_client_imports_cleanly_and_drives_the_journey(
    app: Litestar, concurrent_client: httpx.AsyncClient, generated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = (await concurrent_client.get("/schema/openapi.json")).content
    output = generate_client(document, generated)
    assert "warning" not in output.lower(), output

    m = _modules(generated, monkeypatch)
    models, types = m["models"], m["types"]
    transport = {"transport": httpx.ASGITransport(app=app)}  # type: ignore[arg-type]
    anonymous = m["client"].Client(base_url=BASE, httpx_args=transport)

    def as_user(token: str) -> Any:
        return m["client"].AuthenticatedClient(base_url=BASE, token=token, httpx_args=transport)

    async def joined(name: str) -> Any:
        signed = await _op(m["auth"], "sign_up").asyncio(
            client=anonymous,
            body=models.SignUpIn(username=name, email=f"{name}@example.org", password=PASSWORD),
        )
        assert isinstance(signed, models.MeView), signed
        tokens = await _op(m["auth"], "log_in").asyncio(
            client=anonymous, body=models.LoginIn(username=name, password=PASSWORD)
        )
        assert isinstance(tokens, models.TokensOut), tokens
        return tokens

    alice_tokens = await joined("alice")
    alice = as_user(alice_tokens.access_token)
    me = await _op(m["users"], "get_me").asyncio(client=alice)
    assert me.username == "alice"

    photo = await _op(m["photos"], "upload_photo").asyncio(
        client=alice,
        body=models.UploadForm(
            file=types.File(payload=io.BytesIO(encoded()), file_name="sea.jpg", mime_type="image/jpeg"),
            description="a blue sea",
            tags=["sea", "blue"],
        ),
    )
    assert isinstance(photo, models.PhotoView), photo
    assert sorted(photo.tags) == ["blue", "sea"]

    fetched = await _op(m["photos"], "get_photo").asyncio(client=anonymous, photo_id=photo.id)
    assert fetched.id == photo.id
    assert fetched.description == "a blue sea"

    found = await _op(m["photos"], "search_photos").asyncio(client=anonymous, q="sea")
    assert [item.id for item in found.items] == [photo.id]

    link = await _op(m["links"], "create_transformation").asyncio(
        client=alice,
        photo_id=photo.id,
        body=models.TransformationIn(width=40, crop=models.Crop.FILL, format_=models.Format.PNG),
    )
    assert isinstance(link, models.LinkView), link
    qr = await _op(m["links"], "get_link_qr").asyncio(client=anonymous, slug=link.slug)
    assert qr.payload.read().startswith(b"\x89PNG")

    bob = as_user((await joined("bob")).access_token)
    comment = await _op(m["comments"], "add_comment").asyncio(
        client=bob, photo_id=photo.id, body=models.CommentIn(text="lovely")
    )
    assert isinstance(comment, models.CommentView), comment
    assert comment.author.username == "bob"
    rating = await _op(m["ratings"], "rate_photo").asyncio(
        client=bob, photo_id=photo.id, body=models.RatingIn(value=5)
    )
    assert isinstance(rating, models.RatingCreated), rating
    rated = await _op(m["photos"], "get_photo").asyncio(client=anonymous, photo_id=photo.id)
    assert (rated.rating.average, rated.rating.count, rated.comment_count) == (5, 1, 1)

    out = await _op(m["auth"], "log_out").asyncio_detailed(
        client=alice, body=models.LogoutIn(refresh_token=alice_tokens.refresh_token)
    )
    assert out.status_code == 204
    after = await _op(m["users"], "get_me").asyncio_detailed(client=alice)
    assert after.status_code == 401
    assert isinstance(after.parsed, models.Problem)
