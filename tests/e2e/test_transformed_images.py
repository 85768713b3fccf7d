"""Transformed images against `photoshare serve` on the defaults, over real HTTP (issue 17).

A link its format cannot hold is refused when it is created, never a 500 later; an animated
GIF's transformation is an animated GIF; link creation is rate-limited per account.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from PIL import Image

from photoshare.config import RateLimits
from tests.e2e.journey import bearer, member, path_of


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    return {}


def posted(http: httpx.Client, token: str, image: Image.Image, fmt: str, **save: Any) -> dict[str, Any]:
    out = io.BytesIO()
    image.save(out, fmt, **save)
    name = f"picture.{fmt.lower()}"
    response = http.post(
        "/api/photos", files={"file": (name, out.getvalue(), f"image/{fmt.lower()}")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_jpeg_taller_than_jpeg_allows_is_refused_when_the_link_is_made(
    http: httpx.Client, state: dict[str, Any]
) -> None:
    _, token = member(http)
    state["token"] = token
    column = posted(http, token, Image.new("L", (1, 70_000), 200), "PNG")

    refused = http.post(
        f"/api/photos/{column['id']}/transformations", json={"format": "jpg"}, headers=bearer(token)
    )
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "transformation"

    fine = http.post(
        f"/api/photos/{column['id']}/transformations", json={"format": "png"}, headers=bearer(token)
    )
    assert fine.status_code == 201, fine.text
    image = http.get(path_of(fine.json()["url"]))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"


def test_an_animated_gif_stays_animated_through_its_short_link(
    http: httpx.Client, state: dict[str, Any]
) -> None:
    token = state["token"]
    frames = [Image.new("RGB", (60, 40), colour) for colour in ("red", "green", "blue")]
    gif = posted(http, token, frames[0], "GIF", save_all=True, append_images=frames[1:], duration=80, loop=0)
    link = http.post(f"/api/photos/{gif['id']}/transformations", json={"width": 30}, headers=bearer(token))
    assert link.status_code == 201, link.text

    image = http.get(path_of(link.json()["link"]), follow_redirects=True)

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/gif"
    with Image.open(io.BytesIO(image.content)) as animation:
        assert (animation.format, getattr(animation, "n_frames", 1), animation.size) == ("GIF", 3, (30, 20))


def test_link_creation_is_rate_limited_per_account(http: httpx.Client) -> None:
    _, token = member(http)
    photo = posted(http, token, Image.new("RGB", (40, 30), "white"), "PNG")
    path = f"/api/photos/{photo['id']}/transformations"
    allowed = RateLimits().link  # per window, per account and per client address
    answers = [
        http.post(path, json={"width": width}, headers=bearer(token)).status_code
        for width in range(1, allowed + 2)
    ]
    # The earlier steps made links from this address too, so the limit may come a little sooner.
    first_refusal = answers.index(429)
    assert 0 < first_refusal <= allowed
    assert set(answers[:first_refusal]) == {201}
    assert set(answers[first_refusal:]) == {429}
