"""The web client on `photoshare serve` with the defaults: `/` and the page paths answer the
client's HTML shell with the strict CSP, its modules load, and the API keeps its own answers."""

from __future__ import annotations

import re

import httpx

from tests.e2e.journey import bearer, member, upload
from tests.e2e.server import Service

MODULE = re.compile(r'<script type="module" src="([^"]+)"></script>')


def test_root_serves_the_web_client_with_a_strict_csp(http: httpx.Client) -> None:
    page = http.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    entry = MODULE.search(page.text)
    assert entry
    script = http.get(entry.group(1))
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]


def test_page_paths_of_a_real_photo_and_profile_answer_the_shell(http: httpx.Client) -> None:
    name, token = member(http)
    photo = upload(http, token, description="for the web client")
    for path in (
        f"/photos/{photo['id']}",
        f"/u/{name}",
        "/tags/anything",
        "/s/someslug",
        "/verify-email?token=x",
        "/reset-password",
    ):
        answer = http.get(path)
        assert answer.status_code == 200, path
        assert MODULE.search(answer.text), path


def test_the_api_keeps_its_json_answers_next_to_the_client(http: httpx.Client) -> None:
    missing = http.get("/api/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert http.get("/api/photos").json()["total"] >= 0
    assert http.get("/no-such-page").status_code == 404


def test_the_reads_the_client_adds_to_the_api(fresh_service: Service) -> None:
    """A user's photos, your own rating, the admins' user list and a photo's albums, on the real server."""
    with fresh_service.start().client() as http:
        admin, admin_token = member(http, "chief")  # the first account: the admin
        owner, owner_token = member(http, "owner")
        rater, rater_token = member(http, "rater")
        shown = upload(http, owner_token, description="on the profile")
        hidden = http.put(
            f"/api/photos/{upload(http, owner_token)['id']}",
            json={"description": "hidden", "visibility": "private"},
            headers=bearer(owner_token),
        )
        assert hidden.status_code == 200
        public = http.get(f"/api/users/{owner}/photos").json()
        assert [p["id"] for p in public["items"]] == [shown["id"]]
        assert http.get(f"/api/users/{owner}/photos", headers=bearer(owner_token)).json()["total"] == 2

        mine = f"/api/photos/{shown['id']}/ratings/me"
        assert http.get(mine, headers=bearer(rater_token)).json()["value"] is None
        rate = http.post(f"/api/photos/{shown['id']}/ratings", json={"value": 5}, headers=bearer(rater_token))
        assert rate.status_code == 201
        assert http.get(mine, headers=bearer(rater_token)).json()["value"] == 5

        assert http.post(f"/api/users/{rater}/ban", headers=bearer(admin_token)).status_code == 200
        users = http.get("/api/users", params={"banned": "true"}, headers=bearer(admin_token)).json()
        assert [u["username"] for u in users["items"]] == [rater]
        everyone = http.get("/api/users", params={"q": admin}, headers=bearer(admin_token)).json()
        assert [u["username"] for u in everyone["items"]] == [admin]
        assert http.get("/api/users", headers=bearer(owner_token)).status_code == 403

        album = http.post("/api/albums", json={"title": "kept"}, headers=bearer(owner_token)).json()
        hidden_album = http.post(
            "/api/albums", json={"title": "own eyes", "visibility": "private"}, headers=bearer(owner_token)
        ).json()
        for held in (album, hidden_album):
            put = http.put(f"/api/albums/{held['id']}/photos/{shown['id']}", headers=bearer(owner_token))
            assert put.status_code == 204
        albums = f"/api/photos/{shown['id']}/albums"
        assert [a["title"] for a in http.get(albums).json()["items"]] == ["kept"]
        assert http.get(albums, headers=bearer(owner_token)).json()["total"] == 2
        assert http.get(f"/api/photos/{hidden.json()['id']}/albums").status_code == 404
