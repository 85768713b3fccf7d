"""What an outside probe found about Unicode (issue 17, item 4), over HTTP.

Covers: one tag and one account whatever the normalisation form a client sends (`café` and
`x@exämple.com` in NFC and NFD), tag filters and searches that find each other across forms,
zero-width characters, bidi overrides, tabs and newlines refused in tags, emails, usernames
and full names, and a comment of only invisible characters refused like a blank one. The
rules themselves are in src/photoshare/domain/text.py, tested in tests/unit/test_text_rules.py.
"""

from __future__ import annotations

import pytest

from tests.integration.accounts import PASSWORD, Client, assert_problem, bearer, member, signup
from tests.integration.engagement import photo_by
from tests.integration.photo_helpers import upload, uploaded

CAFE_NFC = "caf\u00e9"
CAFE_NFD = "cafe\u0301"
EMAIL_NFC = "x@ex\u00e4mple.com"
EMAIL_NFD = "x@exa\u0308mple.com"
ZWSP, RLO = "\u200b", "\u202e"
# What the probe slipped into names: zero-width space, bidi override, tab, newline.
HIDDEN = [ZWSP, RLO, "\t", "\n"]


@pytest.fixture
async def token(client: Client) -> str:
    return str((await member(client, "alice"))["access_token"])


# --- tags -----------------------------------------------------------------------------------------


async def test_cafe_in_nfc_and_nfd_is_one_tag(client: Client, token: str) -> None:
    first = await uploaded(client, token, tags=CAFE_NFC)
    second = await uploaded(client, token, tags=CAFE_NFD)
    assert first["tags"] == second["tags"] == [CAFE_NFC]
    tags = (await client.get("/api/tags")).json()
    assert tags["items"] == [{"name": CAFE_NFC, "photo_count": 2}]


@pytest.mark.parametrize(("stored", "asked"), [(CAFE_NFC, CAFE_NFD), (CAFE_NFD, CAFE_NFC)])
async def test_cafe_finds_itself_across_forms_by_tag_filter_search_and_prefix(
    client: Client, token: str, stored: str, asked: str
) -> None:
    photo = await uploaded(client, token, tags=stored, description=f"at the {stored}")
    by_tag = (await client.get("/api/photos", params={"tag": asked})).json()
    assert [p["id"] for p in by_tag["items"]] == [photo["id"]]
    by_search = (await client.get("/api/photos", params={"q": asked})).json()
    assert [p["id"] for p in by_search["items"]] == [photo["id"]]
    by_prefix = (await client.get("/api/tags", params={"q": asked})).json()
    assert [t["name"] for t in by_prefix["items"]] == [CAFE_NFC]


@pytest.mark.parametrize("hidden", HIDDEN)
async def test_a_tag_with_an_invisible_or_control_character_is_400(
    client: Client, token: str, hidden: str
) -> None:
    body = assert_problem(await upload(client, token, form={"tags": f"ca{hidden}fe"}), 400)
    assert "tags" in body["detail"]
    photo_id = await photo_by(client, token)
    edit = await client.put(
        f"/api/photos/{photo_id}", json={"description": "", "tags": [f"ca{hidden}fe"]}, headers=bearer(token)
    )
    assert_problem(edit, 400)


# --- accounts -------------------------------------------------------------------------------------


async def test_an_email_in_nfc_and_nfd_is_one_account(client: Client) -> None:
    await signup(client, "first", EMAIL_NFC)
    second = await client.post(
        "/api/auth/signup", json={"username": "second", "email": EMAIL_NFD, "password": PASSWORD}
    )
    assert_problem(second, 409)
    login = await client.post("/api/auth/login", json={"username": EMAIL_NFD, "password": PASSWORD})
    assert login.status_code == 200, login.text


async def test_a_profile_email_in_the_other_form_is_taken(client: Client) -> None:
    await signup(client, "first", EMAIL_NFD)
    tokens = await member(client, "second")
    patch = await client.patch(
        "/api/users/me", json={"email": EMAIL_NFC}, headers=bearer(tokens["access_token"])
    )
    assert_problem(patch, 409)


@pytest.mark.parametrize("hidden", HIDDEN)
async def test_an_email_or_username_with_an_invisible_or_control_character_is_400(
    client: Client, hidden: str
) -> None:
    for username, email in ((f"ali{hidden}ce", "alice@example.org"), ("alice", f"ali{hidden}ce@example.org")):
        response = await client.post(
            "/api/auth/signup", json={"username": username, "email": email, "password": PASSWORD}
        )
        assert_problem(response, 400)


@pytest.mark.parametrize("hidden", HIDDEN)
async def test_a_full_name_with_an_invisible_or_control_character_is_400(
    client: Client, token: str, hidden: str
) -> None:
    patch = await client.patch(
        "/api/users/me", json={"full_name": f"Alice{hidden}Liddell"}, headers=bearer(token)
    )
    assert_problem(patch, 400)
    me = (await client.get("/api/users/me", headers=bearer(token))).json()
    assert me["full_name"] is None


async def test_a_full_name_and_bio_are_stored_in_nfc(client: Client, token: str) -> None:
    patch = await client.patch(
        "/api/users/me",
        json={"full_name": f"Ren{CAFE_NFD[3:]}", "bio": f"{CAFE_NFD}\r\nlover"},
        headers=bearer(token),
    )
    assert patch.status_code == 200, patch.text
    assert (patch.json()["full_name"], patch.json()["bio"]) == ("Ren\u00e9", f"{CAFE_NFC}\nlover")


# --- comments -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [" ", ZWSP, ZWSP * 3, "\u200d", "\u3164"])
async def test_a_comment_of_only_invisible_characters_is_refused_like_a_blank_one(
    client: Client, token: str, text: str
) -> None:
    photo_id = await photo_by(client, token)
    response = await client.post(
        f"/api/photos/{photo_id}/comments", json={"text": text}, headers=bearer(token)
    )
    assert_problem(response, 400)


async def test_a_comment_with_a_bidi_override_is_refused_and_line_breaks_are_kept(
    client: Client, token: str
) -> None:
    photo_id = await photo_by(client, token)
    url = f"/api/photos/{photo_id}/comments"
    assert_problem(await client.post(url, json={"text": f"see {RLO}gpj.exe"}, headers=bearer(token)), 400)
    kept = await client.post(url, json={"text": f"two\nlines at the {CAFE_NFD}"}, headers=bearer(token))
    assert kept.status_code == 201, kept.text
    assert kept.json()["text"] == f"two\nlines at the {CAFE_NFC}"
