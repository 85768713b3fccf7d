"""Transformed links, their QR codes, the short-link redirect and the transformed-image route.

Each test costs a fresh database, so cases that share a setup run as subtests of one test.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

import pytest

from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import (
    BASE,
    LINK_FIELDS,
    encoded,
    linked,
    opened,
    path_of,
    uploaded,
)

GREY_FILL = {"width": 300, "crop": "fill", "height": 200, "effect": "grayscale"}


@pytest.fixture
async def tokens(client: Client) -> dict[str, str]:
    """Access tokens of `admin` (the first account), `alice` and `bob`."""
    return {name: (await member(client, name))["access_token"] for name in ("admin", "alice", "bob")}


@pytest.fixture
async def photo(client: Client, tokens: dict[str, str]) -> dict[str, Any]:
    """An 800x600 JPEG of alice's."""
    return await uploaded(client, tokens["alice"], encoded("JPEG", (800, 600)))


def links_of(photo: dict[str, Any]) -> str:
    return f"/api/photos/{photo['id']}/transformations"


# --- create ---------------------------------------------------------------------------------------


async def test_create_answers_201_with_exactly_the_link_fields(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    response = await client.post(links_of(photo), json=GREY_FILL, headers=bearer(tokens["alice"]))

    assert response.status_code == 201, response.text
    link = response.json()
    assert set(link) == LINK_FIELDS
    assert uuid.UUID(link["id"])
    assert link["photo_id"] == photo["id"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{11,}", link["slug"])
    assert link["link"] == f"{BASE}/t/{link['slug']}"
    assert link["qr_url"] == f"{BASE}/api/links/{link['slug']}/qr"
    assert link["url"] == f"{BASE}/images/t/c_fill,e_grayscale,h_200,w_300/{photo['id']}.jpg"
    assert link["transformation"] == GREY_FILL
    assert datetime.fromisoformat(link["created_at"]).utcoffset() is not None


async def test_every_option_at_its_bounds_is_accepted_and_rendered(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    bodies: list[dict[str, object]] = [
        {"width": 4000, "height": 1, "crop": "pad", "gravity": "west", "format": "png"},
        {"width": 1, "crop": "thumb", "gravity": "face", "quality": 1},
        {"angle": -360, "radius": "max", "effect": "sepia", "format": "webp", "quality": 100},
        {"angle": 360, "radius": 2000},
        {"radius": 0},
    ]
    for body in bodies:
        link = await linked(client, tokens["alice"], photo["id"], **body)
        assert link["transformation"] == body
        image = await client.get(path_of(link["url"]))  # every stored link's URL is servable
        assert image.status_code == 200, (body, image.text)
        # Without a format (and an Accept naming none): JPEG, or PNG once corners are cut away.
        transparent = body.get("radius") not in (None, 0)
        assert opened(image.content).format == {"png": "PNG", "webp": "WEBP"}.get(
            str(body.get("format")), "PNG" if transparent else "JPEG"
        )


async def test_invalid_transformations_are_400(
    client: Client, tokens: dict[str, str], photo: dict[str, Any], subtests: pytest.Subtests
) -> None:
    cases: list[tuple[object, str | None]] = [
        ({"width": 300, "opacity": 50}, "opacity"),
        ({}, None),
        ({"width": 0}, "width"),
        ({"width": 4001}, "width"),
        ({"height": 0}, "height"),
        ({"width": 30.5}, "width"),
        ({"crop": "bogus", "width": 100}, "crop"),
        ({"crop": "fill"}, "crop"),
        ({"gravity": "up"}, "gravity"),
        ({"effect": "vignette"}, "effect"),
        ({"radius": "min"}, "radius"),
        ({"radius": 2001}, "radius"),
        ({"angle": 361}, "angle"),
        ({"format": "gif"}, "format"),
        ({"quality": 0}, "quality"),
        ({"width": None}, None),
        (["width", 300], None),
        ("w_300", None),
    ]
    for body, field in cases:
        with subtests.test(body=str(body)):
            response = await client.post(links_of(photo), json=body, headers=bearer(tokens["alice"]))
            problem = assert_problem(response, 400)
            if field is not None:
                assert problem["field"] == field

    listed = await client.get(links_of(photo), headers=bearer(tokens["alice"]))
    assert listed.json() == []


async def test_create_needs_the_owner_or_an_admin(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    assert_problem(await client.post(links_of(photo), json={"width": 10}, headers=bearer(tokens["bob"])), 403)
    assert_problem(await client.post(links_of(photo), json={"width": 10}), 401)
    unknown = await client.post(
        f"/api/photos/{uuid.uuid4()}/transformations", json={"width": 10}, headers=bearer(tokens["alice"])
    )
    assert_problem(unknown, 404)

    by_admin = await client.post(links_of(photo), json={"width": 10}, headers=bearer(tokens["admin"]))

    assert by_admin.status_code == 201, by_admin.text


# --- list and delete ------------------------------------------------------------------------------


async def test_list_shows_the_photos_links_to_owner_and_admin_only(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    first = await linked(client, tokens["alice"], photo["id"], width=100)
    second = await linked(client, tokens["alice"], photo["id"], **GREY_FILL)
    elsewhere = await uploaded(client, tokens["alice"])
    await linked(client, tokens["alice"], elsewhere["id"], width=5)

    by_owner = await client.get(links_of(photo), headers=bearer(tokens["alice"]))
    by_admin = await client.get(links_of(photo), headers=bearer(tokens["admin"]))

    assert by_owner.status_code == 200
    assert by_owner.json() == [first, second]
    assert by_admin.json() == [first, second]
    assert_problem(await client.get(links_of(photo), headers=bearer(tokens["bob"])), 403)
    assert_problem(await client.get(links_of(photo)), 401)


async def test_delete_makes_the_short_link_and_its_qr_404(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    gone = await linked(client, tokens["alice"], photo["id"], width=100)
    kept = await linked(client, tokens["alice"], photo["id"], width=200)

    response = await client.delete(f"{links_of(photo)}/{gone['id']}", headers=bearer(tokens["alice"]))

    assert response.status_code == 204
    assert_problem(await client.get(f"/t/{gone['slug']}", follow_redirects=False), 404)
    assert_problem(await client.get(path_of(gone["qr_url"])), 404)
    assert (await client.get(path_of(gone["url"]))).status_code == 404
    assert (await client.get(f"/t/{kept['slug']}", follow_redirects=False)).status_code == 302
    again = await client.delete(f"{links_of(photo)}/{gone['id']}", headers=bearer(tokens["alice"]))
    assert_problem(again, 404)


async def test_delete_needs_the_owner_or_an_admin_and_the_right_photo(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=100)
    other_photo = await uploaded(client, tokens["alice"])
    path = f"{links_of(photo)}/{link['id']}"

    assert_problem(await client.delete(path, headers=bearer(tokens["bob"])), 403)
    assert_problem(await client.delete(path), 401)
    wrong_photo = await client.delete(
        f"{links_of(other_photo)}/{link['id']}", headers=bearer(tokens["alice"])
    )
    assert_problem(wrong_photo, 404)
    assert (await client.get(f"/t/{link['slug']}", follow_redirects=False)).status_code == 302

    assert (await client.delete(path, headers=bearer(tokens["admin"]))).status_code == 204


# --- short link and transformed image -------------------------------------------------------------


async def test_short_link_redirects_to_the_transformed_image(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=300, crop="fill")

    response = await client.get(f"/t/{link['slug']}", follow_redirects=False)

    assert response.status_code == 302
    assert response.headers["location"] == link["url"]
    image = await client.get(path_of(response.headers["location"]))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    assert opened(image.content).size == (300, 225)  # one side given: fill keeps the aspect ratio


async def test_unknown_or_malformed_slugs_are_404_or_400_never_500(
    client: Client, subtests: pytest.Subtests
) -> None:
    assert_problem(await client.get("/t/AAAAAAAAAAAAAAAA", follow_redirects=False), 404)
    assert_problem(await client.get("/api/links/AAAAAAAAAAAAAAAA/qr"), 404)
    assert_problem(await client.get("/api/links/AAAAAAAAAAAAAAAA/qr?format=svg"), 404)
    for slug in ("short", "x" * 200, "bad!slug%00", "..", "%2e%2e%2fetc"):
        with subtests.test(slug=slug[:20]):
            for path in (f"/t/{slug}", f"/api/links/{slug}/qr"):
                response = await client.get(path, follow_redirects=False)
                if response.url.path == "/":
                    # The client resolved the dot segments ("/t/.." is "/"): the web client's page.
                    assert response.status_code == 200, path
                    continue
                assert response.status_code in (400, 404), (path, response.text)


async def test_transformed_image_route_serves_only_what_a_link_asks_for(
    client: Client, tokens: dict[str, str], photo: dict[str, Any], subtests: pytest.Subtests
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=300)
    key = f"{photo['id']}.jpg"
    assert (await client.get(path_of(link["url"]))).status_code == 200
    other = await uploaded(client, tokens["alice"])

    cases = {
        "unasked size": f"/images/t/w_123/{key}",
        "asked size, other photo": f"/images/t/w_300/{other['id']}.jpg",
        "asked size, unknown key": f"/images/t/w_300/{uuid.uuid4()}.jpg",
        "superset of the link": f"/images/t/e_blur,w_300/{key}",
    }
    for name, path in cases.items():
        with subtests.test(name):
            assert (await client.get(path)).status_code == 404
    for spec in ("w_0", "a_--5", "w_300,w_300", "x_1", "w_abc", "w_9999999999999999999999"):
        with subtests.test(spec=spec):
            response = await client.get(f"/images/t/{spec}/{key}")
            assert response.status_code in (400, 404), response.text


async def test_transformed_image_sends_etag_and_answers_if_none_match_with_304(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], **GREY_FILL)
    path = path_of(link["url"])

    first = await client.get(path)
    again = await client.get(path, headers={"If-None-Match": first.headers["etag"]})

    assert first.status_code == 200
    assert opened(first.content).size == (300, 200)
    assert again.status_code == 304
    assert again.content == b""


# --- QR codes -------------------------------------------------------------------------------------


async def test_qr_png_is_cacheable_and_answers_if_none_match_with_304(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=100)
    path = path_of(link["qr_url"])

    response = await client.get(path)
    again = await client.get(path, headers={"If-None-Match": response.headers["etag"]})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert opened(response.content).format == "PNG"
    assert response.headers["etag"]
    cache = response.headers["cache-control"]
    assert "public" in cache
    max_age = int(re.search(r"max-age=(\d+)", cache).group(1))  # type: ignore[union-attr]
    assert max_age >= 86400 * 30
    assert again.status_code == 304
    assert again.content == b""


async def test_qr_svg_on_request(client: Client, tokens: dict[str, str], photo: dict[str, Any]) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=100)
    path = path_of(link["qr_url"])

    svg = await client.get(path, params={"format": "svg"})
    png = await client.get(path, params={"format": "png"})

    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content
    assert svg.headers["etag"] != png.headers["etag"]
    assert png.headers["content-type"] == "image/png"
    assert_problem(await client.get(path, params={"format": "gif"}), 400)


async def test_links_need_no_token_to_follow(
    client: Client, tokens: dict[str, str], photo: dict[str, Any]
) -> None:
    link = await linked(client, tokens["alice"], photo["id"], width=100)

    assert (await client.get(path_of(link["qr_url"]))).status_code == 200
    assert (await client.get(f"/t/{link['slug']}", follow_redirects=False)).status_code == 302
    assert (await client.get(path_of(link["url"]))).status_code == 200
