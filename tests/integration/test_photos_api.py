"""The Photos rows of the contract, through the real app, the embedded PostgreSQL and the local store.

Each test costs a fresh database, so cases that share a setup run as subtests of one test.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.photo_helpers import (
    EXTENSION,
    GPS_IFD,
    MIME,
    PHOTO_FIELDS,
    encoded,
    jpeg_with_gps,
    linked,
    opened,
    path_of,
    png_claiming,
    upload,
    uploaded,
)

MIB = 1024 * 1024


@pytest.fixture
async def tokens(client: Client) -> dict[str, str]:
    """Access tokens of `admin` (the first account), `alice` and `bob`."""
    return {name: (await member(client, name))["access_token"] for name in ("admin", "alice", "bob")}


# --- upload ---------------------------------------------------------------------------------------


async def test_upload_answers_201_with_exactly_the_photo_fields(
    client: Client, tokens: dict[str, str]
) -> None:
    response = await upload(
        client, tokens["alice"], encoded("JPEG", (80, 60)), form={"description": " Sunset ", "tags": "a, B"}
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == PHOTO_FIELDS
    assert uuid.UUID(body["id"])
    assert body["url"] == f"http://testserver.local/images/{body['id']}.jpg"
    assert (body["description"], body["tags"]) == ("Sunset", ["a", "b"])
    assert body["owner"] == {"username": "alice"}
    assert body["rating"] == {"average": None, "count": 0}
    assert body["comment_count"] == 0
    assert (body["width"], body["height"]) == (80, 60)
    created, updated = datetime.fromisoformat(body["created_at"]), datetime.fromisoformat(body["updated_at"])
    assert created.utcoffset() is not None
    assert created == updated
    assert (await client.get(f"/api/photos/{body['id']}")).json() == body


async def test_tags_as_repeated_fields_or_comma_lists_are_normalised(
    client: Client, tokens: dict[str, str]
) -> None:
    repeated = await uploaded(client, tokens["alice"], tags=["Sea", " sun ", "SEA", "sky,sea"])
    bare = await uploaded(client, tokens["alice"])
    at_the_limits = await uploaded(client, tokens["alice"], tags="a,b,c,d,e,A,E ,", description="d" * 2000)
    longest = await uploaded(client, tokens["alice"], tags="T" * 32)

    assert repeated["tags"] == ["sea", "sun", "sky"]
    assert (bare["description"], bare["tags"]) == ("", [])
    assert at_the_limits["tags"] == ["a", "b", "c", "d", "e"]
    assert len(at_the_limits["description"]) == 2000
    assert longest["tags"] == ["t" * 32]


async def test_each_supported_format_is_stored_and_served_with_its_type(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    for fmt in ("JPEG", "PNG", "WEBP", "GIF"):
        with subtests.test(fmt=fmt):
            response = await upload(
                client,
                tokens["alice"],
                encoded(fmt, (90, 70)),
                filename=f"pic.{EXTENSION[fmt]}",
                content_type=MIME[fmt],
            )
            assert response.status_code == 201, response.text
            photo = response.json()
            assert (photo["width"], photo["height"]) == (90, 70)
            assert photo["url"].endswith(f".{EXTENSION[fmt]}")

            image = await client.get(path_of(photo["url"]))

            assert image.status_code == 200
            assert image.headers["content-type"] == MIME[fmt]
            assert image.headers["x-content-type-options"] == "nosniff"
            served = opened(image.content)
            assert (served.format, served.size) == (fmt, (90, 70))


async def test_the_type_comes_from_the_bytes_not_the_declared_name(
    client: Client, tokens: dict[str, str]
) -> None:
    response = await upload(
        client, tokens["alice"], encoded("PNG"), filename="lies.jpg", content_type="image/jpeg"
    )

    assert response.status_code == 201, response.text
    assert response.json()["url"].endswith(".png")
    image = await client.get(path_of(response.json()["url"]))
    assert image.headers["content-type"] == "image/png"
    assert opened(image.content).format == "PNG"


async def test_served_original_has_no_gps_position(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"], jpeg_with_gps())

    image = await client.get(path_of(photo["url"]))

    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    served = opened(image.content)
    assert served.getexif().get_ifd(GPS_IFD) == {}
    assert "exif" not in served.info
    assert b"SpyCam" not in image.content


async def test_image_sends_etag_and_answers_if_none_match_with_304(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"])
    path = path_of(photo["url"])

    first = await client.get(path)
    etag = first.headers["etag"]
    again = await client.get(path, headers={"If-None-Match": etag})
    other = await client.get(path, headers={"If-None-Match": '"something-else"'})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert other.status_code == 200
    assert other.content == first.content
    assert "max-age" in first.headers["cache-control"]


async def test_upload_without_a_valid_token_is_401(client: Client, tokens: dict[str, str]) -> None:
    assert_problem(await upload(client, None), 401)
    assert_problem(await upload(client, "not-a-token"), 401)
    assert (await client.get("/api/photos")).json()["total"] == 0


async def test_upload_without_a_file_is_400(client: Client, tokens: dict[str, str]) -> None:
    response = await client.post(
        "/api/photos", data={"description": "no file"}, files={}, headers=bearer(tokens["alice"])
    )

    assert_problem(response, 400)


async def test_upload_over_10_mib_is_413(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    for size in (11 * MIB, 10 * MIB + 1):
        with subtests.test(size=size):
            assert_problem(await upload(client, tokens["alice"], b"\xff" * size), 413)


async def test_upload_of_exactly_10_mib_is_not_refused_for_its_size(
    client: Client, tokens: dict[str, str]
) -> None:
    png = encoded("PNG")
    padded = png + b"\0" * (10 * MIB - len(png))  # bytes after IEND: still that PNG
    assert len(padded) == 10 * MIB

    response = await upload(client, tokens["alice"], padded, filename="big.png", content_type="image/png")

    assert response.status_code == 201, response.text


async def test_anything_but_a_supported_image_is_415(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    cases = {
        "text": (b"hello, I am text pretending to be a photo\n" * 20, "image/jpeg"),
        "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n", "image/jpeg"),
        "bmp": (encoded("BMP"), "image/bmp"),
        "tiff": (encoded("TIFF"), "image/jpeg"),
        "empty": (b"", "image/jpeg"),
    }
    for name, (data, declared) in cases.items():
        with subtests.test(name):
            assert_problem(await upload(client, tokens["alice"], data, content_type=declared), 415)


async def test_decompression_bomb_is_400(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    for width, height in ((100_000, 100_000), (8000, 8000)):
        with subtests.test(width=width, height=height):
            bomb = png_claiming(width, height)
            assert len(bomb) < 1000

            response = await upload(client, tokens["alice"], bomb, filename="b.png", content_type="image/png")

            assert_problem(response, 400)


async def test_truncated_image_is_refused_without_500(client: Client, tokens: dict[str, str]) -> None:
    data = encoded("JPEG", (200, 200))

    response = await upload(client, tokens["alice"], data[: len(data) // 2])

    assert response.status_code in (400, 415), response.text


async def test_invalid_fields_are_400_naming_the_field(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"tags": "a,b,c,d,e,f"}, "tags"),
        ({"tags": ["a", "b", "c", "d", "e", "f"]}, "tags"),
        ({"tags": ["a, b, c", "d, e", "f"]}, "tags"),
        ({"tags": "x" * 33}, "tags"),
        ({"description": "d" * 2001}, "description"),
    ]
    for form, field in cases:
        with subtests.test(form=str(form)[:40]):
            body = assert_problem(await upload(client, tokens["alice"], form=form), 400)
            assert body["field"] == field

    assert (await client.get("/api/photos")).json()["total"] == 0


# --- read -----------------------------------------------------------------------------------------


async def test_anyone_may_read_a_photo_and_unknown_ids_are_404(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    photo = await uploaded(client, tokens["alice"], description="public", tags="x")

    response = await client.get(f"/api/photos/{photo['id']}")

    assert response.status_code == 200
    assert response.json() == photo
    assert_problem(await client.get(f"/api/photos/{uuid.uuid4()}"), 404)
    for segment in ("not-a-uuid", "123", "%00", "..%2f", "1" * 300):
        with subtests.test(segment=segment[:20]):
            malformed = await client.get(f"/api/photos/{segment}")
            assert malformed.status_code in (400, 404), malformed.text


# --- edit -----------------------------------------------------------------------------------------


async def test_owner_edit_replaces_tags_and_moves_updated_at(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"], description="old", tags="a, b")

    response = await client.put(
        f"/api/photos/{photo['id']}",
        json={"description": "new", "tags": ["C", "b"]},
        headers=bearer(tokens["alice"]),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == PHOTO_FIELDS
    assert (body["description"], body["tags"]) == ("new", ["c", "b"])
    assert body["created_at"] == photo["created_at"]
    assert datetime.fromisoformat(body["updated_at"]) > datetime.fromisoformat(photo["updated_at"])
    assert (await client.get(f"/api/photos/{photo['id']}")).json() == body


async def test_edit_without_tags_keeps_them_and_empty_list_clears_them(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"], tags="keep, me")
    url, auth = f"/api/photos/{photo['id']}", bearer(tokens["alice"])

    kept = await client.put(url, json={"description": "only text"}, headers=auth)
    cleared = await client.put(url, json={"description": "no tags", "tags": []}, headers=auth)

    assert (kept.json()["description"], kept.json()["tags"]) == ("only text", ["keep", "me"])
    assert cleared.json()["tags"] == []


async def test_admin_may_edit_anyones_photo(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"])

    response = await client.put(
        f"/api/photos/{photo['id']}", json={"description": "moderated"}, headers=bearer(tokens["admin"])
    )

    assert response.status_code == 200, response.text
    assert response.json()["description"] == "moderated"
    assert response.json()["owner"] == {"username": "alice"}


async def test_edit_by_another_user_403_anonymous_401_unknown_404(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"], description="mine")
    url = f"/api/photos/{photo['id']}"

    assert_problem(await client.put(url, json={"description": "bob's"}, headers=bearer(tokens["bob"])), 403)
    assert_problem(await client.put(url, json={"description": "anon"}), 401)
    unknown = await client.put(
        f"/api/photos/{uuid.uuid4()}", json={"description": "x"}, headers=bearer(tokens["alice"])
    )
    assert_problem(unknown, 404)
    assert (await client.get(url)).json() == photo


async def test_invalid_edit_is_400_and_changes_nothing(
    client: Client, tokens: dict[str, str], subtests: pytest.Subtests
) -> None:
    photo = await uploaded(client, tokens["alice"], tags="t")
    bodies: list[object] = [
        {"description": "d" * 2001},
        {"description": "x", "tags": ["1", "2", "3", "4", "5", "6"]},
        {"description": "x", "tags": ["y" * 33]},
        {"description": "x", "tags": "not-a-list"},
        {"tags": ["a"]},
        {"description": "x", "owner": "bob"},
        {"description": 5},
        ["description"],
    ]
    for body in bodies:
        with subtests.test(body=str(body)[:40]):
            response = await client.put(
                f"/api/photos/{photo['id']}", json=body, headers=bearer(tokens["alice"])
            )
            assert_problem(response, 400)

    assert (await client.get(f"/api/photos/{photo['id']}")).json() == photo


# --- delete ---------------------------------------------------------------------------------------


async def test_delete_removes_the_photo_its_image_and_its_links(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"], encoded("JPEG", (200, 100)))
    link = await linked(client, tokens["alice"], photo["id"], width=50)
    assert (await client.get(f"/t/{link['slug']}", follow_redirects=False)).status_code == 302
    assert (await client.get(path_of(link["url"]))).status_code == 200

    response = await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["alice"]))

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"/api/photos/{photo['id']}"), 404)
    assert (await client.get(path_of(photo["url"]))).status_code == 404
    assert_problem(await client.get(f"/t/{link['slug']}", follow_redirects=False), 404)
    assert (await client.get(path_of(link["url"]))).status_code == 404
    assert (await client.get(path_of(link["qr_url"]))).status_code == 404
    assert_problem(await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["alice"])), 404)


async def test_admin_may_delete_anyones_photo(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"])

    response = await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["admin"]))

    assert response.status_code == 204
    assert (await client.get(f"/api/photos/{photo['id']}")).status_code == 404
    assert (await client.get(path_of(photo["url"]))).status_code == 404


async def test_delete_by_another_user_403_anonymous_401_keeps_everything(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"])

    assert_problem(await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["bob"])), 403)
    assert_problem(await client.delete(f"/api/photos/{photo['id']}"), 401)

    assert (await client.get(f"/api/photos/{photo['id']}")).status_code == 200
    assert (await client.get(path_of(photo["url"]))).status_code == 200


async def test_uploader_photo_count_follows_upload_and_delete(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"])
    me = await client.get("/api/users/me", headers=bearer(tokens["alice"]))
    assert me.json()["photo_count"] == 1

    await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["alice"]))

    me = await client.get("/api/users/me", headers=bearer(tokens["alice"]))
    assert me.json()["photo_count"] == 0


# --- list -----------------------------------------------------------------------------------------


async def test_list_is_a_page_newest_first(client: Client, tokens: dict[str, str]) -> None:
    ids = [(await uploaded(client, tokens["alice"], description=f"n{i}"))["id"] for i in range(3)]

    first = (await client.get("/api/photos", params={"limit": 2})).json()
    rest = (await client.get("/api/photos", params={"limit": 2, "offset": 2})).json()
    default = (await client.get("/api/photos")).json()
    widest = (await client.get("/api/photos", params={"limit": 100, "offset": 3})).json()

    assert set(first) == {"items", "total", "limit", "offset", "total_exact"}
    assert (first["total"], first["limit"], first["offset"]) == (3, 2, 0)
    assert (rest["total"], rest["limit"], rest["offset"]) == (3, 2, 2)
    assert [p["id"] for p in first["items"] + rest["items"]] == ids[::-1]
    assert all(set(p) == PHOTO_FIELDS for p in first["items"])
    assert (default["limit"], default["offset"], len(default["items"])) == (20, 0, 3)
    assert widest == {"items": [], "total": 3, "limit": 100, "offset": 3, "total_exact": True}


async def test_list_with_bad_paging_is_400(client: Client, subtests: pytest.Subtests) -> None:
    for params in ({"limit": 101}, {"limit": 0}, {"limit": -1}, {"offset": -1}, {"limit": "many"}):
        with subtests.test(params=params):
            assert_problem(await client.get("/api/photos", params=params), 400)
