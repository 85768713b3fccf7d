"""What the benches measure, as data: `make bench`'s wrk scenarios, `make bench-search`'s searches.

A wrk scenario names a Lua script (bench/lua) and the lists it walks, built from the
fixtures; `probe` sends its first request once over httpx before any measuring, so a
broken scenario is reported as skipped instead of being timed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass
class Fixtures:
    users: list[tuple[str, str]]
    tokens: list[str]
    photos: list[dict[str, Any]]
    ratable: list[str]
    slugs: list[str]
    keywords: list[str]
    source_photo: str
    small_variants: list[str]  # paths of ready photos' `small` variants


@dataclass
class Scenario:
    name: str
    path: str  # what it requests, for the report
    script: str
    lists: dict[str, list[str]]
    connections: int
    probe: Callable[[httpx.Client], httpx.Response]
    rating: bool = False  # walks fresh (user, photo) pairs: each run gets its own slice


# The read-only scenarios: name, the request as reported, the paths get.lua walks.
GETS: list[tuple[str, str, Callable[[Fixtures], list[str]]]] = [
    ("get photo", "GET /api/photos/{id}", lambda fx: [f"/api/photos/{p['id']}" for p in fx.photos]),
    (
        "list page of 20",
        "GET /api/photos?limit=20&offset=0..180",
        lambda fx: [f"/api/photos?limit=20&offset={20 * k}" for k in range(10)],
    ),
    ("keyword search", "GET /api/photos?q={word}", lambda fx: [f"/api/photos?q={w}" for w in fx.keywords]),
    (
        "comments page",
        "GET /api/photos/{id}/comments",
        lambda fx: [f"/api/photos/{i}/comments" for i in commented(fx)],
    ),
    ("short link /t/{slug}", "GET /t/{slug} (302)", lambda fx: [f"/t/{s}" for s in fx.slugs]),
    ("QR PNG", "GET /api/links/{slug}/qr", lambda fx: [f"/api/links/{s}/qr" for s in fx.slugs]),
]

# What a browser sends for an <img>: the variant scenario is served AVIF (encoded once, cached).
BROWSER_ACCEPT = "image/avif,image/webp,*/*"

# The scenarios `make bench` also runs together: log-ins at full CONNECTIONS, reads inside.
STORM_READS = "get photo"
STORM_LOGINS = "log in"


def commented(fx: Fixtures) -> list[str]:
    ids = [p["id"] for p in fx.photos]
    return [p["id"] for p in fx.photos if p.get("comment_count")] or ids


def scenarios(fx: Fixtures, connections: int, login_connections: int) -> list[Scenario]:
    """Every wrk scenario, in the order they run (and are reported)."""
    ids = [p["id"] for p in fx.photos]
    auth = {"Authorization": f"Bearer {fx.tokens[0]}"}
    login = {"username": fx.users[0][0], "password": fx.users[0][1]}

    def gets(name: str, shown: str, paths: list[str]) -> Scenario:
        return Scenario(name, shown, "get.lua", {"BENCH_LIST": paths}, connections, lambda c: c.get(paths[0]))

    def comment(c: httpx.Client) -> httpx.Response:
        return c.post(f"/api/photos/{ids[0]}/comments", headers=auth, json={"text": "probe"})

    def rate(c: httpx.Client) -> httpx.Response:  # pair 0 of rating_pairs
        return c.post(f"/api/photos/{fx.ratable[0]}/ratings", headers=auth, json={"value": 4})

    def variant(c: httpx.Client) -> httpx.Response:
        return c.get(fx.small_variants[0], headers={"Accept": BROWSER_ACCEPT})

    return [
        *(gets(name, shown, paths(fx)) for name, shown, paths in GETS),
        Scenario(
            "small variant (AVIF)",
            f"GET /images/v/small/{{key}} (Accept: {BROWSER_ACCEPT})",
            "get.lua",
            {"BENCH_LIST": fx.small_variants, "BENCH_ACCEPT": [BROWSER_ACCEPT]},
            connections,
            variant,
        ),
        Scenario(
            "post a comment",
            "POST /api/photos/{id}/comments",
            "comment.lua",
            {"BENCH_LIST": ids, "BENCH_TOKENS": fx.tokens},
            connections,
            comment,
        ),
        Scenario(
            "rate a photo",
            "POST /api/photos/{id}/ratings",
            "rate.lua",
            {"BENCH_TOKENS": fx.tokens},
            connections,
            rate,
            rating=True,
        ),
        Scenario(
            STORM_LOGINS,
            "POST /api/auth/login (bcrypt)",
            "login.lua",
            {"BENCH_LIST": [f"{u} {p}" for u, p in fx.users]},
            login_connections,
            lambda c: c.post("/api/auth/login", json=login),
        ),
    ]


def searches(today: dt.date, total: int) -> dict[str, dict[str, str]]:
    """The searches `make bench-search` measures. Words and tags are picked by their
    frequency in the seeded data (the same at every size): the word `forest` is in about
    2.6% of the photos, `sunset` in 20%, `ocarina` in 0.08%, the words starting with `sun`
    (typed so far) in 25%, the phrase `golden light` in 0.75%; the `street` tag is on 6%,
    `travel` on 28%, a 4.5+ average on 10%."""
    day = dt.timedelta(days=1)
    return {
        "first page": {},
        "common word": {"q": "forest"},
        "very common word": {"q": "sunset"},
        "rare word": {"q": "ocarina"},
        "prefix (typing)": {"q": "sun"},
        "phrase": {"q": '"golden light"'},
        "very common, by rating": {"q": "sunset", "sort": "-rating"},
        "word and common tag": {"q": "sunset", "tag": "travel"},
        "tag": {"tag": "street"},
        "rating filter": {"min_rating": "4.5"},
        "date range (30 days)": {
            "created_from": (today - 395 * day).isoformat(),
            "created_to": (today - 366 * day).isoformat(),
        },
        "combined": {
            "q": "bridge",
            "tag": "travel",
            "min_rating": "3",
            "created_from": (today - 730 * day).isoformat(),
        },
        "sort by rating": {"sort": "-rating"},
        "last page": {"offset": str(max(total - 20, 0))},
        "middle page": {"offset": str(total // 2)},
    }
