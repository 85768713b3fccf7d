"""A worker whose parent died while it was still starting must not outlive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from photoshare.entrypoints.lifecycle import PARENT_PID_VARIABLE

CHILD = "from photoshare.entrypoints.lifecycle import terminate_with_parent; terminate_with_parent(); print('alive')"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")


def run_child(named_parent: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, PARENT_PID_VARIABLE: str(named_parent)}
    return subprocess.run(
        [sys.executable, "-c", CHILD], check=False, env=env, capture_output=True, text=True, timeout=30
    )


def test_a_child_whose_named_parent_is_already_gone_stops_itself() -> None:
    # Its real parent (this test) is alive, but it is not the one `serve` named: as when
    # `serve` died during the child's imports and the child was re-parented.
    child = run_child(named_parent=1)
    assert child.returncode == -signal.SIGTERM
    assert "alive" not in child.stdout


def test_a_child_of_the_named_parent_keeps_running() -> None:
    child = run_child(named_parent=os.getpid())
    assert (child.returncode, child.stdout.strip()) == (0, "alive")
