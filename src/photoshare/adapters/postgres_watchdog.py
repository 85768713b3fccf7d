"""Stop an embedded PostgreSQL once the process that started it is gone, however it went.

`photoshare serve` stops its PostgreSQL on the way out, but a SIGKILL (the OOM killer, a
`kill -9`) gives it no chance, and the server, daemonised in its own session, would keep
running on the data dir for good. This watchdog, in a session of its own (so Ctrl-C to the
service's group does not reach it), polls for its parent and then asks the postmaster for a
fast shutdown. Both processes are identified by pid *and* start time, so a later server on
the same data dir is never touched.

Run as `python -m photoshare.adapters.postgres_watchdog PARENT_PID POSTMASTER_PID`.
"""

from __future__ import annotations

import signal
import sys
import time

import psutil

POLL_SECONDS = 0.25
SHUTDOWN_SECONDS = 30


def _process(pid: int) -> psutil.Process | None:
    try:
        return psutil.Process(pid)
    except psutil.NoSuchProcess:
        return None


def watch(parent_pid: int, postmaster_pid: int) -> None:
    parent, postmaster = _process(parent_pid), _process(postmaster_pid)
    if postmaster is None:
        return
    while parent is not None and parent.is_running():
        time.sleep(POLL_SECONDS)
    if not postmaster.is_running():  # a clean stop already took it (is_running checks start time)
        return
    postmaster.send_signal(signal.SIGINT)  # PostgreSQL's "fast shutdown"
    try:
        postmaster.wait(SHUTDOWN_SECONDS)
    except psutil.TimeoutExpired:
        postmaster.send_signal(signal.SIGQUIT)  # "immediate shutdown"


if __name__ == "__main__":
    watch(int(sys.argv[1]), int(sys.argv[2]))
