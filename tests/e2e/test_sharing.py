"""Sharing against `photoshare serve` on the defaults, over real HTTP (issue 13).

An album of a private photo, shared by a password-protected link that expires and has a view
limit: the recipient needs the password, sees the private photo through the link (its signed
image URL works, the unsigned one does not), the owner sees the views, and the link ends when
it expires or is revoked.
"""

from __future__ import annotations

import time

import httpx

from tests.e2e.journey import bearer, jpeg, member, path_of


def test_an_album_shared_by_a_password_protected_link_that_expires(http: httpx.Client) -> None:
    _, token = member(http)
    photo = http.post(
        "/api/photos",
        files={"file": ("photo.jpg", jpeg(), "image/jpeg")},
        data={"visibility": "private"},
        headers=bearer(token),
    ).json()
    assert photo["visibility"] == "private"
    assert http.get(f"/api/photos/{photo['id']}").status_code == 404  # anonymous
    album = http.post("/api/albums", json={"title": "Summer", "visibility": "private"}, headers=bearer(token))
    assert album.status_code == 201, album.text
    album_id = album.json()["id"]
    assert http.put(f"/api/albums/{album_id}/photos/{photo['id']}", headers=bearer(token)).status_code == 204

    made = http.post(
        f"/api/albums/{album_id}/shares",
        json={"label": "grandma", "expires_in": 60, "password": "open sesame", "max_views": 5},
        headers=bearer(token),
    )
    assert made.status_code == 201, made.text
    share = made.json()
    assert made.headers["cache-control"] == "no-store"
    slug = share["slug"]

    asked = http.get(f"/api/shared/{slug}")
    assert asked.status_code == 401
    assert asked.json()["password_required"] is True
    assert http.get(f"/api/shared/{slug}", headers={"X-Share-Password": "wrong one"}).status_code == 401
    opened = http.get(f"/api/shared/{slug}", headers={"X-Share-Password": "open sesame"})
    assert opened.status_code == 200, opened.text
    body = opened.json()
    assert body["album"]["id"] == album_id
    assert [p["id"] for p in body["photos"]["items"]] == [photo["id"]]
    image_url = body["photos"]["items"][0]["url"]
    assert http.get(path_of(image_url)).status_code == 200
    assert http.get(path_of(image_url).split("?")[0]).status_code == 404

    assert http.get(path_of(share["qr_url"])).headers["content-type"] == "image/png"
    assert http.get(path_of(share["url"])).status_code == 200

    seen = http.get(f"/api/shares/{share['id']}", headers=bearer(token)).json()
    assert seen["view_count"] == 1
    assert seen["last_viewed_at"] is not None

    # It expires: made to end in a second (the API takes no past moment), then it is gone.
    soon = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 2))
    assert (
        http.patch(f"/api/shares/{share['id']}", json={"expires_at": soon}, headers=bearer(token)).status_code
        == 200
    )
    time.sleep(3)
    assert http.get(f"/api/shared/{slug}", headers={"X-Share-Password": "open sesame"}).status_code == 410

    assert http.delete(f"/api/shares/{share['id']}", headers=bearer(token)).status_code == 204
    assert http.get(f"/api/shared/{slug}", headers={"X-Share-Password": "open sesame"}).status_code == 404
