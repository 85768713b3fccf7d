"""What an outside probe found (issue 17), black-box over HTTP: caching of private answers
and of images, the OAuth2 password form, a stolen refresh family's access tokens, and
problem details that named framework types or said the wrong thing.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from photoshare.entrypoints.http.caching import IMAGE_MAX_AGE
from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member
from tests.integration.photo_helpers import linked, path_of, uploaded

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
    pairs = [(k, v) for k, v in fields.items()] + [(field, "bob" if field == "username" else fields[field])]
    response = await client.post(
        "/api/auth/login",
        content=urlencode(pairs),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    body = assert_problem(response, 400)
    assert body["field"] == field
    assert body["error"] == "invalid_request"
