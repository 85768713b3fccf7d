"""What a phone does: scan the QR code, open the short link, follow the redirect, get the transformed image."""

from __future__ import annotations

import io
from typing import Any

import pytest
import zxingcpp
from PIL import Image, ImageChops

from tests.integration.accounts import Client, member
from tests.integration.photo_helpers import encoded, linked, opened, path_of, uploaded


@pytest.fixture
async def photo_and_token(client: Client) -> tuple[dict[str, Any], str]:
    token = (await member(client, "alice"))["access_token"]
    return await uploaded(client, token, encoded("JPEG", (800, 600))), token


def has_colour(image: Image.Image) -> bool:
    """False only when every pixel has r == g == b."""
    red, green, blue = image.convert("RGB").split()
    return bool(ImageChops.difference(red, green).getbbox() or ImageChops.difference(green, blue).getbbox())


async def scan_and_follow(client: Client, link: dict[str, Any]) -> Image.Image:
    """Decode the QR image, open what it says, follow the redirect, return the image found there."""
    qr = await client.get(path_of(link["qr_url"]))
    assert qr.status_code == 200
    with Image.open(io.BytesIO(qr.content)) as code:
        found = zxingcpp.read_barcodes(code)
    assert [b.format for b in found] == [zxingcpp.BarcodeFormat.QRCode]
    scanned = found[0].text
    assert scanned == link["link"]

    redirect = await client.get(path_of(scanned), follow_redirects=False)
    assert redirect.status_code == 302
    image = await client.get(path_of(redirect.headers["location"]))
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/")
    return opened(image.content)


async def test_scanned_qr_leads_to_the_transformed_image(
    client: Client, photo_and_token: tuple[dict[str, Any], str]
) -> None:
    photo, token = photo_and_token
    original = opened((await client.get(path_of(photo["url"]))).content)
    assert has_colour(original)

    link = await linked(client, token, photo["id"], width=300, crop="fill", height=200, effect="grayscale")
    image = await scan_and_follow(client, link)

    assert image.size == (300, 200)
    assert not has_colour(image), "a grayscale rendering has no colour left"


async def test_scanned_qr_of_a_300_wide_fill_is_300_wide(
    client: Client, photo_and_token: tuple[dict[str, Any], str]
) -> None:
    photo, token = photo_and_token
    link = await linked(client, token, photo["id"], width=300, crop="fill")

    image = await scan_and_follow(client, link)

    assert image.width == 300
