"""The data `make bench` needs beyond the seed, made over HTTP: users with tokens, photo ids,
keywords, short links and a handful of ready photos' variants; and the fresh (user, photo)
pairs the rating scenario walks."""

from __future__ import annotations

import io
import math
import random
import re
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

from scenarios import Fixtures

PASSWORD = "bench-password-1"
VARIANT_UPLOADS = 12  # distinct images behind the variant scenario, besides the seed's own
READY_TIMEOUT = 300.0  # the service's job worker makes their variants meanwhile


def prepare(url: str, users_wanted: int, photo_ids: int, rng: random.Random) -> Fixtures:
    """Users with tokens, photo ids, keywords and short links, all over HTTP."""
    tag = secrets.token_hex(3)
    users = [(f"b{tag}_{i:03d}", PASSWORD) for i in range(users_wanted)]
    with httpx.Client(base_url=url, timeout=120) as client, ThreadPoolExecutor(4) as pool:

        def enrol(user: tuple[str, str]) -> str:
            name, password = user
            body = {"username": name, "email": f"{name}@bench.example.com", "password": password}
            client.post("/api/auth/signup", json=body).raise_for_status()
            answer = client.post("/api/auth/login", json={"username": name, "password": password})
            answer.raise_for_status()
            return str(answer.json()["access_token"])

        print(f"bench: signing up and logging in {len(users)} users", flush=True)
        tokens = list(pool.map(enrol, users))
        total = int(client.get("/api/photos", params={"limit": 1}).raise_for_status().json()["total"])
        if total == 0:
            raise SystemExit("bench: the seeded database has no photos")
        pages = max(1, min(math.ceil(photo_ids / 100), math.ceil(total / 100)))
        step = max(100, total // pages)
        print(f"bench: collecting photo ids ({pages} pages of 100 out of {total})", flush=True)

        def page(offset: int) -> list[dict[str, Any]]:
            answer = client.get("/api/photos", params={"limit": 100, "offset": offset})
            return list(answer.raise_for_status().json()["items"])

        photos = [p for items in pool.map(page, range(0, pages * step, step)) for p in items]
        photos = list({p["id"]: p for p in photos}.values())
        source, slugs = make_links(client, tokens[0])
        uploaded = upload_ready(client, tokens[0], VARIANT_UPLOADS)
    words: Counter[str] = Counter()
    for photo in photos:
        words.update(t.lower() for t in photo.get("tags") or [])
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", photo.get("description") or ""))
    # Half the commonest words (big result sets), half from the long tail (small ones).
    ranked = [w for w, _ in words.most_common()]
    tail = ranked[30:]
    keywords = sorted(ranked[:30] + rng.sample(tail, min(30, len(tail))))
    ratable = [p["id"] for p in photos if p["id"] != source]
    rng.shuffle(ratable)
    # Only the uploaded photos: the seed's share a handful of image files, so each of their
    # keys names thousands of rows, which no upload ever does (a first bench run measured
    # that artefact: 5 ms of PostgreSQL per request looking up the key's visibility).
    small = [small_variant_path(p) for p in uploaded if p.get("variants")]
    return Fixtures(users, tokens, photos, ratable, slugs, keywords or ["photo"], source, small)


def small_variant_path(photo: dict[str, Any]) -> str:
    url: str = next(v["url"] for v in photo["variants"] if v["name"] == "small")
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def upload_ready(client: httpx.Client, token: str, count: int) -> list[dict[str, Any]]:
    """Upload `count` distinct 1600x1200 JPEGs and wait until the job worker has made their
    variants (the seed's photos are ready too, but share a handful of files)."""
    from PIL import Image

    auth = {"Authorization": f"Bearer {token}"}
    ids = []
    print(f"bench: uploading {count} photos and waiting for their variants", flush=True)
    for i in range(count):
        image = Image.radial_gradient("L").resize((1600, 1200)).rotate(i * 30).convert("RGB")
        image = Image.merge(
            "RGB", (image.getchannel(0), Image.effect_noise((1600, 1200), 20 + i), image.getchannel(2))
        )
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        answer = client.post(
            "/api/photos",
            headers=auth,
            files={"file": (f"variant-{i}.jpg", buffer.getvalue(), "image/jpeg")},
            data={"description": "bench variant source", "tags": "bench"},
        )
        ids.append(str(answer.raise_for_status().json()["id"]))
    deadline = time.monotonic() + READY_TIMEOUT
    ready: list[dict[str, Any]] = []
    while ids:
        photo = client.get(f"/api/photos/{ids[0]}").raise_for_status().json()
        if photo["status"] == "ready":
            ready.append(photo)
            ids.pop(0)
        elif time.monotonic() > deadline:
            raise SystemExit(f"bench: photo {ids[0]} was not ready after {READY_TIMEOUT:.0f} s")
        else:
            time.sleep(0.2)
    return ready


def make_links(client: httpx.Client, token: str) -> tuple[str, list[str]]:
    """Upload one generated image and derive short links from it (the uploader owns it)."""
    from PIL import Image

    image = Image.linear_gradient("L").resize((640, 480)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    auth = {"Authorization": f"Bearer {token}"}
    answer = client.post(
        "/api/photos",
        headers=auth,
        files={"file": ("bench.png", buffer.getvalue(), "image/png")},
        data={"description": "bench link source", "tags": "bench"},
    )
    answer.raise_for_status()
    photo_id = str(answer.json()["id"])
    slugs = []
    crops = ["fill", "fit", "scale", "thumb"]
    for i in range(16):
        body = {"width": 100 + 20 * i, "height": 100 + 10 * i, "crop": crops[i % len(crops)]}
        link = client.post(f"/api/photos/{photo_id}/transformations", headers=auth, json=body)
        link.raise_for_status()
        slugs.append(link.json()["slug"])
    return photo_id, slugs


def rating_pairs(fx: Fixtures, start: int, count: int) -> list[str]:
    """Up to `count` fresh (user, photo) pairs from pair `start` on. Pair k is user k % U and
    a photo that moves with both k and the user, so neighbouring requests touch different
    rows. A small data set may run out: rate.lua then wraps and the 409s show as errors."""
    users, photos = len(fx.tokens), len(fx.ratable)
    count = min(count, users * photos - start)
    if count < 1:
        raise SystemExit("bench: out of fresh (user, photo) pairs; raise BENCH_USERS or PHOTO_IDS")
    lines = []
    for k in range(start, start + count):
        user, j = k % users, k // users
        lines.append(f"{user} {fx.ratable[(j + user * (photos // users)) % photos]}")
    return lines
