"""Users rows of the contract: me, public profiles, roles and bans, through the real app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.accounts import (
    ME_FIELDS,
    PROFILE_FIELDS,
    Client,
    assert_problem,
    bearer,
    login,
    member,
    signup,
)


@pytest.fixture
async def root(client: Client) -> dict[str, Any]:
    """The first account: the admin."""
    return await member(client, "root")


@pytest.fixture
async def bob(client: Client, root: dict[str, Any]) -> dict[str, Any]:
    return await member(client, "bob")


@pytest.fixture
async def mod(client: Client, root: dict[str, Any]) -> dict[str, Any]:
    tokens = await member(client, "mod")
    response = await client.put(
        "/api/users/mod/role", json={"role": "moderator"}, headers=bearer(root["access_token"])
    )
    assert response.status_code == 200
    return tokens


async def _me(client: Client, tokens: dict[str, Any]) -> Any:
    return await client.get("/api/users/me", headers=bearer(tokens["access_token"]))


# --- me ----------------------------------------------------------------------------------------


async def test_get_me_answers_exactly_the_me_fields_of_the_caller(client: Client) -> None:
    created = await signup(client, "alice")
    tokens = await login(client, "alice")
    response = await _me(client, tokens)
    assert response.status_code == 200
    assert set(response.json()) == ME_FIELDS
    assert response.json() == created


async def test_patch_me_updates_full_name_bio_and_email(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.patch(
        "/api/users/me",
        json={"full_name": "Alice Liddell", "bio": "down the hole", "email": "new@example.org"},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ME_FIELDS
    assert (body["full_name"], body["bio"], body["email"]) == (
        "Alice Liddell",
        "down the hole",
        "new@example.org",
    )
    assert (await _me(client, tokens)).json() == body
    assert (await login(client, "new@example.org"))["access_token"]


async def test_patch_me_leaves_fields_that_were_not_sent(client: Client) -> None:
    tokens = await member(client, "alice")
    headers = bearer(tokens["access_token"])
    await client.patch("/api/users/me", json={"full_name": "Alice"}, headers=headers)
    response = await client.patch("/api/users/me", json={"bio": "hello"}, headers=headers)
    body = response.json()
    assert (body["full_name"], body["bio"], body["email"]) == ("Alice", "hello", "alice@example.org")


async def test_patch_me_to_an_email_taken_in_another_case_is_409(client: Client) -> None:
    await signup(client, "alice", "alice@example.org")
    tokens = await member(client, "bob")
    response = await client.patch(
        "/api/users/me", json={"email": "ALICE@example.org"}, headers=bearer(tokens["access_token"])
    )
    assert assert_problem(response, 409)["field"] == "email"
    assert (await _me(client, tokens)).json()["email"] == "bob@example.org"


async def test_patch_me_may_change_the_case_of_ones_own_email(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.patch(
        "/api/users/me", json={"email": "ALICE@example.org"}, headers=bearer(tokens["access_token"])
    )
    assert response.status_code == 200
    assert response.json()["email"] == "ALICE@example.org"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": 7}, "email"),
        ({"bio": "b" * 501}, "bio"),
        ({"full_name": "f" * 101}, "full_name"),
    ],
)
async def test_patch_me_with_an_invalid_value_is_400_naming_the_field(
    client: Client, body: dict[str, Any], field: str
) -> None:
    tokens = await member(client, "alice")
    response = await client.patch("/api/users/me", json=body, headers=bearer(tokens["access_token"]))
    assert assert_problem(response, 400)["field"] == field


@pytest.mark.parametrize("body", [{"role": "admin"}, {"username": "mallory"}, {"is_active": False}])
async def test_patch_me_with_an_unknown_field_is_400_and_changes_nothing(
    client: Client, root: dict[str, Any], body: dict[str, Any]
) -> None:
    tokens = await member(client, "alice")
    before = (await _me(client, tokens)).json()
    response = await client.patch("/api/users/me", json=body, headers=bearer(tokens["access_token"]))
    assert assert_problem(response, 400)["field"] == next(iter(body))
    assert (await _me(client, tokens)).json() == before


async def test_patch_me_needs_a_token(refusing_client: Client) -> None:
    assert_problem(await refusing_client.patch("/api/users/me", json={"bio": "x"}), 401)


# --- public profiles ---------------------------------------------------------------------------


async def test_public_profile_needs_no_token_and_never_shows_the_email(client: Client) -> None:
    await signup(client, "alice", "alice-secret@example.org")
    response = await client.get("/api/users/alice")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == PROFILE_FIELDS
    assert (body["username"], body["role"], body["is_active"]) == ("alice", "admin", True)
    assert (body["photo_count"], body["comment_count"]) == (0, 0)
    assert "email" not in response.text
    assert "alice-secret" not in response.text


async def test_public_profile_lookup_is_case_insensitive(client: Client) -> None:
    await signup(client, "Alice")
    response = await client.get("/api/users/aLiCe")
    assert response.status_code == 200
    assert response.json()["username"] == "Alice"


async def test_profile_of_an_unknown_user_is_404(refusing_client: Client) -> None:
    assert_problem(await refusing_client.get("/api/users/nobody"), 404)


# --- roles -------------------------------------------------------------------------------------


async def test_admin_changes_a_role_and_gets_the_profile(
    client: Client, root: dict[str, Any], bob: dict[str, Any]
) -> None:
    response = await client.put(
        "/api/users/BOB/role", json={"role": "moderator"}, headers=bearer(root["access_token"])
    )
    assert response.status_code == 200
    assert set(response.json()) == PROFILE_FIELDS
    assert (response.json()["username"], response.json()["role"]) == ("bob", "moderator")
    assert (await _me(client, bob)).json()["role"] == "moderator"


async def test_a_user_cannot_change_roles(client: Client, root: dict[str, Any], bob: dict[str, Any]) -> None:
    response = await client.put(
        "/api/users/bob/role", json={"role": "admin"}, headers=bearer(bob["access_token"])
    )
    assert_problem(response, 403)
    assert (await client.get("/api/users/bob")).json()["role"] == "user"


async def test_a_moderator_cannot_change_roles(
    client: Client, mod: dict[str, Any], bob: dict[str, Any]
) -> None:
    response = await client.put(
        "/api/users/bob/role", json={"role": "moderator"}, headers=bearer(mod["access_token"])
    )
    assert_problem(response, 403)
    assert (await client.get("/api/users/bob")).json()["role"] == "user"


@pytest.mark.parametrize("body", [{"role": "superuser"}, {"role": "ADMIN"}, {}, {"role": None}])
async def test_invalid_role_is_400(
    client: Client, root: dict[str, Any], bob: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await client.put("/api/users/bob/role", json=body, headers=bearer(root["access_token"]))
    assert assert_problem(response, 400)["field"] == "role"


async def test_admin_cannot_demote_themselves(client: Client, root: dict[str, Any]) -> None:
    response = await client.put(
        "/api/users/root/role", json={"role": "user"}, headers=bearer(root["access_token"])
    )
    assert_problem(response, 409)
    assert (await client.get("/api/users/root")).json()["role"] == "admin"


async def test_changing_the_role_of_an_unknown_user_is_404(client: Client, root: dict[str, Any]) -> None:
    response = await client.put(
        "/api/users/ghost/role", json={"role": "moderator"}, headers=bearer(root["access_token"])
    )
    assert_problem(response, 404)


async def test_changing_a_role_needs_a_token(client: Client, bob: dict[str, Any]) -> None:
    assert_problem(await client.put("/api/users/bob/role", json={"role": "admin"}), 401)


# --- bans --------------------------------------------------------------------------------------


async def _ban(client: Client, actor: dict[str, Any], username: str) -> Any:
    return await client.post(f"/api/users/{username}/ban", headers=bearer(actor["access_token"]))


async def _unban(client: Client, actor: dict[str, Any], username: str) -> Any:
    return await client.post(f"/api/users/{username}/unban", headers=bearer(actor["access_token"]))


async def test_admin_bans_a_user_and_gets_the_profile(
    client: Client, root: dict[str, Any], bob: dict[str, Any]
) -> None:
    response = await _ban(client, root, "bob")
    assert response.status_code == 200
    assert set(response.json()) == PROFILE_FIELDS
    assert (response.json()["username"], response.json()["is_active"]) == ("bob", False)


@pytest.mark.parametrize("actor", ["bob", "mod"])
async def test_only_an_admin_bans_or_unbans(
    client: Client, root: dict[str, Any], bob: dict[str, Any], mod: dict[str, Any], actor: str
) -> None:
    tokens = {"bob": bob, "mod": mod}[actor]
    await member(client, "carol")
    assert_problem(await _ban(client, tokens, "carol"), 403)
    assert (await client.get("/api/users/carol")).json()["is_active"] is True
    assert (await _ban(client, root, "carol")).status_code == 200
    assert_problem(await _unban(client, tokens, "carol"), 403)
    assert (await client.get("/api/users/carol")).json()["is_active"] is False


async def test_banned_users_live_access_token_is_403_at_once(
    client: Client, root: dict[str, Any], bob: dict[str, Any]
) -> None:
    assert (await _me(client, bob)).status_code == 200
    await _ban(client, root, "bob")
    assert_problem(await _me(client, bob), 403)
    patched = await client.patch("/api/users/me", json={"bio": "x"}, headers=bearer(bob["access_token"]))
    assert_problem(patched, 403)


async def test_banned_user_cannot_refresh(client: Client, root: dict[str, Any], bob: dict[str, Any]) -> None:
    await _ban(client, root, "bob")
    response = await client.post("/api/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert response.status_code in (401, 403)
    assert_problem(response, response.status_code)


async def test_banned_user_cannot_log_in(client: Client, root: dict[str, Any], bob: dict[str, Any]) -> None:
    await _ban(client, root, "bob")
    response = await client.post("/api/auth/login", json={"username": "bob", "password": "password123"})
    assert_problem(response, 403)


async def test_admin_cannot_ban_themselves(client: Client, root: dict[str, Any]) -> None:
    assert_problem(await _ban(client, root, "ROOT"), 409)
    assert (await _me(client, root)).status_code == 200


async def test_banning_an_unknown_user_is_404(client: Client, root: dict[str, Any]) -> None:
    assert_problem(await _ban(client, root, "ghost"), 404)
    assert_problem(await _unban(client, root, "ghost"), 404)


async def test_after_an_unban_the_user_logs_in_again_but_earlier_tokens_stay_dead(
    client: Client, root: dict[str, Any], bob: dict[str, Any]
) -> None:
    await _ban(client, root, "bob")
    response = await _unban(client, root, "bob")
    assert response.status_code == 200
    assert response.json()["is_active"] is True
    assert_problem(await _me(client, bob), 401)
    stale = await client.post("/api/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert_problem(stale, 401)
    fresh = await login(client, "bob")
    assert (await _me(client, fresh)).json()["username"] == "bob"


async def test_banning_needs_a_token(client: Client, bob: dict[str, Any]) -> None:
    assert_problem(await client.post("/api/users/bob/ban"), 401)
