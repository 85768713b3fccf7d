"""CloudinaryImageStore with the real SDK against a local stub of Cloudinary's Upload API."""

from __future__ import annotations

import io
import socket
import time
from collections.abc import Iterator

import anyio
import cloudinary
import pytest
from PIL import Image

from photoshare.adapters.storage.cloudinary import CloudinaryImageStore
from photoshare.application.ports.images import CleanImage
from photoshare.domain.errors import InvalidInput, Unavailable, UpstreamFailed
from photoshare.domain.photos import Variant
from photoshare.domain.transformations import Transformation
from tests.integration.cloudinary_stub import CloudinaryStub

CLOUD, KEY, SECRET = "demo-cloud", "123456789012345", "s3cr3t-Value_xyz"
DELIVERY = f"https://res.cloudinary.com/{CLOUD}/image/upload"


@pytest.fixture
def stub() -> Iterator[CloudinaryStub]:
    with CloudinaryStub(CLOUD, KEY, SECRET) as running:
        yield running


def store_for(prefix: str, *, secret: str = SECRET, timeout: float = 5.0) -> CloudinaryImageStore:
    return CloudinaryImageStore(
        f"cloudinary://{KEY}:{secret}@{CLOUD}",
        anyio.CapacityLimiter(2),
        upload_prefix=prefix,
        timeout=timeout,
    )


@pytest.fixture
def store(stub: CloudinaryStub) -> CloudinaryImageStore:
    return store_for(stub.url)


def png_image() -> CleanImage:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 10, 10)).save(out, "PNG")
    return CleanImage(out.getvalue(), "image/png", "png", 30, 20)


# --- upload and destroy -------------------------------------------------------------------------


async def test_save_uploads_the_bytes_under_the_folder(
    store: CloudinaryImageStore, stub: CloudinaryStub
) -> None:
    image = png_image()

    await store.save("abc123.png", image)

    assert stub.assets == {"photoshare/abc123": image.data}
    request = stub.received[-1]
    assert request.action == "upload"
    assert request.fields["public_id"] == "photoshare/abc123"
    assert request.fields["signature"] == stub.expected_signature(request.fields)  # signed by the SDK


async def test_sha256_accounts_are_signed_with_sha256(stub: CloudinaryStub) -> None:
    stub.signature_algorithm = "sha256"
    store = CloudinaryImageStore(
        f"cloudinary://{KEY}:{SECRET}@{CLOUD}?signature_algorithm=sha256",
        anyio.CapacityLimiter(1),
        upload_prefix=stub.url,
    )

    await store.save("abc123.png", png_image())

    assert "photoshare/abc123" in stub.assets


async def test_wrong_api_secret_is_rejected_as_upstream_failure(stub: CloudinaryStub) -> None:
    store = store_for(stub.url, secret="not-the-secret")

    with pytest.raises(UpstreamFailed):
        await store.save("abc123.png", png_image())

    assert stub.received  # the request did reach the stub, which refused it
    assert stub.assets == {}


@pytest.mark.parametrize(
    ("mode", "error"),
    [("bad_request", UpstreamFailed), ("server_error", Unavailable), ("bad_gateway", Unavailable)],
)
async def test_http_errors_map_to_domain_errors(
    store: CloudinaryImageStore, stub: CloudinaryStub, mode: str, error: type[Exception]
) -> None:
    stub.mode = mode  # type: ignore[assignment]

    with pytest.raises(error):
        await store.save("abc123.png", png_image())


async def test_timeout_is_unavailable_and_bounded(stub: CloudinaryStub) -> None:
    stub.mode = "slow"
    store = store_for(stub.url, timeout=1.0)

    started = time.perf_counter()
    with pytest.raises(Unavailable):
        await store.save("abc123.png", png_image())

    assert time.perf_counter() - started < stub.slow_seconds


async def test_unreachable_cloudinary_is_unavailable() -> None:
    with socket.socket() as probe:  # a port that nothing listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = store_for(f"http://127.0.0.1:{port}", timeout=1.0)

    with pytest.raises(Unavailable):
        await store.save("abc123.png", png_image())


async def test_delete_destroys_the_asset(store: CloudinaryImageStore, stub: CloudinaryStub) -> None:
    await store.save("abc123.png", png_image())

    await store.delete("abc123.png")

    assert stub.assets == {}
    request = stub.received[-1]
    assert (request.action, request.fields["public_id"]) == ("destroy", "photoshare/abc123")
    assert request.fields["signature"] == stub.expected_signature(request.fields)


async def test_deleting_a_missing_asset_is_fine(store: CloudinaryImageStore, stub: CloudinaryStub) -> None:
    await store.delete("never-uploaded.png")

    assert stub.received[-1].action == "destroy"


async def test_unsafe_keys_are_refused_before_any_request(
    store: CloudinaryImageStore, stub: CloudinaryStub
) -> None:
    with pytest.raises(InvalidInput):
        await store.save("../other/abc.png", png_image())

    assert stub.received == []


def test_malformed_cloudinary_url_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="cloudinary://"):
        CloudinaryImageStore("https://key:secret@cloud", anyio.CapacityLimiter(1))


# --- delivery URLs ------------------------------------------------------------------------------


def test_original_url_is_the_secure_delivery_url(store: CloudinaryImageStore) -> None:
    assert store.original_url("abc123.jpg") == f"{DELIVERY}/v1/photoshare/abc123.jpg"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"width": 300, "crop": "fill"}, "c_fill,w_300"),
        ({"width": 300, "height": 200}, "h_200,w_300"),
        ({"width": 300, "height": 200, "crop": "fit"}, "c_fit,h_200,w_300"),
        ({"width": 100, "height": 100, "crop": "thumb", "gravity": "face"}, "c_thumb,g_face,h_100,w_100"),
        ({"width": 300, "height": 100, "crop": "crop", "gravity": "north"}, "c_crop,g_north,h_100,w_300"),
        ({"width": 300, "height": 300, "crop": "pad", "gravity": "west"}, "c_pad,g_west,h_300,w_300"),
        ({"width": 300, "crop": "fill", "gravity": "auto"}, "c_fill,g_auto,w_300"),
        ({"effect": "grayscale"}, "e_grayscale"),
        ({"effect": "sepia"}, "e_sepia"),
        ({"effect": "pixelate"}, "e_pixelate"),
        ({"radius": "max"}, "r_max"),
        ({"radius": 20}, "r_20"),
        ({"angle": 90}, "a_90"),
        ({"angle": -45}, "a_-45"),
        ({"quality": 80}, "q_80"),
    ],
)
def test_transformed_url_carries_each_option(
    store: CloudinaryImageStore, options: dict[str, object], expected: str
) -> None:
    url = store.transformed_url("abc123.jpg", Transformation(**options))  # type: ignore[arg-type]

    assert url == f"{DELIVERY}/{expected}/v1/photoshare/abc123.jpg"


def test_format_changes_the_delivered_extension(store: CloudinaryImageStore) -> None:
    url = store.transformed_url("abc123.jpg", Transformation(width=300, format="webp"))

    assert url == f"{DELIVERY}/w_300/v1/photoshare/abc123.webp"


def test_gravity_is_left_out_where_cloudinary_ignores_or_refuses_it(store: CloudinaryImageStore) -> None:
    url = store.transformed_url("abc123.jpg", Transformation(width=300, gravity="auto"))

    assert "g_" not in url


@pytest.fixture
def polluted_global_config(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://999:other-secret@someone-else?cname=evil.example")
    cloudinary.reset_config()
    cloudinary.config(secure=False, sign_url=True, dpr=2)
    yield
    monkeypatch.undo()
    cloudinary.reset_config()


@pytest.mark.usefixtures("polluted_global_config")
async def test_global_sdk_config_does_not_leak_in(store: CloudinaryImageStore, stub: CloudinaryStub) -> None:
    assert store.original_url("abc123.jpg") == f"{DELIVERY}/v1/photoshare/abc123.jpg"
    assert (
        store.transformed_url("abc123.jpg", Transformation(width=10))
        == f"{DELIVERY}/w_10/v1/photoshare/abc123.jpg"
    )

    await store.save("abc123.png", png_image())  # still signed with this store's own key and secret

    assert stub.received[-1].fields["api_key"] == KEY
    assert "photoshare/abc123" in stub.assets


# --- private images: authenticated delivery ------------------------------------------------------

AUTHENTICATED = f"https://res.cloudinary.com/{CLOUD}/image/authenticated"


async def test_a_private_image_is_uploaded_for_authenticated_delivery(
    store: CloudinaryImageStore, stub: CloudinaryStub
) -> None:
    await store.save("abc123.png", png_image(), private=True)

    request = stub.received[-1]
    assert request.fields["type"] == "authenticated"
    assert request.fields["signature"] == stub.expected_signature(request.fields)
    assert stub.delivery == {"photoshare/abc123": "authenticated"}


async def test_set_private_moves_the_asset_between_delivery_types(
    store: CloudinaryImageStore, stub: CloudinaryStub
) -> None:
    await store.save("abc123.png", png_image())

    await store.set_private("abc123.png", True)
    assert stub.delivery == {"photoshare/abc123": "authenticated"}
    rename = stub.received[-1]
    assert (rename.action, rename.fields["type"], rename.fields["to_type"]) == (
        "rename",
        "upload",
        "authenticated",
    )
    assert rename.fields["signature"] == stub.expected_signature(rename.fields)

    await store.set_private("abc123.png", False)
    assert stub.delivery == {"photoshare/abc123": "upload"}


async def test_deleting_a_private_image_destroys_its_authenticated_asset(
    store: CloudinaryImageStore, stub: CloudinaryStub
) -> None:
    await store.save("abc123.png", png_image(), private=True)

    await store.delete("abc123.png", private=True)

    assert stub.assets == {}
    assert stub.received[-1].fields["type"] == "authenticated"


def test_signed_urls_use_authenticated_delivery_with_the_sdk_signature(store: CloudinaryImageStore) -> None:
    signed = store.original_url("abc123.jpg", signed=True)
    assert signed.startswith(f"{AUTHENTICATED}/s--")
    assert signed.endswith("/v1/photoshare/abc123.jpg")
    transformed = store.transformed_url("abc123.jpg", Transformation(width=300, crop="fill"), signed=True)
    assert transformed.startswith(f"{AUTHENTICATED}/s--")
    assert "/c_fill,w_300/" in transformed
    # The signature covers the transformation: another one gets another signature.
    other = store.transformed_url("abc123.jpg", Transformation(width=301, crop="fill"), signed=True)
    assert transformed.split("/")[6] != other.split("/")[6]
    # Public images keep their plain, stable URLs.
    assert store.original_url("abc123.jpg") == f"{DELIVERY}/v1/photoshare/abc123.jpg"


def test_variants_of_private_images_use_authenticated_delivery_too(store: CloudinaryImageStore) -> None:
    thumb = Variant("thumb", 200, 150)
    signed = store.variant_url("abc123.jpg", thumb, signed=True)
    assert signed.startswith(f"{AUTHENTICATED}/s--")
    assert "c_limit" in signed
    # The signature covers the size: another variant gets another signature.
    large = store.variant_url("abc123.jpg", Variant("large", 2000, 1500), signed=True)
    assert signed.split("/")[6] != large.split("/")[6]
    assert store.variant_url("abc123.jpg", thumb).startswith(f"{DELIVERY}/")


def test_with_a_token_key_signed_urls_also_expire() -> None:
    store = CloudinaryImageStore(
        f"cloudinary://{KEY}:{SECRET}@{CLOUD}?auth_token_key=00112233445566778899aabbccddeeff",
        anyio.CapacityLimiter(1),
    )
    url = store.original_url("abc123.jpg", signed=True)
    assert "__cld_token__=" in url
    assert "exp=" in url
