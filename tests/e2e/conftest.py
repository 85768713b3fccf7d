"""End-to-end: the real `photoshare serve` in a subprocess, driven over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Service


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One server per test module, on the defaults (nothing configured)."""
    server = Service(tmp_path_factory.mktemp("e2e") / "data").start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def http(service: Service) -> Iterator[httpx.Client]:
    with service.client() as client:
        yield client


@pytest.fixture
def fresh_service(tmp_path: Path) -> Iterator[Service]:
    """A server of one's own (not yet started), for tests that stop and restart it."""
    server = Service(tmp_path / "data")
    yield server
    server.kill()
