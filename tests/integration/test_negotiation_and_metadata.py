"""Format negotiation on variants and transformed links; checksums and the pre-upload check;
picture metadata (taken_at, opt-in camera settings, never GPS) and its search filters."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from PIL import Image

from photoshare.adapters.jobs.tasks import HOUSEKEEPING_QUEUE
from photoshare.application.ports.jobs import Job, JobQueue
from photoshare.config import Settings, libpq_url
from photoshare.domain.photos import METADATA_FIELDS
from tests.integration.accounts import Client, assert_problem, bearer, member
from tests.integration.jobs import drain
from tests.integration.photo_helpers import GPS_IFD, encoded, linked, opened, path_of, uploaded

AVIF = "image/avif,image/webp,image/apng,*/*;q=0.8"  # what Chrome sends for images
WEBP = "image/webp,*/*"
ANY = "*/*"


@pytest.fixture
async def tokens(client: Client) -> dict[str, str]:
    return {name: (await member(client, name))["access_token"] for name in ("alice", "bob")}


async def ready_photo(client: Client, token: str, settings: Settings, data: bytes) -> dict[str, Any]:
    photo = await uploaded(client, token, data)
    await drain(settings)
    body: dict[str, Any] = (await client.get(f"/api/photos/{photo['id']}")).json()
    assert body["status"] == "ready"
    return body


async def test_a_variant_is_avif_then_webp_then_jpeg_by_accept_each_with_its_etag(
    client: Client, tokens: dict[str, str], settings: Settings
) -> None:
    photo = await ready_photo(client, tokens["alice"], settings, encoded("JPEG", (800, 600)))
    url = path_of(next(v["url"] for v in photo["variants"] if v["name"] == "small"))

    answers = {accept: await client.get(url, headers={"Accept": accept}) for accept in (AVIF, WEBP, ANY)}

    kinds = {accept: (r.status_code, r.headers["content-type"]) for accept, r in answers.items()}
    assert kinds == {AVIF: (200, "image/avif"), WEBP: (200, "image/webp"), ANY: (200, "image/jpeg")}
    assert {opened(r.content).format for r in answers.values()} == {"AVIF", "WEBP", "JPEG"}
    assert all(r.headers["vary"] == "Accept" for r in answers.values())
    etags = {r.headers["etag"] for r in answers.values()}
    assert len(etags) == 3
    again = await client.get(url, headers={"Accept": AVIF, "If-None-Match": answers[AVIF].headers["etag"]})
    assert again.status_code == 304
    other = await client.get(url, headers={"Accept": ANY, "If-None-Match": answers[AVIF].headers["etag"]})
    assert other.status_code == 200  # the AVIF's tag does not stand for the JPEG
    # Encoded once: the second AVIF answer is the cached file's bytes.
    assert (await client.get(url, headers={"Accept": AVIF})).content == answers[AVIF].content


async def test_a_transparent_picture_falls_back_to_png(
    client: Client, tokens: dict[str, str], settings: Settings
) -> None:
    image = Image.new("RGBA", (300, 200), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (50, 50, 250, 150))
    out = io.BytesIO()
    image.save(out, "PNG")
    photo = await ready_photo(client, tokens["alice"], settings, out.getvalue())

    thumb = path_of(photo["variants"][0]["url"])
    assert (await client.get(thumb, headers={"Accept": ANY})).headers["content-type"] == "image/png"
    assert (await client.get(thumb, headers={"Accept": WEBP})).headers["content-type"] == "image/webp"


async def test_a_transformed_link_negotiates_unless_its_format_is_explicit(
    client: Client, tokens: dict[str, str]
) -> None:
    photo = await uploaded(client, tokens["alice"], encoded("JPEG", (400, 300)))
    plain = path_of((await linked(client, tokens["alice"], photo["id"], width=100))["url"])
    explicit = path_of((await linked(client, tokens["alice"], photo["id"], width=100, format="png"))["url"])

    assert (await client.get(plain, headers={"Accept": AVIF})).headers["content-type"] == "image/avif"
    assert (await client.get(plain, headers={"Accept": ANY})).headers["content-type"] == "image/jpeg"
    pinned = await client.get(explicit, headers={"Accept": AVIF})
    assert (pinned.headers["content-type"], opened(pinned.content).width) == ("image/png", 100)


async def test_an_original_is_served_as_uploaded(client: Client, tokens: dict[str, str]) -> None:
    photo = await uploaded(client, tokens["alice"], encoded("PNG", (40, 30)))
    answer = await client.get(path_of(photo["url"]), headers={"Accept": AVIF})
    assert answer.headers["content-type"] == "image/png"


# --- checksums ------------------------------------------------------------------------------------


async def test_the_check_answers_which_of_my_files_are_already_uploaded(
    client: Client, tokens: dict[str, str]
) -> None:
    data = encoded("JPEG", (64, 48))
    photo = await uploaded(client, tokens["alice"], data)
    checksum = hashlib.sha256(data).hexdigest()
    assert photo["checksum"] == checksum
    unknown = hashlib.sha256(b"never uploaded").hexdigest()

    mine = await client.post(
        "/api/photos/check", json={"checksums": [checksum.upper(), unknown]}, headers=bearer(tokens["alice"])
    )
    theirs = await client.post(
        "/api/photos/check", json={"checksums": [checksum]}, headers=bearer(tokens["bob"])
    )

    assert (mine.status_code, mine.json()) == (200, {"existing": {checksum: photo["id"]}})
    assert (theirs.status_code, theirs.json()) == (200, {"existing": {}})


async def test_the_check_refuses_bad_input_and_anonymous_callers(
    client: Client, tokens: dict[str, str]
) -> None:
    auth = bearer(tokens["alice"])
    too_many = {"checksums": ["0" * 64] * 1001}
    assert_problem(await client.post("/api/photos/check", json=too_many, headers=auth), 400)
    assert_problem(await client.post("/api/photos/check", json={"checksums": ["xyz"]}, headers=auth), 400)
    assert_problem(await client.post("/api/photos/check", json={"checksums": ["0" * 64]}), 401)


# --- metadata -------------------------------------------------------------------------------------


def jpeg_from_a_camera(taken: str = "2024:05:06 07:08:09") -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[GPS_IFD] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    sub = exif.get_ifd(0x8769)
    sub.update({0x9003: taken, 0x9011: "+02:00", 0x829D: 2.8, 0x829A: 0.004, 0x8827: 400, 0x920A: 50.0})
    sub[0xA434] = "RF50mm F1.8 STM"
    return encoded("JPEG", (120, 80), exif=exif)


async def test_taken_at_is_kept_and_the_camera_shown_only_after_the_owner_opts_in(
    client: Client, tokens: dict[str, str], settings: Settings
) -> None:
    photo = await uploaded(client, tokens["alice"], jpeg_from_a_camera())
    # The camera's local time and its offset, as one instant (answered in UTC).
    assert datetime.fromisoformat(photo["taken_at"]) == datetime.fromisoformat("2024-05-06T07:08:09+02:00")
    assert (photo["show_metadata"], photo["metadata"]) == (False, None)

    edited = await client.put(
        f"/api/photos/{photo['id']}",
        json={"description": "", "show_metadata": True},
        headers=bearer(tokens["alice"]),
    )

    assert edited.status_code == 200, edited.text
    assert edited.json()["metadata"] == {
        "camera": "Canon EOS R5",
        "lens": "RF50mm F1.8 STM",
        "focal_length": 50.0,
        "aperture": 2.8,
        "exposure": "1/250",
        "iso": 400,
    }
    with psycopg.connect(libpq_url(settings.database_url or "")) as conn:
        [(kept_exif,)] = conn.execute("SELECT exif FROM photos WHERE id = %s", [photo["id"]]).fetchall()
    assert set(kept_exif) == set(METADATA_FIELDS)  # what is stored is these and nothing else: no GPS
    stored = Path(settings.images_dir / "originals" / photo["url"].rsplit("/", 1)[1])
    with Image.open(stored) as kept:
        assert not kept.getexif().get_ifd(GPS_IFD)
    other = await client.put(
        f"/api/photos/{photo['id']}",
        json={"description": "", "show_metadata": True},
        headers=bearer(tokens["bob"]),
    )
    assert other.status_code == 403


async def test_taken_at_filters_and_sorts_the_search(client: Client, tokens: dict[str, str]) -> None:
    old = await uploaded(client, tokens["alice"], jpeg_from_a_camera("2019:01:02 03:04:05"))
    new = await uploaded(client, tokens["alice"], jpeg_from_a_camera("2023:07:08 09:10:11"))
    undated = await uploaded(client, tokens["alice"], encoded("JPEG", (50, 50)))

    async def ids(**params: str) -> list[str]:
        response = await client.get("/api/photos", params=params)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert await ids(sort="-taken_at") == [new["id"], old["id"], undated["id"]]
    assert await ids(sort="taken_at") == [old["id"], new["id"], undated["id"]]
    assert await ids(taken_from="2020-01-01") == [new["id"]]
    assert await ids(taken_to="2020-01-01") == [old["id"]]
    assert_problem(await client.get("/api/photos", params={"taken_from": "yesterday"}), 400)


# --- cleanup --------------------------------------------------------------------------------------


async def test_deleting_a_photo_removes_its_variants_and_the_sweep_removes_orphans(
    client: Client, tokens: dict[str, str], settings: Settings, app: Any
) -> None:
    photo = await ready_photo(client, tokens["alice"], settings, encoded("JPEG", (400, 300)))
    variant_url = path_of(photo["variants"][0]["url"])
    assert (await client.get(variant_url, headers={"Accept": AVIF})).status_code == 200
    orphan = settings.images_dir / "variants" / "thumb" / "0f0f0f0f-0000-4000-8000-000000000000.jpg.jpg"
    orphan.write_bytes(b"left by a crash")

    deleted = await client.delete(f"/api/photos/{photo['id']}", headers=bearer(tokens["alice"]))
    assert deleted.status_code == 204
    assert (await client.get(variant_url)).status_code == 404
    assert not list((settings.images_dir / "cache").rglob(photo["id"] + "*"))

    queue = await app.state.dishka_container.get(JobQueue)
    await queue.defer(Job.SWEEP_IMAGES)
    await drain(settings, HOUSEKEEPING_QUEUE)
    assert not orphan.exists()
