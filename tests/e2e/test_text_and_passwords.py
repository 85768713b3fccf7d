"""Issue 17, items 3 and 4, against `photoshare serve` on the defaults: long passwords count
past bcrypt's 72 bytes, and look-alike Unicode spellings are one tag and one account."""

from __future__ import annotations

import httpx

from tests.e2e.journey import PASSWORD, bearer, upload

LONG = "A" * 72 + "secret1"
CAFE_NFC, CAFE_NFD = "caf\u00e9", "cafe\u0301"
EMAIL_NFC, EMAIL_NFD = "x@ex\u00e4mple.com", "x@exa\u0308mple.com"


def _sign_up(http: httpx.Client, username: str, email: str, password: str) -> httpx.Response:
    return http.post("/api/auth/signup", json={"username": username, "email": email, "password": password})


def _log_in(http: httpx.Client, username: str, password: str) -> httpx.Response:
    return http.post("/api/auth/login", json={"username": username, "password": password})


def test_every_byte_of_a_long_password_counts(http: httpx.Client) -> None:
    assert _sign_up(http, "longpass", "longpass@example.org", LONG).status_code == 201
    assert _log_in(http, "longpass", "A" * 72 + "different").status_code == 401
    assert _log_in(http, "longpass", "A" * 72).status_code == 401
    assert _log_in(http, "longpass", LONG).status_code == 200


def test_an_email_in_nfc_and_nfd_is_one_account_and_logs_in_either_way(http: httpx.Client) -> None:
    assert _sign_up(http, "umlaut", EMAIL_NFC, PASSWORD).status_code == 201
    assert _sign_up(http, "lookalike", EMAIL_NFD, PASSWORD).status_code == 409
    assert _log_in(http, EMAIL_NFD, PASSWORD).status_code == 200


def test_cafe_in_nfc_and_nfd_is_one_tag_and_hidden_characters_are_refused(http: httpx.Client) -> None:
    token = _log_in(http, "longpass", LONG).json()["access_token"]
    first = upload(http, token, description=f"at the {CAFE_NFD}", tags=CAFE_NFD)
    second = upload(http, token, tags=CAFE_NFC)
    assert first["tags"] == second["tags"] == [CAFE_NFC]
    tags = http.get("/api/tags", params={"q": CAFE_NFD}).json()["items"]
    assert tags == [{"name": CAFE_NFC, "photo_count": 2}]
    found = http.get("/api/photos", params={"tag": CAFE_NFD}).json()["items"]
    assert {p["id"] for p in found} == {first["id"], second["id"]}
    searched = http.get("/api/photos", params={"q": CAFE_NFC}).json()["items"]  # description and tags
    assert {p["id"] for p in searched} == {first["id"], second["id"]}

    blank = http.post(f"/api/photos/{first['id']}/comments", json={"text": "\u200b"}, headers=bearer(token))
    assert blank.status_code == 400
    bidi = http.patch("/api/users/me", json={"full_name": "Alice\u202eecilA"}, headers=bearer(token))
    assert bidi.status_code == 400
