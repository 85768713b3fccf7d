"""The web client's shell and modules are served by the app, with a CSP that allows no inline code."""

from __future__ import annotations

import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from photoshare.entrypoints.http.security import WEB_CSP, security_headers
from photoshare.entrypoints.http.web import PAGES, WEB_DIR, web_page, web_static_router

IMPORT = re.compile(r"""from\s+"(\.{1,2}/[^"]+)";""")


def _client() -> TestClient[Litestar]:
    return TestClient(Litestar([web_page, web_static_router()], before_send=[security_headers]))


def test_every_page_path_answers_the_shell_with_the_web_csp() -> None:
    with _client() as client:
        for pattern in PAGES:
            path = re.sub(r"\{[^}]+\}", "x", pattern)
            answer = client.get(path)
            assert answer.status_code == 200, path
            assert answer.headers["content-type"].startswith("text/html")
            assert answer.headers["content-security-policy"] == WEB_CSP
            assert '<script type="module" src="/static/web/app.js">' in answer.text


def test_the_csp_allows_no_inline_script_or_style() -> None:
    directives = dict(d.strip().split(" ", 1) for d in WEB_CSP.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe" not in WEB_CSP


def test_the_shell_has_no_inline_script_or_style() -> None:
    html = (WEB_DIR / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert " style=" not in html


def test_every_module_import_resolves_to_a_served_file() -> None:
    with _client() as client:
        for module in sorted(WEB_DIR.rglob("*.js")):
            for target in IMPORT.findall(module.read_text()):
                resolved = (module.parent / target).resolve().relative_to(WEB_DIR.resolve())
                answer = client.get(f"/static/web/{Path(resolved).as_posix()}")
                assert answer.status_code == 200, (module.name, target)
                assert "javascript" in answer.headers["content-type"]


def test_the_shell_names_its_charset_once() -> None:
    with _client() as client:
        assert client.get("/").headers["content-type"] == "text/html; charset=utf-8"
