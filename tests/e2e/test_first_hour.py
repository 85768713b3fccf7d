"""A newcomer's first hour against `photoshare serve` on the defaults, over real HTTP.

The steps run in order and share what they made (`state`): each names what it proves.
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.e2e.journey import PASSWORD, bearer, jpeg, log_in, path_of, sign_up, upload


@pytest.fixture(scope="module")
def state() -> dict[str, Any]:
    return {}


def test_health_answers_ok_on_the_defaults(http: httpx.Client) -> None:
    response = http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_first_sign_up_is_admin_and_the_second_a_user(http: httpx.Client, state: dict[str, Any]) -> None:
    admin = sign_up(http, "founder")
    assert admin["role"] == "admin"
    assert sign_up(http, "newcomer")["role"] == "user"
    assert sign_up(http, "critic")["role"] == "user"


def test_log_in_with_json_and_with_the_oauth2_form(http: httpx.Client, state: dict[str, Any]) -> None:
    tokens = log_in(http, "newcomer")
    assert tokens["token_type"] == "bearer"
    form = http.post("/api/auth/login", data={"username": "newcomer@example.org", "password": PASSWORD})
    assert form.status_code == 200, form.text
    state["newcomer"] = form.json()
    state["founder"] = log_in(http, "founder")
    state["critic"] = log_in(http, "critic")


def test_refresh_spends_the_old_refresh_token(http: httpx.Client, state: dict[str, Any]) -> None:
    old = state["newcomer"]["refresh_token"]
    renewed = http.post("/api/auth/refresh", json={"refresh_token": old})
    assert renewed.status_code == 200, renewed.text
    assert http.get("/api/users/me", headers=bearer(renewed.json()["access_token"])).status_code == 200
    # Presenting the spent one again looks like a stolen token: the whole family ends,
    # the access token just issued from it included.
    assert http.post("/api/auth/refresh", json={"refresh_token": old}).status_code == 401
    assert http.get("/api/users/me", headers=bearer(renewed.json()["access_token"])).status_code == 401
    assert (
        http.post("/api/auth/refresh", json={"refresh_token": renewed.json()["refresh_token"]}).status_code
        == 401
    )
    state["newcomer"] = log_in(http, "newcomer")


def test_upload_with_tags_then_get_and_edit(http: httpx.Client, state: dict[str, Any]) -> None:
    token = state["newcomer"]["access_token"]
    photo = upload(http, token, description="Sunset over the harbour", tags="Sea, sunset")
    assert sorted(photo["tags"]) == ["sea", "sunset"]
    assert (photo["width"], photo["height"]) == (640, 480)
    fetched = http.get(f"/api/photos/{photo['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["description"] == "Sunset over the harbour"
    image = http.get(path_of(photo["url"]))
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    edited = http.put(
        f"/api/photos/{photo['id']}",
        json={"description": "Sunset over the old harbour", "tags": ["sea", "sunset", "boats"]},
        headers=bearer(token),
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["description"] == "Sunset over the old harbour"
    state["photo"] = edited.json()


def test_a_transformed_link_scans_and_serves_the_transformed_image(
    http: httpx.Client, state: dict[str, Any]
) -> None:
    photo, token = state["photo"], state["newcomer"]["access_token"]
    created = http.post(
        f"/api/photos/{photo['id']}/transformations",
        json={"width": 300, "height": 200, "crop": "fill", "effect": "grayscale"},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.text
    link = created.json()
    qr = http.get(path_of(link["qr_url"]))
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/png"
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert code.text == link["link"]
    redirect = http.get(path_of(code.text))
    assert redirect.status_code == 302
    served = http.get(
        path_of(redirect.headers["location"])
        if "://" in redirect.headers["location"]
        else redirect.headers["location"]
    )
    assert served.status_code == 200
    image = Image.open(io.BytesIO(served.content))
    assert image.size == (300, 200)
    red, green, blue = image.convert("RGB").split()
    assert red.tobytes() == green.tobytes() == blue.tobytes()  # grayscale really applied


def test_comment_and_rate(http: httpx.Client, state: dict[str, Any]) -> None:
    photo, critic = state["photo"], state["critic"]["access_token"]
    comment = http.post(
        f"/api/photos/{photo['id']}/comments", json={"text": "Lovely light"}, headers=bearer(critic)
    )
    assert comment.status_code == 201, comment.text
    rating = http.post(f"/api/photos/{photo['id']}/ratings", json={"value": 4}, headers=bearer(critic))
    assert rating.status_code == 201, rating.text
    own = http.post(
        f"/api/photos/{photo['id']}/ratings",
        json={"value": 5},
        headers=bearer(state["newcomer"]["access_token"]),
    )
    assert own.status_code == 403
    after = http.get(f"/api/photos/{photo['id']}").json()
    assert after["rating"] == {"average": 4.0, "count": 1}
    assert after["comment_count"] == 1
    page = http.get(f"/api/photos/{photo['id']}/comments").json()
    assert [c["text"] for c in page["items"]] == ["Lovely light"]


def test_search_by_word_and_by_tag_and_list_tags(http: httpx.Client, state: dict[str, Any]) -> None:
    photo_id = state["photo"]["id"]
    by_word = http.get("/api/photos", params={"q": "harbour"}).json()
    assert [p["id"] for p in by_word["items"]] == [photo_id]
    by_tag = http.get("/api/photos", params={"tag": "Boats"}).json()
    assert [p["id"] for p in by_tag["items"]] == [photo_id]
    assert http.get("/api/photos", params={"q": "mountain"}).json()["total"] == 0
    tags = {t["name"]: t["photo_count"] for t in http.get("/api/tags").json()["items"]}
    assert tags == {"boats": 1, "sea": 1, "sunset": 1}


def test_q_reads_words_as_a_search_box_does(http: httpx.Client, state: dict[str, Any]) -> None:
    """Full-text search on the defaults (migration 0010): words and tag names, the last word
    a prefix while typed, phrases, `or`, `-word`; odd input is an empty page, never a 500."""
    photo_id = state["photo"]["id"]

    def found(q: str) -> list[str]:
        response = http.get("/api/photos", params={"q": q})
        assert response.status_code == 200, (q, response.text)
        page = response.json()
        assert page["total_exact"] is True
        assert page["total"] == len(page["items"])
        return [p["id"] for p in page["items"]]

    assert found("harb") == [photo_id]  # still typing `harbour`
    assert found('"old harbour"') == [photo_id]  # a phrase of the edited description
    assert found("boats") == [photo_id]  # a tag name added by the edit
    assert found("sunset or mountain") == [photo_id]
    assert found("harbour -boats") == []
    assert found("arbou") == []  # words, not substrings
    for odd in ('"', "%", "a & !b", "(((", "or"):
        assert found(odd) == []


def test_a_profile_is_public_and_never_shows_the_email(http: httpx.Client) -> None:
    profile = http.get("/api/users/newcomer")
    assert profile.status_code == 200
    assert profile.json()["photo_count"] == 1
    assert "email" not in profile.json()


def test_log_out_revokes_the_access_token(http: httpx.Client, state: dict[str, Any]) -> None:
    tokens = log_in(http, "critic")
    headers = bearer(tokens["access_token"])
    assert http.get("/api/users/me", headers=headers).status_code == 200
    assert (
        http.post(
            "/api/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=headers
        ).status_code
        == 204
    )
    assert http.get("/api/users/me", headers=headers).status_code == 401
    assert http.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code == 401


def test_a_ban_locks_out_at_log_in_and_on_the_live_token(http: httpx.Client, state: dict[str, Any]) -> None:
    live = bearer(state["critic"]["access_token"])
    assert http.get("/api/users/me", headers=live).status_code == 200
    banned = http.post("/api/users/critic/ban", headers=bearer(state["founder"]["access_token"]))
    assert banned.status_code == 200, banned.text
    assert banned.json()["is_active"] is False
    assert http.get("/api/users/me", headers=live).status_code == 403
    refused = http.post("/api/auth/login", json={"username": "critic", "password": PASSWORD})
    assert refused.status_code == 403


def test_the_api_documentation_pages_open(http: httpx.Client) -> None:
    for page in ("/schema/swagger", "/schema/redoc"):
        response = http.get(page)
        assert response.status_code == 200, page
        assert response.headers["content-type"].startswith("text/html")
    document = http.get("/schema/openapi.json")
    assert document.status_code == 200
    assert "/api/photos" in document.json()["paths"]


def test_the_image_of_a_new_upload_is_the_bytes_sent(http: httpx.Client, state: dict[str, Any]) -> None:
    token = state["newcomer"]["access_token"]
    response = http.post(
        "/api/photos", files={"file": ("big.jpg", jpeg((1200, 900)), "image/jpeg")}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    image = Image.open(io.BytesIO(http.get(path_of(response.json()["url"])).content))
    assert image.size == (1200, 900)
