"""What an outside probe found on transformed images (issue 17, items 1, 2 and 9), pinned.

- A link whose image its format cannot hold, or that exceeds the pixel budget, used to be
  created (201) and then answer 500, or cost seconds on every GET: it is refused with 400
  problem details when it is created, because the photo's size is known then.
- A rendering that fails anyway answers problem details, never 500, and is not paid for again.
- An animated GIF's transformation is an animated GIF served as image/gif, not a still PNG.

Creating links is rate-limited per account: see test_api4_resource_consumption.py.
"""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image, ImageSequence

from photoshare.adapters.storage import rendering
from photoshare.config import Settings
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import BASE, linked, path_of, uploaded


def png(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, "PNG")
    return out.getvalue()


async def upload_png(client: Client, token: str, size: tuple[int, int]) -> str:
    response = await client.post(
        "/api/photos", files={"file": ("p.png", png(size), "image/png")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    photo_id: str = response.json()["id"]
    return photo_id


@pytest.mark.parametrize(
    ("size", "transformation", "limit"),
    [
        ((1, 70_000), {"format": "jpg"}, "65500"),
        ((20_000, 1), {"format": "webp"}, "16383"),
        ((17_000, 1), {"effect": "grayscale", "format": "webp"}, "16383"),
    ],
)
async def test_a_link_its_format_cannot_hold_is_400_when_created(
    client: Client, size: tuple[int, int], transformation: dict[str, object], limit: str
) -> None:
    token = (await member(client, "alice"))["access_token"]
    photo_id = await upload_png(client, token, size)

    response = await client.post(
        f"/api/photos/{photo_id}/transformations", json=transformation, headers=bearer(token)
    )

    body = assert_problem(response, 400)
    assert body["field"] == "transformation"
    assert limit in body["detail"]
    listed = await client.get(f"/api/photos/{photo_id}/transformations", headers=bearer(token))
    assert listed.json() == []
    # The same picture in a format that holds it is fine, and its image renders.
    fine = await linked(client, token, photo_id, format="png")
    image = await client.get(path_of(fine["url"]))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"


async def test_a_link_over_the_pixel_budget_is_400_when_created(settings: Settings) -> None:
    # The probe's 6000x6000 photo turned by -17 degrees, scaled down to a budget of 1 Mpx.
    small = replace(settings, max_image_pixels=1_000_000)
    async with AsyncTestClient(create_app(small), base_url=BASE) as client:
        token = (await member(client, "alice"))["access_token"]
        photo_id = await upload_png(client, token, (900, 900))  # 0.81 Mpx: accepted

        turned = await client.post(
            f"/api/photos/{photo_id}/transformations",
            json={"effect": "sharpen", "angle": -17, "format": "webp"},  # 1124 x 1124 once turned
            headers=bearer(token),
        )
        assert "too large" in assert_problem(turned, 400)["detail"]
        upright = await linked(client, token, photo_id, effect="sharpen", format="webp")
        assert (await client.get(path_of(upright["url"]))).status_code == 200


async def test_a_failing_rendering_is_problem_details_and_is_not_paid_again(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = (await member(client, "alice"))["access_token"]
    link = await linked(client, token, await upload_png(client, token, (40, 30)), width=20)
    renders: list[int] = []

    def failing(*_: object) -> bytes:
        renders.append(1)
        raise OSError("broken data stream when writing image file")  # Pillow's words for a bad encode

    monkeypatch.setattr(rendering, "render", failing)
    for _ in range(3):
        response = await client.get(path_of(link["url"]))
        body = assert_problem(response, 400)
        assert "OSError" not in response.text
        assert "broken data stream" not in body["detail"]

    # The short link still leads there, and the answer there stays the same, still unpaid.
    assert (await client.get(path_of(link["link"]), follow_redirects=False)).status_code == 302
    assert_problem(await client.get(path_of(link["link"])), 400)
    assert renders == [1]


def animated_gif(frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    colours = [(255, 0, 0), (0, 160, 0), (0, 0, 255)]
    pictures = [Image.new("RGB", size, colours[n % 3]) for n in range(frames)]
    out = io.BytesIO()
    pictures[0].save(out, "GIF", save_all=True, append_images=pictures[1:], duration=90, loop=0)
    return out.getvalue()


async def test_an_animated_gifs_transformation_is_an_animated_gif(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    response = await client.post(
        "/api/photos", files={"file": ("a.gif", animated_gif(3), "image/gif")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    link = await linked(client, token, response.json()["id"], width=20, effect="grayscale")
    assert link["url"].endswith(".gif")

    image = await client.get(path_of(link["url"]))

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/gif"
    with Image.open(io.BytesIO(image.content)) as gif:
        assert gif.format == "GIF"
        assert getattr(gif, "n_frames", 1) == 3
        shades = [frame.convert("L").getpixel((10, 7)) for frame in ImageSequence.Iterator(gif)]
        assert gif.size == (20, 15)
    assert len(set(shades)) == 3  # three different greys: every frame was transformed


async def test_an_animated_gif_asked_for_as_png_is_a_png(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    photo = await uploaded(client, token, animated_gif(2))
    link = await linked(client, token, photo["id"], format="png")

    image = await client.get(path_of(link["url"]))

    assert image.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(image.content)) as still:
        assert still.format == "PNG"
