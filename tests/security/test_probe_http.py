"""What an outside probe found (issue 17), black-box over HTTP: caching of private answers
and of images, the OAuth2 password form, a stolen refresh family's access tokens, and
problem details that named framework types or said the wrong thing.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member

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
