"""Server workers go when their master goes.

granian's workers are the master's children; if the master is killed outright they would be
orphaned and keep serving on the port. Linux's parent-death signal turns that into a SIGTERM,
which each worker handles as a graceful stop.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
# `serve` names itself here before it starts any child: a child reading its own parent
# would be too late if the parent died while the child was still importing (it would
# then read its new parent, init, and wait for a death that already happened).
PARENT_PID_VARIABLE = "PHOTOSHARE_SERVE_PID"


def name_this_process_the_parent() -> None:
    """Called by `serve` before it starts workers: they inherit the parent's pid."""
    os.environ[PARENT_PID_VARIABLE] = str(os.getpid())


def terminate_with_parent() -> None:
    """Ask the kernel to send SIGTERM to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    parent = int(os.environ.get(PARENT_PID_VARIABLE) or os.getppid())
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
