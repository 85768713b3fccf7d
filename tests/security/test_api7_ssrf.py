"""OWASP API7:2023 Server Side Request Forgery.

Covers: no operation accepts a URL for the service to fetch. The OpenAPI document has no
request field or parameter that is a URI or is named like one; the upload takes the image's
bytes as a file part and nothing else (a URL in its place is refused); a transformation whose
values are URLs or Cloudinary's remote-fetch syntax is 400, as is such a spec in a transformed
image's path. The addresses the service hands out (image URLs, short links, QR codes, the
short link's redirect) are built from its configured public base URL, never from the request's
Host header, so nobody can point them (or a phone scanning a QR code) somewhere else.

Out of scope: the service's own outbound calls (Cloudinary's API at a URL from configuration,
not from requests; see README.md, API10).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from photoshare.config import Settings
from tests.integration.accounts import Client, assert_problem
from tests.integration.photo_helpers import path_of, upload
from tests.security.world import World

URLISH_NAMES = (
    "url",
    "uri",
    "href",
    "link",
    "callback",
    "webhook",
    "src",
    "source",
    "fetch",
    "remote",
    "endpoint",
)
URI_FORMATS = {
    "uri",
    "url",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "hostname",
    "ipv4",
    "ipv6",
}
METADATA = "http://169.254.169.254/latest/meta-data/"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def _fields(
    document: dict[str, Any], schema: dict[str, Any], name: str = "", seen: frozenset[int] = frozenset()
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every named (sub)schema of a request schema, with its property name."""
    schema = _resolve(document, schema)
    if id(schema) in seen:
        return
    seen |= {id(schema)}
    yield name, schema
    for key, sub in (schema.get("properties") or {}).items():
        yield from _fields(document, sub, key, seen)
    for keyword in ("oneOf", "anyOf", "allOf"):
        for sub in schema.get(keyword, []):
            yield from _fields(document, sub, name, seen)
    if isinstance(schema.get("items"), dict):
        yield from _fields(document, schema["items"], name, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _fields(document, schema["additionalProperties"], name, seen)


async def test_no_operation_takes_a_url_to_fetch(refusing_client: Client, subtests: pytest.Subtests) -> None:
    document = (await refusing_client.get("/schema/openapi.json")).json()
    inputs = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            named: list[tuple[str, dict[str, Any]]] = []
            for parameter in operation.get("parameters", []):
                named.extend(_fields(document, parameter.get("schema", {}), parameter["name"]))
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                named.extend(_fields(document, content.get("schema", {})))
            for name, schema in named:
                inputs += 1
                with subtests.test(msg=f"{method.upper()} {path} {name}"):
                    assert schema.get("format") not in URI_FORMATS
                    if schema.get("format") != "uuid":  # a link's id is no address
                        assert not any(word in name.lower() for word in URLISH_NAMES)
    assert inputs > 50  # the walk did see the inputs


async def test_the_upload_takes_file_bytes_only(refusing_client: Client) -> None:
    document = (await refusing_client.get("/schema/openapi.json")).json()
    body = document["paths"]["/api/photos"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data"}
    form = _resolve(document, body["multipart/form-data"]["schema"])
    assert set(form["properties"]) == {"file", "description", "tags", "visibility"}
    file_formats = {
        s.get("format") for _, s in _fields(document, form["properties"]["file"]) if s.get("type") == "string"
    }
    assert file_formats == {"binary"}


async def test_a_url_in_place_of_the_file_is_refused(client: Client, world: World) -> None:
    # `file` as a plain form field (no filename, no bytes of an image): a URL where the file goes.
    response = await client.post(
        "/api/photos",
        files={"file": (None, METADATA.encode()), "url": (None, METADATA.encode())},
        headers=world.headers("alice"),
    )
    assert assert_problem(response, 400)["field"] == "file"
    response = await upload(client, world.tokens["alice"], METADATA.encode(), content_type="text/uri-list")
    assert_problem(response, 415)
    assert (await client.get("/api/users/alice")).json()["photo_count"] == 1


TRANSFORMATIONS_WITH_URLS: list[dict[str, Any]] = [
    {"url": METADATA},
    {"effect": METADATA},
    {"format": "https://evil.example/x.png"},
    {"overlay": "fetch:" + METADATA},
    {"underlay": "fetch:aHR0cDovL2V2aWwuZXhhbXBsZS8"},
    {"width": 10, "effect": "fetch:" + METADATA},
    {"width": METADATA},
    {"crop": "fill", "width": 10, "gravity": "http://evil.example/"},
    {"radius": "http://evil.example/"},
]
# Cloudinary-style specs asking for a remote overlay or underlay (`l_fetch:<base64 url>`).
FETCHING_SPECS = [
    "l_fetch:aHR0cDovLzE2OS4yNTQuMTY5LjI1NA",
    "l_fetch-aHR0cDovL2V2aWwuZXhhbXBsZQ",
    "u_fetch-aHR0cA",
    "w_10,l_fetch-aHR0cA",
]


async def test_a_transformation_with_a_url_is_400(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    path = world.path("/api/photos/{photo}/transformations")
    for transformation in TRANSFORMATIONS_WITH_URLS:
        with subtests.test(msg=str(transformation)):
            response = await client.post(path, json=transformation, headers=world.headers("alice"))
            assert_problem(response, 400)
    links = await client.get(path, headers=world.headers("alice"))
    assert [link["id"] for link in links.json()] == [world.link]


async def test_a_remote_fetch_in_a_transformed_image_path_is_refused(
    client: Client, world: World, subtests: pytest.Subtests
) -> None:
    key = (await _image_url(client, world)).rsplit("/", 1)[1]
    for spec in FETCHING_SPECS:
        with subtests.test(msg=spec):
            assert_problem(await client.get(f"/images/t/{spec}/{key}"), 400)


async def test_addresses_handed_out_come_from_configuration_not_the_host_header(
    client: Client, world: World, settings: Settings
) -> None:
    evil = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}
    uploaded = await client.post(
        "/api/photos",
        files={
            "file": (
                "a.jpg",
                (await client.get(path_of(await _image_url(client, world)))).content,
                "image/jpeg",
            )
        },
        headers=world.headers("alice") | evil,
    )
    assert uploaded.status_code == 201
    link = await client.post(
        f"/api/photos/{uploaded.json()['id']}/transformations",
        json={"width": 20},
        headers=world.headers("alice") | evil,
    )
    assert link.status_code == 201
    base = settings.public_base_url + "/"
    for url in (uploaded.json()["url"], link.json()["url"], link.json()["link"], link.json()["qr_url"]):
        assert url.startswith(base), url
    redirect = await client.get(f"/t/{link.json()['slug']}", headers=evil, follow_redirects=False)
    assert redirect.status_code == 302
    assert redirect.headers["location"].startswith(base + "images/")
    qr = await client.get(f"/api/links/{link.json()['slug']}/qr?format=svg", headers=evil)
    assert b"evil.example" not in qr.content


async def _image_url(client: Client, world: World) -> str:
    url: str = (await client.get(world.path("/api/photos/{photo}"))).json()["url"]
    return url
