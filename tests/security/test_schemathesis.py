"""Schemathesis over the whole OpenAPI document, on the real app and the embedded PostgreSQL.

Every operation of `/schema/openapi.json` is driven three times, as an anonymous client, as
a user (alice, who owns the seeded photo) and as the admin, each run on objects of its own
(a photo with tags, a transformed link, a comment, a rating), with

- positive cases (inputs the document allows), half of them aimed at the seeded objects so
  that the answers are not all 404s, and negative cases (inputs it forbids);
- a stateful run whose links schemathesis infers from the document (a photo's id feeds its
  links, comments and ratings; a link's id and slug feed their own operations);

and checks that no answer is a server error, and that every answer has a documented status,
content type, headers and body (`response_schema_conformance` and the other conformance
checks), that forbidden inputs are refused (`negative_data_rejection`), that operations
declaring a token refuse requests without one (`ignored_auth`), and that a deleted or a just
created resource is gone or there (`use_after_free`, `ensure_resource_availability`).

Bounded for CI: a fixed number of examples per operation, derandomized (the same inputs on
every run), no deadline. What it found is pinned below as plain examples.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import hypothesis
import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from litestar import Litestar
from PIL import Image
from psycopg import sql
from schemathesis import Case, GenerationMode
from schemathesis.checks import CheckFunction
from schemathesis.python import asgi

from photoshare.config import Settings, libpq_url
from photoshare.entrypoints.http.app import create_app
from tests.integration.accounts import PASSWORD, Client, assert_problem, member
from tests.security.world import World

POSITIVE_EXAMPLES = 24
NEGATIVE_EXAMPLES = 10
STATEFUL_EXAMPLES = 20
STATEFUL_STEPS = 8

RESPONSE_CHECKS: list[CheckFunction] = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]
NEGATIVE_CHECKS = [*RESPONSE_CHECKS, schemathesis.checks.negative_data_rejection]
AUTH_CHECKS = [*RESPONSE_CHECKS, schemathesis.checks.ignored_auth]
STATEFUL_CHECKS = [
    *RESPONSE_CHECKS,
    schemathesis.checks.use_after_free,
    schemathesis.checks.ensure_resource_availability,
]
# Operations with no input the document constrains: no request breaks their schema.
NOTHING_TO_NEGATE = {"GET /health", "GET /api/users/{username}"}
LOGOUT = "POST /api/auth/logout"


def _settings(max_examples: int, **extra: Any) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        **extra,
    )


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, "JPEG")
    return out.getvalue()


class Http:
    """Plain requests into the app, on the same event loop thread schemathesis uses for it."""

    def __init__(self, app: Litestar) -> None:
        self._app = app

    def call(self, method: str, path: str, expect: int, **options: Any) -> Any:
        with asgi.get_client(self._app) as client:
            response = client.request(method, path, **options)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    def token(self, username: str) -> str:
        body = {"username": username, "password": PASSWORD}
        token: str = self.call("POST", "/api/auth/login", 200, json=body)["access_token"]
        return token


@dataclass(frozen=True)
class Caller:
    name: str
    username: str | None

    def headers(self, http: Http) -> dict[str, str]:
        return {} if self.username is None else {"Authorization": f"Bearer {http.token(self.username)}"}


CALLERS = [Caller("anonymous", None), Caller("user", "alice"), Caller("admin", "admin")]


def seed_accounts(http: Http) -> None:
    for name in ("admin", "alice", "bob"):  # the first account is the admin
        body = {"username": name, "email": f"{name}@example.org", "password": PASSWORD}
        http.call("POST", "/api/auth/signup", 201, json=body)


def seed_objects(http: Http) -> dict[str, Any]:
    """A fresh photo of alice's with a link, in an album shared by a link, bob's comment and
    bob's rating: path parameters that name things that exist."""
    alice = {"Authorization": f"Bearer {http.token('alice')}"}
    bob = {"Authorization": f"Bearer {http.token('bob')}"}
    photo = http.call(
        "POST",
        "/api/photos",
        201,
        files={"file": ("a.jpg", _jpeg(), "image/jpeg")},
        data={"tags": "sea,sky", "description": "blue"},
        headers=alice,
    )
    link = http.call(
        "POST", f"/api/photos/{photo['id']}/transformations", 201, json={"width": 16}, headers=alice
    )
    comment = http.call(
        "POST", f"/api/photos/{photo['id']}/comments", 201, json={"text": "nice"}, headers=bob
    )
    http.call("POST", f"/api/photos/{photo['id']}/ratings", 201, json={"value": 4}, headers=bob)
    album = http.call("POST", "/api/albums", 201, json={"title": "trip"}, headers=alice)
    http.call("PUT", f"/api/albums/{album['id']}/photos/{photo['id']}", 204, headers=alice)
    share = http.call("POST", f"/api/albums/{album['id']}/shares", 201, json={"label": "x"}, headers=alice)
    image_path = link["url"].split("/images/", 1)[1]
    spec, key = image_path.split("/")[1:3] if image_path.startswith("t/") else ("w_16", image_path)
    return {
        "photo_id": photo["id"],
        "link_id": link["id"],
        "slug": link["slug"],
        "comment_id": comment["id"],
        "album_id": album["id"],
        "share_id": share["id"],
        "username": "bob",
        "key": key,
        "spec": spec,
    }


@pytest.fixture
def app(settings: Settings) -> Iterator[Litestar]:
    application = create_app(settings)
    yield application
    # Schemathesis starts the app's lifespan on its own event loop thread and keeps it running
    # for reuse; stop it (and close the app's pools) before the test database goes.
    asgi.shutdown_lifespans()


def _strategy(operation: Any, mode: GenerationMode, known: dict[str, Any]) -> st.SearchStrategy[Case]:
    names = {p.name for p in operation.path_parameters}
    generated = operation.as_strategy(generation_mode=mode)
    if not names or not mode.is_positive:
        return generated  # type: ignore[no-any-return]
    aimed = operation.as_strategy(generation_mode=mode, path_parameters={n: known[n] for n in names})
    return st.one_of(generated, aimed)


def _fuzz(
    http: Http, operation: Any, caller: Caller, mode: GenerationMode, known: dict[str, Any]
) -> str | None:
    checks = NEGATIVE_CHECKS if not mode.is_positive else AUTH_CHECKS if caller.username else RESPONSE_CHECKS
    headers = caller.headers(http)
    examples = POSITIVE_EXAMPLES if mode.is_positive else NEGATIVE_EXAMPLES

    @given(case=_strategy(operation, mode, known))
    @_settings(examples)
    def run(case: Case) -> None:
        # Logging out revokes the token it is called with: give each log-out a token of its own.
        sent = caller.headers(http) if operation.label == LOGOUT else headers
        case.call_and_validate(headers=sent, checks=checks)

    try:
        run()
    except (
        Exception,
        BaseExceptionGroup,
    ) as error:  # collect every operation's failures, then report them all
        return f"{operation.label} as {caller.name}, {mode.value} cases:\n{error}"
    return None


def test_every_operation_as_every_kind_of_caller(app: Litestar) -> None:
    http = Http(app)
    seed_accounts(http)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last, so the objects they remove have served every other operation first.
    operations.sort(key=lambda op: op.method.upper() == "DELETE")
    assert len(operations) >= 30
    failures: list[str] = []
    for caller in CALLERS:
        known = seed_objects(http)
        for operation in operations:
            modes = [GenerationMode.POSITIVE]
            if operation.label not in NOTHING_TO_NEGATE:
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                if failure := _fuzz(http, operation, caller, mode, known):
                    failures.append(failure)
    assert not failures, "\n\n".join(failures)


def reset(database_url: str) -> None:
    """Empty every table (but the migrations' own), as on a fresh service."""
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ]
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(map(sql.Identifier, tables))
            )
        )


@pytest.mark.parametrize("caller", CALLERS, ids=[c.name for c in CALLERS])
def test_stateful_sequences_follow_the_inferred_links(
    app: Litestar, database_url: str, caller: Caller
) -> None:
    http = Http(app)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    base = schema.as_state_machine()
    assert schema.operations_with_incoming_links(), "no links inferred: the stateful run would test nothing"

    class Workflow(base):  # type: ignore[valid-type, misc]
        def setup(self) -> None:
            # Every sequence starts from the same state, so Hypothesis can replay it.
            reset(database_url)
            seed_accounts(http)
            seed_objects(http)  # so that the photo list has ids to follow

        def get_call_kwargs(self, case: Case) -> dict[str, Any]:
            return {"headers": caller.headers(http)}

        def validate_response(self, response: Any, case: Case, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(response, checks=STATEFUL_CHECKS, transport_kwargs=kwargs)

    Workflow.run(settings=_settings(STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS))


# --- what the runs above found, pinned ----------------------------------------------------------


async def test_the_document_describes_answers_as_the_app_sends_them(refusing_client: Client) -> None:
    """Litestar documented errors as `{status_code, detail, extra}` JSON, images as JSON strings,
    and no status but the success and 400: each answer broke the document."""
    document = (await refusing_client.get("/schema/openapi.json")).json()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) and path != "/health":
                    assert response["content"] == problem, (method, path, status)
            if operation.get("security"):
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
    qr = document["paths"]["/api/links/{slug}/qr"]["get"]["responses"]["200"]["content"]
    assert set(qr) == {"image/png", "image/svg+xml"}
    image = document["paths"]["/images/{key}"]["get"]["responses"]["200"]["content"]
    assert set(image) == {"image/jpeg", "image/png", "image/webp", "image/gif"}
    assert document["components"]["schemas"]["SignUpIn"]["additionalProperties"] is False


async def test_text_with_nul_characters_is_400_not_500(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    """PostgreSQL cannot store U+0000 in text; psycopg refused to send it and that was a 500."""
    attempts: list[tuple[str | None, str, str, dict[str, Any] | None]] = [
        (
            None,
            "POST",
            "/api/auth/signup",
            {"username": "nul", "email": "n\u0000l@example.org", "password": PASSWORD},
        ),
        (None, "POST", "/api/auth/login", {"username": "al\u0000ice", "password": PASSWORD}),
        ("alice", "PATCH", "/api/users/me", {"bio": "a\u0000b"}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "a\u0000b"}),
        ("alice", "PUT", "/api/photos/{photo}", {"description": "", "tags": ["x\u0000"]}),
        ("carol", "POST", "/api/photos/{photo}/comments", {"text": "a\u0000b"}),
        (None, "GET", "/api/users/a%00b", None),
        (None, "GET", "/api/photos?q=a%00b", None),
        (None, "GET", "/api/photos?tag=a%00b", None),
        ("mod", "GET", "/api/photos?owner=a%00b", None),
        (None, "GET", "/api/tags?q=a%00b", None),
        ("mod", "DELETE", "/api/photos/{photo}/ratings/a%00b", None),
        ("admin", "PUT", "/api/users/a%00b/role", {"role": "user"}),
    ]
    for who, method, template, body in attempts:
        with subtests.test(msg=f"{method} {template}"):
            response = await client.request(
                method, world.path(template), json=body, headers=world.headers(who)
            )
            assert_problem(response, 400)


async def test_a_multipart_field_that_is_not_utf8_is_400_not_500(client: Client, world: World) -> None:
    boundary = "b0undary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="description"\r\n\r\n'.encode()
        + b"\xa2\xfd not utf-8\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    response = await client.post(
        "/api/photos",
        content=body,
        headers=world.headers("alice") | {"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert_problem(response, 400)


async def test_passwords_up_to_the_contracts_128_characters_sign_up_and_log_in(client: Client) -> None:
    """bcrypt 5 raises on more than 72 bytes; the contract allows 128 characters (512 bytes)."""
    await member(client, "admin")
    for name, password in (("ascii", "p" * 128), ("accents", "é" * 128), ("edge", "x" * 73)):
        body = {"username": name, "email": f"{name}@example.org", "password": password}
        assert (await client.post("/api/auth/signup", json=body)).status_code == 201
        login = await client.post("/api/auth/login", json={"username": name, "password": password})
        assert login.status_code == 200, login.text
        wrong = await client.post("/api/auth/login", json={"username": name, "password": "q" + password[1:]})
        assert_problem(wrong, 401)
