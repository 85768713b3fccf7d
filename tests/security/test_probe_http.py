"""What an outside probe found (issue 17), black-box over HTTP: caching of private answers
and of images, the OAuth2 password form, a stolen refresh family's access tokens, and
problem details that named framework types or said the wrong thing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from photoshare.entrypoints.http.caching import IMAGE_MAX_AGE
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member
from tests.integration.photo_helpers import encoded, linked, path_of, uploaded

# --- caching -----------------------------------------------------------------------------------


async def test_answers_to_credentialed_requests_are_private_and_never_stored(client: Client) -> None:
    admin = await member(client, "admin")  # the first account: an admin, who may list ratings
    alice = await member(client, "alice")
    bob = await member(client, "bob")
    photo = await uploaded(client, alice["access_token"])
    await linked(client, alice["access_token"], photo["id"], width=50)
    rated = await client.post(
        f"/api/photos/{photo['id']}/ratings", json={"value": 4}, headers=bearer(bob["access_token"])
    )
    assert rated.status_code == 201, rated.text
    private = [
        ("/api/users/me", alice),
        (f"/api/photos/{photo['id']}/transformations", alice),
        (f"/api/photos/{photo['id']}/ratings", admin),
        ("/api/photos", alice),  # public, but asked with a token: nothing declares it shareable
    ]
    for path, tokens in private:
        response = await client.get(path, headers=bearer(tokens["access_token"]))
        assert response.status_code == 200, (path, response.text)
        assert response.headers["cache-control"] == "private, no-store", path
    # A route that declares its own policy keeps it.
    public = await client.get(f"/api/photos/{photo['id']}", headers=bearer(bob["access_token"]))
    assert public.headers["cache-control"] == "public, no-cache"
    assert public.headers["etag"]


async def test_images_are_cached_briefly_and_revalidate_so_a_deleted_photo_leaves_caches(
    client: Client,
) -> None:
    alice = await member(client, "alice")
    photo = await uploaded(client, alice["access_token"])
    link = await linked(client, alice["access_token"], photo["id"], width=50)
    paths = [path_of(photo["url"]), path_of(link["url"])]
    etags = {}
    for path in paths:
        image = await client.get(path)
        assert image.status_code == 200, path
        cache = image.headers["cache-control"]
        assert "immutable" not in cache
        assert "must-revalidate" in cache
        assert f"max-age={IMAGE_MAX_AGE}" in cache
        assert IMAGE_MAX_AGE <= 3600
        etags[path] = image.headers["etag"]
        again = await client.get(path, headers={"If-None-Match": etags[path]})
        assert again.status_code == 304  # revalidation stays cheap while the photo exists
    deleted = await client.delete(f"/api/photos/{photo['id']}", headers=bearer(alice["access_token"]))
    assert deleted.status_code == 204
    for path in paths:
        assert_problem(await client.get(path, headers={"If-None-Match": etags[path]}), 404)


# --- a reused refresh token ends its family's access tokens too ------------------------------


async def test_reusing_a_refresh_token_ends_the_familys_access_tokens_at_once(client: Client) -> None:
    first = await member(client, "alice")
    other = (await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})).json()
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    for tokens in (first, second):
        assert (await client.get("/api/users/me", headers=bearer(tokens["access_token"]))).status_code == 200
    replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(replay, 401)
    for tokens in (first, second):
        assert_problem(await client.get("/api/users/me", headers=bearer(tokens["access_token"])), 401)
    # Another session of the same account is another family: it goes on working.
    assert (await client.get("/api/users/me", headers=bearer(other["access_token"]))).status_code == 200


# --- the OAuth2 password form -----------------------------------------------------------------


async def test_a_grant_other_than_password_is_400_unsupported_grant_type(client: Client) -> None:
    await member(client, "alice")
    form = {"username": "alice", "password": PASSWORD, "grant_type": "client_credentials"}
    body = assert_problem(await client.post("/api/auth/login", data=form), 400)
    assert body["error"] == "unsupported_grant_type"
    assert body["field"] == "grant_type"


async def test_the_password_grant_and_an_absent_grant_still_log_in(client: Client) -> None:
    await member(client, "alice")
    for extra in ({"grant_type": "password"}, {}):
        form = {"username": "alice", "password": PASSWORD} | extra
        assert (await client.post("/api/auth/login", data=form)).status_code == 200


@pytest.mark.parametrize("field", ["username", "password", "grant_type"])
async def test_a_repeated_form_field_is_400_not_the_first_one_taken(client: Client, field: str) -> None:
    await member(client, "alice")
    await member(client, "bob")
    fields = {"username": "alice", "password": PASSWORD, "grant_type": "password"}
    pairs = [*fields.items(), (field, "bob" if field == "username" else fields[field])]
    response = await client.post(
        "/api/auth/login",
        content=urlencode(pairs),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    body = assert_problem(response, 400)
    assert body["field"] == field
    assert body["error"] == "invalid_request"


# --- problem details in plain words ---------------------------------------------------------

_FRAMEWORK_WORDS = ("<class", "UploadFile", "Unsupported type", "'data'", "`", "Request Entity Too Large")


def _assert_plain(body: dict[str, Any], field: str) -> None:
    texts = [body["detail"], *(e["message"] for e in body.get("errors", []))]
    for text in texts:
        assert not any(word in text for word in _FRAMEWORK_WORDS), text
        assert field in text, text
    assert body["field"] == field


async def test_upload_mistakes_are_told_in_plain_words_naming_the_field(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    jpeg = ("a.jpg", encoded(), "image/jpeg")
    cases: list[tuple[str, Any]] = [
        ("file", [("file", jpeg), ("file", jpeg)]),  # was "Unsupported type: <class 'list'>"
        ("file", [("description", (None, "no file")), ("file", (None, "text"))]),
        ("description", [("file", jpeg), ("description", ("d.txt", b"x", "text/plain"))]),  # "got UploadFile"
    ]
    for field, files in cases:
        response = await client.post("/api/photos", files=files, headers=bearer(token))
        _assert_plain(assert_problem(response, 400), field)


async def test_json_bodies_of_the_wrong_shape_are_told_in_plain_words(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    json_type = {"content-type": "application/json"} | bearer(token)
    for content in (b"null", b"[]", b'"text"'):
        response = await client.patch("/api/users/me", content=content, headers=json_type)
        _assert_plain(assert_problem(response, 400), "body")
    response = await client.patch("/api/users/me", json={"full_name": ["a"]}, headers=bearer(token))
    _assert_plain(assert_problem(response, 400), "full_name")
    response = await client.post("/api/auth/login", json={"username": 1, "password": PASSWORD})
    _assert_plain(assert_problem(response, 400), "username")


async def test_too_many_form_parts_is_413_and_says_so(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    parts = [("tags", (None, "t")) for _ in range(3000)] + [("file", ("a.jpg", encoded(), "image/jpeg"))]
    body = assert_problem(await client.post("/api/photos", files=parts, headers=bearer(token)), 413)
    assert "too many form parts" in body["detail"]


async def test_a_file_name_of_5000_characters_is_400_file_name_too_long(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    files = {"file": ("a" * 5000 + ".jpg", encoded(), "image/jpeg")}
    body = assert_problem(await client.post("/api/photos", files=files, headers=bearer(token)), 400)
    assert "file name too long" in body["detail"]


# --- PATCH /api/users/me: null clears -----------------------------------------------------------


async def test_null_clears_the_full_name_and_the_bio_and_absent_fields_stay(client: Client) -> None:
    headers = bearer((await member(client, "alice"))["access_token"])
    set_both = await client.patch(
        "/api/users/me", json={"full_name": "Alice A.", "bio": "hi"}, headers=headers
    )
    assert (set_both.json()["full_name"], set_both.json()["bio"]) == ("Alice A.", "hi")
    cleared = await client.patch("/api/users/me", json={"full_name": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["full_name"], cleared.json()["bio"]) == (None, "hi")
    cleared = await client.patch("/api/users/me", json={"bio": None}, headers=headers)
    assert (cleared.json()["full_name"], cleared.json()["bio"]) == (None, None)
    me = (await client.get("/api/users/me", headers=headers)).json()
    assert (me["full_name"], me["bio"], me["email"]) == (None, None, "alice@example.org")


async def test_the_email_cannot_be_cleared(client: Client) -> None:
    headers = bearer((await member(client, "alice"))["access_token"])
    body = assert_problem(await client.patch("/api/users/me", json={"email": None}, headers=headers), 400)
    assert body["field"] == "email"
    assert (await client.get("/api/users/me", headers=headers)).json()["email"] == "alice@example.org"


# --- tags no photo uses -------------------------------------------------------------------------


async def test_tags_no_photo_uses_any_more_are_not_listed(client: Client) -> None:
    token = (await member(client, "alice"))["access_token"]
    kept = await uploaded(client, token, tags=["kept"])
    retagged = await uploaded(client, token, tags=["dropped", "kept"])
    deleted = await uploaded(client, token, tags=["gone"])
    edit = await client.put(
        f"/api/photos/{retagged['id']}", json={"description": "", "tags": ["kept"]}, headers=bearer(token)
    )
    assert edit.status_code == 200, edit.text
    assert (await client.delete(f"/api/photos/{deleted['id']}", headers=bearer(token))).status_code == 204
    page = (await client.get("/api/tags")).json()
    assert page["items"] == [{"name": "kept", "photo_count": 2}]
    assert page["total"] == 1
    assert (await client.get("/api/tags", params={"q": "go"})).json()["total"] == 0
    assert kept["tags"] == ["kept"]


async def test_a_login_form_without_a_password_says_the_password_is_required(client: Client) -> None:
    body = assert_problem(await client.post("/api/auth/login", data={"username": "alice"}), 400)
    assert (body["field"], body["detail"]) == ("password", "password is required")
