"""Every Auth row of the contract, through the real app on a fresh database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from photoshare.config import Settings
from tests.integration.accounts import (
    ME_FIELDS,
    PASSWORD,
    Client,
    assert_problem,
    bearer,
    login,
    member,
    signup,
)

TOKEN_FIELDS = {"access_token", "refresh_token", "token_type", "expires_in"}


def _signup_body(**overrides: Any) -> dict[str, Any]:
    return {"username": "alice", "email": "alice@example.org", "password": PASSWORD} | overrides


# --- sign-up -----------------------------------------------------------------------------------


async def test_signup_answers_201_with_exactly_the_me_fields(client: Client) -> None:
    response = await client.post("/api/auth/signup", json=_signup_body(username="Alice"))
    assert response.status_code == 201
    body = response.json()
    assert set(body) == ME_FIELDS
    assert uuid.UUID(body["id"])
    assert (body["username"], body["email"]) == ("Alice", "alice@example.org")
    assert (body["full_name"], body["bio"], body["is_active"], body["photo_count"]) == (None, None, True, 0)
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None
    assert "password" not in response.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_signup_body(username="al"), "username"),
        (_signup_body(username="a" * 33), "username"),
        (_signup_body(username="al ice"), "username"),
        (_signup_body(username="alice!"), "username"),
        (_signup_body(email="not-an-email"), "email"),
        (_signup_body(email="alice@nowhere"), "email"),
        (_signup_body(password="short"), "password"),
        (_signup_body(password="p" * 129), "password"),
        ({"username": "alice", "email": "alice@example.org"}, "password"),
        ({"email": "alice@example.org", "password": PASSWORD}, "username"),
        (_signup_body(username=12345), "username"),
        (_signup_body(password=["not", "a", "string"]), "password"),
    ],
)
async def test_signup_with_an_invalid_field_is_400_naming_the_field(
    refusing_client: Client, body: dict[str, Any], field: str
) -> None:
    response = await refusing_client.post("/api/auth/signup", json=body)
    problem = assert_problem(response, 400)
    assert problem["field"] == field


@pytest.mark.parametrize("payload", [b"this is not json", b"", b"[1, 2, 3]", b'"alice"'])
async def test_signup_with_a_body_that_is_not_a_json_object_is_400(
    refusing_client: Client, payload: bytes
) -> None:
    response = await refusing_client.post(
        "/api/auth/signup", content=payload, headers={"content-type": "application/json"}
    )
    problem = assert_problem(response, 400)
    assert problem["field"] == "body"


async def test_signup_valid_after_an_invalid_attempt_creates_nothing_extra(client: Client) -> None:
    await client.post("/api/auth/signup", json=_signup_body(password="short"))
    body = await signup(client, "alice")
    assert body["role"] == "admin"  # the failed attempt did not take the first-account slot


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ({"username": "ALICE", "email": "other@example.org"}, "username"),
        ({"username": "other", "email": "Alice@Example.ORG"}, "email"),
    ],
)
async def test_signup_with_a_taken_username_or_email_in_another_case_is_409(
    client: Client, second: dict[str, str], field: str
) -> None:
    await signup(client, "alice", "alice@example.org")
    response = await client.post("/api/auth/signup", json=second | {"password": PASSWORD})
    problem = assert_problem(response, 409)
    assert problem["field"] == field


# --- log-in ------------------------------------------------------------------------------------


async def test_login_with_json_answers_tokens(client: Client, settings: Settings) -> None:
    await signup(client, "alice")
    response = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_ttl
    assert body["access_token"] != body["refresh_token"]


async def test_login_accepts_the_oauth2_password_form(client: Client) -> None:
    await signup(client, "alice")
    response = await client.post(
        "/api/auth/login", data={"username": "alice", "password": PASSWORD, "grant_type": "password"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == TOKEN_FIELDS
    assert body["token_type"] == "bearer"
    me = await client.get("/api/users/me", headers=bearer(body["access_token"]))
    assert me.json()["username"] == "alice"


async def test_the_token_url_swagger_authorizes_with_takes_the_oauth2_form_only(client: Client) -> None:
    """The form is documented on its own operation (the document's tokenUrl), so generated
    clients get one plain JSON log-in; the form keeps working on /api/auth/login too."""
    await signup(client, "alice")
    form = {"username": "alice", "password": PASSWORD, "grant_type": "password"}
    response = await client.post("/api/auth/token", data=form)
    assert response.status_code == 200, response.text
    me = await client.get("/api/users/me", headers=bearer(response.json()["access_token"]))
    assert me.json()["username"] == "alice"
    assert_problem(await client.post("/api/auth/token", json=form), 415)

    document = (await client.get("/schema/openapi.json")).json()
    assert set(document["paths"]["/api/auth/login"]["post"]["requestBody"]["content"]) == {"application/json"}
    assert set(document["paths"]["/api/auth/token"]["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded"
    }
    flow = document["components"]["securitySchemes"]["OAuth2Password"]["flows"]["password"]
    assert flow["tokenUrl"] == "/api/auth/token"


@pytest.mark.parametrize("name", ["alice@example.org", "ALICE@EXAMPLE.ORG", "Alice"])
async def test_login_by_email_or_username_in_any_case(client: Client, name: str) -> None:
    await signup(client, "alice", "alice@example.org")
    tokens = await login(client, name)
    me = await client.get("/api/users/me", headers=bearer(tokens["access_token"]))
    assert me.json()["username"] == "alice"


async def test_wrong_password_and_unknown_user_get_identical_answers(client: Client) -> None:
    await signup(client, "alice")
    wrong = await client.post("/api/auth/login", json={"username": "alice", "password": "wrong-password"})
    unknown = await client.post("/api/auth/login", json={"username": "nobody", "password": PASSWORD})
    assert_problem(wrong, 401)
    assert (wrong.status_code, wrong.json()) == (unknown.status_code, unknown.json())


@pytest.mark.parametrize(
    "body",
    [{"username": "alice"}, {"password": PASSWORD}, {"username": "", "password": PASSWORD}],
)
async def test_login_with_missing_credentials_is_400(refusing_client: Client, body: dict[str, str]) -> None:
    response = await refusing_client.post("/api/auth/login", json=body)
    assert_problem(response, 400)


async def test_login_with_an_incomplete_form_is_400(refusing_client: Client) -> None:
    response = await refusing_client.post("/api/auth/login", data={"username": "alice"})
    assert_problem(response, 400)


# --- refresh -----------------------------------------------------------------------------------


async def test_refresh_rotates_and_a_reused_refresh_token_is_401(client: Client) -> None:
    first = await member(client, "alice")
    response = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert response.status_code == 200
    second = response.json()
    assert set(second) == TOKEN_FIELDS
    assert second["refresh_token"] != first["refresh_token"]
    me = await client.get("/api/users/me", headers=bearer(second["access_token"]))
    assert me.status_code == 200
    reused = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert_problem(reused, 401)


async def test_reusing_a_refresh_token_also_kills_the_newer_one_of_its_family(client: Client) -> None:
    first = await member(client, "alice")
    second = (await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
    await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    response = await client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert_problem(response, 401)


async def test_access_token_is_refused_where_a_refresh_token_is_expected(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.post("/api/auth/refresh", json={"refresh_token": tokens["access_token"]})
    assert_problem(response, 401)


async def test_refresh_token_is_refused_as_a_bearer_token(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.get("/api/users/me", headers=bearer(tokens["refresh_token"]))
    assert_problem(response, 401)


@pytest.mark.parametrize("body", [{}, {"refresh_token": ""}, {"refresh_token": 42}])
async def test_refresh_without_a_usable_token_field_is_400(
    refusing_client: Client, body: dict[str, Any]
) -> None:
    response = await refusing_client.post("/api/auth/refresh", json=body)
    assert_problem(response, 400)


async def test_refresh_with_a_garbage_token_is_401(refusing_client: Client) -> None:
    response = await refusing_client.post("/api/auth/refresh", json={"refresh_token": "garbage"})
    assert_problem(response, 401)


# --- log-out -----------------------------------------------------------------------------------


async def test_logout_is_204_and_then_the_access_and_refresh_tokens_are_401(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": tokens["refresh_token"]},
        headers=bearer(tokens["access_token"]),
    )
    assert response.status_code == 204
    assert response.content == b""
    me = await client.get("/api/users/me", headers=bearer(tokens["access_token"]))
    assert_problem(me, 401)
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_problem(refreshed, 401)


async def test_logout_without_a_body_revokes_the_access_token(client: Client) -> None:
    tokens = await member(client, "alice")
    response = await client.post("/api/auth/logout", headers=bearer(tokens["access_token"]))
    assert response.status_code == 204
    me = await client.get("/api/users/me", headers=bearer(tokens["access_token"]))
    assert_problem(me, 401)


async def test_logout_leaves_other_sessions_of_the_same_user_alive(client: Client) -> None:
    phone = await member(client, "alice")
    laptop = await login(client, "alice")
    await client.post(
        "/api/auth/logout",
        json={"refresh_token": phone["refresh_token"]},
        headers=bearer(phone["access_token"]),
    )
    assert (await client.get("/api/users/me", headers=bearer(laptop["access_token"]))).status_code == 200
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": laptop["refresh_token"]})
    assert refreshed.status_code == 200


async def test_logout_with_someone_elses_refresh_token_is_403(client: Client) -> None:
    alice = await member(client, "alice")
    bob = await member(client, "bob")
    response = await client.post(
        "/api/auth/logout",
        json={"refresh_token": bob["refresh_token"]},
        headers=bearer(alice["access_token"]),
    )
    assert_problem(response, 403)
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": bob["refresh_token"]})
    assert refreshed.status_code == 200


async def test_logout_without_a_token_is_401(refusing_client: Client) -> None:
    response = await refusing_client.post("/api/auth/logout")
    assert_problem(response, 401)


# --- bearer tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWxpY2U6cGFzc3dvcmQ="},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Bearer a.b.c"},
        {"Authorization": "Token abc.def.ghi"},
    ],
)
async def test_missing_malformed_or_garbage_bearer_is_401_problem(
    refusing_client: Client, headers: dict[str, str]
) -> None:
    response = await refusing_client.get("/api/users/me", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].lower().startswith("bearer")


async def test_expired_access_token_is_401(client: Client, settings: Settings) -> None:
    me = await signup(client, "alice")
    past = datetime.now(UTC) - timedelta(hours=1)
    payload = {
        "sub": me["id"],
        "iat": int(past.timestamp()),
        "exp": int((past + timedelta(minutes=15)).timestamp()),
        "jti": uuid.uuid4().hex,
        "type": "access",
        "ver": 0,
    }
    assert settings.secret_key
    expired = jwt.encode(payload, settings.secret_key, algorithm="HS256")
    fresh = jwt.encode(
        payload | {"exp": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())},
        settings.secret_key,
        algorithm="HS256",
    )
    assert (await client.get("/api/users/me", headers=bearer(fresh))).status_code == 200
    assert_problem(await client.get("/api/users/me", headers=bearer(expired)), 401)


async def test_access_token_signed_with_another_key_is_401(client: Client) -> None:
    me = await signup(client, "alice")
    now = int(datetime.now(UTC).timestamp())
    payload = {"sub": me["id"], "iat": now, "exp": now + 600, "jti": "x", "type": "access", "ver": 0}
    forged = jwt.encode(payload, "an-attacker-key-that-is-long-enough-to-sign", algorithm="HS256")
    assert_problem(await client.get("/api/users/me", headers=bearer(forged)), 401)
