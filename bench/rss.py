"""Memory sampling: the peak RSS of each worker of a server process."""

from __future__ import annotations

import contextlib
import resource
import threading

import psutil

MiB = 1024 * 1024


class RssSampler(threading.Thread):
    """Peak RSS of each worker (direct children of a server process), sampled every 0.2 s.

    `take()` returns the peaks since the previous `take()`, so each wrk run gets its own.
    """

    def __init__(self, interval: float = 0.2) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.interval = interval
        self._parents: dict[str, psutil.Process] = {}
        self._peaks: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()
        self._stop_event = threading.Event()

    def watch(self, label: str, pid: int) -> None:
        with self._lock:
            self._parents[label] = psutil.Process(pid)
            self._peaks[label] = {}

    def workers(self, label: str) -> list[psutil.Process]:
        with contextlib.suppress(psutil.Error):
            children: list[psutil.Process] = self._parents[label].children(recursive=False)
            return children
        return []

    def take(self, label: str) -> dict[int, int]:
        self._sample()
        with self._lock:
            peaks, self._peaks[label] = self._peaks[label], {}
        return peaks

    def take_mib(self, label: str) -> list[float]:
        """`take()` as a list of MiB, one per worker, rounded to 0.1."""
        return [round(v / MiB, 1) for v in self.take(label).values()]

    def _sample(self) -> None:
        with self._lock:
            labels = list(self._parents)
        for label in labels:
            for worker in self.workers(label):
                with contextlib.suppress(psutil.Error):
                    rss = worker.memory_info().rss
                    with self._lock:
                        peaks = self._peaks[label]
                        peaks[worker.pid] = max(peaks.get(worker.pid, 0), rss)

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self._sample()

    def stop(self) -> None:
        self._stop_event.set()


def own_peak_rss_mib() -> float:
    """This process's peak RSS so far, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
