"""Cloudinary failing or timing out mid-upload: 502/503, no photo row, no orphaned asset.

The app runs with a CLOUDINARY_URL and the real SDK, pointed at the local stub of
Cloudinary's Upload API (`tests/integration/cloudinary_stub.py`) by a provider that
replaces the image store.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import anyio
import psycopg
import pytest
from dishka import Provider, Scope, provide
from litestar import Litestar
from litestar.testing import AsyncTestClient

from photoshare.adapters.storage.cloudinary import CloudinaryImageStore
from photoshare.application.ports.images import ImageStore
from photoshare.config import Settings, libpq_url
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.cloudinary_stub import CloudinaryStub
from tests.integration.photo_helpers import upload

CLOUD, KEY, SECRET = "demo", "key", "secret"
SDK_TIMEOUT = 1.0


class StubbedCloudinary(Provider):
    """The Cloudinary image store, sending its API calls to the stub."""

    scope = Scope.APP

    def __init__(self, stub_url: str) -> None:
        super().__init__()
        self._stub_url = stub_url

    @provide(override=True)
    def image_store(self) -> ImageStore:
        return CloudinaryImageStore(
            f"cloudinary://{KEY}:{SECRET}@{CLOUD}",
            anyio.CapacityLimiter(2),
            upload_prefix=self._stub_url,
            timeout=SDK_TIMEOUT,
        )


@pytest.fixture
def stub() -> Iterator[CloudinaryStub]:
    with CloudinaryStub(CLOUD, KEY, SECRET, slow_seconds=SDK_TIMEOUT + 0.5) as running:
        yield running


@pytest.fixture
async def cloudinary_client(settings: Settings, stub: CloudinaryStub) -> AsyncIterator[Client]:
    app: Litestar = create_app(
        replace(settings, cloudinary_url=f"cloudinary://{KEY}:{SECRET}@{CLOUD}"), StubbedCloudinary(stub.url)
    )
    async with AsyncTestClient(app, base_url="http://testserver.local") as client:
        yield client


def photo_rows(database_url: str) -> int:
    with psycopg.connect(libpq_url(database_url)) as conn:
        row = conn.execute("SELECT count(*) FROM photos").fetchone()
    assert row is not None
    return int(row[0])


def uploads_to(stub: CloudinaryStub) -> list[str]:
    return [r.fields["public_id"] for r in stub.received if r.action == "upload"]


def destroys_at(stub: CloudinaryStub) -> list[str]:
    return [r.fields["public_id"] for r in stub.received if r.action == "destroy"]


async def assert_nothing_kept(client: Client, token: str, database_url: str) -> None:
    page = (await client.get("/api/photos")).json()
    assert (page["total"], page["items"]) == (0, [])
    assert photo_rows(database_url) == 0
    assert (await client.get("/api/users/me", headers=bearer(token))).json()["photo_count"] == 0


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("server_error", 503),  # 500 with a JSON error
        ("bad_gateway", 503),  # 502 with an HTML page
        ("bad_request", 502),  # Cloudinary refuses the request itself
    ],
)
async def test_a_failed_upload_answers_502_or_503_and_keeps_nothing(
    cloudinary_client: Client, stub: CloudinaryStub, database_url: str, mode: str, status: int
) -> None:
    token = (await member(cloudinary_client, "alice"))["access_token"]
    stub.mode = mode  # type: ignore[assignment]

    body = assert_problem(await upload(cloudinary_client, token), status)

    assert "Cloudinary" not in body["detail"]  # its own words stay in the log
    await assert_nothing_kept(cloudinary_client, token, database_url)
    assert len(uploads_to(stub)) == 1
    assert stub.assets == {}

    stub.mode = "success"  # and once it works again, so does the service
    created = await upload(cloudinary_client, token)
    assert created.status_code == 201, created.text
    assert list(stub.assets) == [uploads_to(stub)[-1]]


async def test_a_timed_out_upload_answers_503_and_the_asset_it_may_have_left_is_destroyed(
    cloudinary_client: Client, stub: CloudinaryStub, database_url: str
) -> None:
    """A timeout says nothing about the upload: Cloudinary may store it after we gave up (the stub
    does, `slow_seconds` after it got it). So the service destroys that public id too."""
    token = (await member(cloudinary_client, "alice"))["access_token"]
    stub.mode = "slow"

    started = time.monotonic()
    assert_problem(await upload(cloudinary_client, token), 503)

    assert time.monotonic() - started < 2 * SDK_TIMEOUT + 1.5  # the upload, then the destroy, each bounded
    await assert_nothing_kept(cloudinary_client, token, database_url)
    [public_id] = uploads_to(stub)
    assert destroys_at(stub) == [public_id]
    # The stub answers the destroy slowly too, so it lands after the upload it raced with: once
    # both handlers have run, nothing is left.
    await anyio.sleep(stub.slow_seconds + 0.5)
    assert stub.assets == {}
