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


def terminate_with_parent() -> None:
    """Ask the kernel to send SIGTERM to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os.kill(os.getpid(), signal.SIGTERM)
