"""What an outside probe found (issue 17), black-box over HTTP: caching of private answers
and of images, the OAuth2 password form, a stolen refresh family's access tokens, and
problem details that named framework types or said the wrong thing.
"""

from __future__ import annotations

from tests.integration.accounts import Client, assert_problem, bearer, member

# --- a reused refresh token ends its family's access tokens too ------------------------------


async def test_reusing_a_refresh_token_ends_the_familys_access_tokens_at_once(client: Client) -> None:
    first = await member(client, "alice")
    other = (await client.post("/api/auth/login", json={"username": "alice", "password": "password123"})).json()
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    for tokens in (first, second):
        assert (await client.get("/api/users/me", headers=bearer(tokens["access_token"]))).status_code == 200
    replay = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(replay, 401)
    for tokens in (first, second):
        assert_problem(await client.get("/api/users/me", headers=bearer(tokens["access_token"])), 401)
    # Another session of the same account is another family: it goes on working.
    assert (await client.get("/api/users/me", headers=bearer(other["access_token"]))).status_code == 200
