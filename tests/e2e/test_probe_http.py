"""Issue 17 (items 5, 7, 8, 9) over real HTTP against `photoshare serve` on the defaults:
private answers are never stored, images revalidate, the OAuth2 form is strict, a reused
refresh token ends its family's access tokens, and problems speak plainly."""

from __future__ import annotations

import httpx

from tests.e2e.journey import PASSWORD, bearer, jpeg, log_in, member, path_of, upload


def test_private_answers_are_not_stored_and_a_deleted_photo_leaves_caches(http: httpx.Client) -> None:
    _, token = member(http)
    me = http.get("/api/users/me", headers=bearer(token))
    assert me.headers["cache-control"] == "private, no-store"
    photo = upload(http, token, tags="e2e-probe")
    image = http.get(path_of(photo["url"]))
    assert image.status_code == 200
    assert "must-revalidate" in image.headers["cache-control"]
    assert "immutable" not in image.headers["cache-control"]
    etag = {"If-None-Match": image.headers["etag"]}
    assert http.get(path_of(photo["url"]), headers=etag).status_code == 304
    assert http.delete(f"/api/photos/{photo['id']}", headers=bearer(token)).status_code == 204
    assert http.get(path_of(photo["url"]), headers=etag).status_code == 404
    tags = http.get("/api/tags", params={"q": "e2e-probe"}).json()
    assert tags["total"] == 0  # no photo uses the tag any more


def test_the_oauth2_form_takes_only_the_password_grant(http: httpx.Client) -> None:
    username, _ = member(http)
    form = {"username": username, "password": PASSWORD}
    refused = http.post("/api/auth/login", data=form | {"grant_type": "client_credentials"})
    assert refused.status_code == 400
    assert refused.json()["error"] == "unsupported_grant_type"
    assert http.post("/api/auth/login", data=form | {"grant_type": "password"}).status_code == 200


def test_a_reused_refresh_token_ends_its_familys_access_tokens(http: httpx.Client) -> None:
    username, _ = member(http)
    first = log_in(http, username)
    second = http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    assert http.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    for tokens in (first, second):
        assert http.get("/api/users/me", headers=bearer(tokens["access_token"])).status_code == 401


def test_null_clears_the_full_name_and_problems_name_no_framework_types(http: httpx.Client) -> None:
    _, token = member(http)
    headers = bearer(token)
    http.patch("/api/users/me", json={"full_name": "Someone", "bio": "hello"}, headers=headers)
    cleared = http.patch("/api/users/me", json={"full_name": None}, headers=headers).json()
    assert (cleared["full_name"], cleared["bio"]) == (None, "hello")
    two_files = [("file", ("a.jpg", jpeg(), "image/jpeg")), ("file", ("b.jpg", jpeg(), "image/jpeg"))]
    response = http.post("/api/photos", files=two_files, headers=headers)
    assert response.status_code == 400
    assert response.json()["detail"] == "file may be given only once"
