"""With Cloudinary, variants are delivery URLs (sized, format and quality by the CDN): the job
renders nothing and calls no API; the placeholder is made at upload, from the bytes in hand."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import anyio
import fast_thumbhash
import pytest
from dishka import Provider, Scope, provide
from litestar.testing import AsyncTestClient

from photoshare.adapters.storage.cloudinary import CloudinaryImageStore
from photoshare.application.ports.images import ImageStore
from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, member
from tests.integration.cloudinary_stub import CloudinaryStub
from tests.integration.jobs import drain
from tests.integration.photo_helpers import encoded, uploaded

CLOUD, KEY, SECRET = "demo", "key", "secret"


class Stubbed(Provider):
    scope = Scope.APP

    def __init__(self, stub_url: str) -> None:
        super().__init__()
        self._stub_url = stub_url

    @provide(override=True)
    def image_store(self) -> ImageStore:
        return CloudinaryImageStore(
            f"cloudinary://{KEY}:{SECRET}@{CLOUD}", anyio.CapacityLimiter(2), upload_prefix=self._stub_url
        )


@pytest.fixture
def stub() -> Iterator[CloudinaryStub]:
    with CloudinaryStub(CLOUD, KEY, SECRET) as running:
        yield running


@pytest.fixture
def cloud_settings(settings: Settings) -> Settings:
    return replace(settings, cloudinary_url=f"cloudinary://{KEY}:{SECRET}@{CLOUD}")


@pytest.fixture
async def cloud_client(cloud_settings: Settings, stub: CloudinaryStub) -> AsyncIterator[Client]:
    async with AsyncTestClient(
        create_app(cloud_settings, Stubbed(stub.url)), base_url="http://testserver.local"
    ) as c:
        yield c


async def test_variants_are_cdn_urls_and_the_placeholder_is_made_at_upload(
    cloud_client: Client, cloud_settings: Settings, stub: CloudinaryStub
) -> None:
    token = (await member(cloud_client, "alice"))["access_token"]
    photo = await uploaded(cloud_client, token, encoded("JPEG", (1600, 900)))

    assert photo["status"] == "processing"
    width, height, _ = fast_thumbhash.thumb_hash_to_rgba(base64.b64decode(photo["placeholder"]))
    assert width > height

    await drain(cloud_settings, override=(Stubbed(stub.url),))

    ready = (await cloud_client.get(f"/api/photos/{photo['id']}")).json()
    assert ready["status"] == "ready"
    assert ready["placeholder"] == photo["placeholder"]
    public_id = f"photoshare/{photo['id']}"
    assert {v["name"]: v["url"] for v in ready["variants"]} == {
        name: f"https://res.cloudinary.com/{CLOUD}/image/upload/c_limit,f_auto,h_{side},q_auto,w_{side}/v1/{public_id}"
        for name, side in {"thumb": 256, "small": 640, "medium": 1280, "large": 2048}.items()
    }
    assert {v["name"]: (v["width"], v["height"]) for v in ready["variants"]}["thumb"] == (256, 144)
    assert [r.action for r in stub.received] == ["upload"]  # the job called no API
