"""The fleet view's service workers: the app's own, and more started when the fleet
first loads, one per core (`[settings] fleet_workers` at most)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from harvest_tui.worker.client import ServiceWorker


def fleet_worker_count(most: int, cores: int | None = None) -> int:
    """Service workers for the fleet view: one per core, up to `most` (`[settings]
    fleet_workers`, 4 by default).

    A fleet load is bound by the CPU of its calls, not by the network: 20 profiles × 3
    regions make 240 botocore calls, about 1 to 2 ms of CPU each, and one process
    makes them one at a time (its GIL). On 2 cores, two workers loaded such a fleet in
    about three quarters of the time one took.
    """
    return max(1, min(most, cores if cores is not None else os.cpu_count() or 1))


class WorkerPool:
    """The fleet view's service workers: the app's own first, then the others, started
    when the fleet first asks for them and ended by `close`. Profile-region `i` keeps
    `worker(i)`, so each of its calls finds its client already made."""

    def __init__(
        self,
        first: ServiceWorker,
        *,
        size: int,
        start: Callable[[], ServiceWorker | None] = ServiceWorker.start,
        debug_log: bool = False,
    ) -> None:
        self.first = first
        self.size = max(1, size)
        self._start = start
        self._debug_log = debug_log
        self._others: list[ServiceWorker] | None = None  # None: not started yet
        self._lock = threading.Lock()

    @property
    def started(self) -> list[ServiceWorker]:
        """The workers this pool started (not the app's own)."""
        return list(self._others or ())

    def worker(self, index: int) -> ServiceWorker:
        """The worker for the fleet's `index`-th profile-region."""
        with self._lock:
            if self._others is None:
                self._others = []
                for _ in range(self.size - 1):
                    other = self._start()
                    if other is None:  # cannot start one: the others serve
                        break
                    other.configure(debug_log=self._debug_log)
                    self._others.append(other)
            pool = [self.first, *self._others]
        return pool[index % len(pool)]  # one gone: its backends call in this process

    def close(self) -> None:
        """End the workers this pool started."""
        with self._lock:
            others, self._others = self._others or [], []
        for other in others:
            other.close()
