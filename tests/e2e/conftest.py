"""End-to-end: the real `photoshare serve` in a subprocess, driven over real HTTP."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.server import Service


def _own_directory() -> Iterator[Path]:
    """A directory of our own under /tmp: the embedded PostgreSQL runs as another user (when
    the tests run as root) and must traverse it, which pytest's private tmp_path forbids."""
    root = Path(tempfile.mkdtemp(prefix="ps-e2e-"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


data_root = pytest.fixture(_own_directory, name="data_root")
module_root = pytest.fixture(_own_directory, scope="module", name="module_root")


@pytest.fixture(scope="module")
def service(module_root: Path) -> Iterator[Service]:
    """One server per test module, on the defaults (nothing configured)."""
    server = Service(module_root / "data").start()
    yield server
    server.kill()


@pytest.fixture(scope="module")
def http(service: Service) -> Iterator[httpx.Client]:
    with service.client() as client:
        yield client


@pytest.fixture
def fresh_service(data_root: Path) -> Iterator[Service]:
    """A server of one's own (not yet started), for tests that stop and restart it."""
    server = Service(data_root / "data")
    yield server
    server.kill()
