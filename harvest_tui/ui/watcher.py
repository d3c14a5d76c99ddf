"""JobWatcher: queued and in-progress jobs are watched until they finish.

Every poll interval (2 s by default, as the service's waiter does), backing off while
nothing changes, it fetches each watched job and posts what it saw: `JobChanged`
(every fresh state, with whether its status changed) and `JobGone` (deleted since it
was listed; no longer polled). A widget of no size, mounted in the explorer screen,
so that its timer and workers end with the screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual.message import Message
from textual.widget import Widget

from harvest_tui.backend import Backend, GetHarvestJob
from harvest_tui.config import Settings
from harvest_tui.errors import ServiceError
from harvest_tui.history import JobHistory, WatchKey
from harvest_tui.models import HarvestJob
from harvest_tui.ui.calls import begin_call

TICK_SECONDS = 0.5


def next_interval(
    interval: float, *, base: float, top: float, changed: bool = False, failed: bool = False
) -> float:
    """The wait before the next poll: back to `base` on a change, ×2 after a failure,
    ×1.5 while nothing changes; never above `top`."""
    if changed:
        return base
    return min(interval * (2.0 if failed else 1.5), top)


class JobWatcher(Widget):
    """Polls the jobs `watched()` names, each on its own backoff schedule."""

    DEFAULT_CSS = "JobWatcher { display: none; }"

    @dataclass
    class JobChanged(Message):
        """A watched job's fresh state; `changed`: its status differs from the last seen."""

        region: str
        job: HarvestJob
        fetched_at: datetime
        changed: bool

    @dataclass
    class JobGone(Message):
        """A watched job no longer exists (deleted since it was listed)."""

        region: str
        key: tuple[str, str, str, str]
        error: ServiceError

    @dataclass
    class _Polled(Message):
        watch_key: WatchKey
        job: HarvestJob | None
        fetched_at: datetime
        error: ServiceError | None = None
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        *,
        history: JobHistory,
        settings: Settings,
        watched: Callable[[], dict[WatchKey, HarvestJob]],
        backend_for: Callable[[str], Backend | None],
    ) -> None:
        super().__init__()
        self.history = history
        self.settings = settings
        self.watched = watched
        self.backend_for = backend_for
        self.schedule: dict[WatchKey, tuple[float, float]] = {}  # (due, interval)
        self.in_flight: set[WatchKey] = set()
        self.gone: set[WatchKey] = set()
        self.polls = 0  # polls sent
        self.ticks = 0

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self.tick)

    def forget_gone(self, region: str, jobs: list[HarvestJob]) -> None:
        """Jobs a list shows again are watched again."""
        if self.gone:
            for job in jobs:
                self.gone.discard((region, job.key))

    def tick(self) -> None:
        self.ticks += 1
        now = time.monotonic()
        base = self.settings.poll_interval_seconds
        for key, job in self.watched().items():
            if key in self.gone or job.finished:
                continue
            due, _ = self.schedule.setdefault(key, (now + base, base))
            if now >= due and key not in self.in_flight:
                self.poll(key)

    def poll(self, key: WatchKey) -> None:
        region, job_key = key
        backend = self.backend_for(region)
        if backend is None:
            return
        self.in_flight.add(key)
        self.polls += 1
        finish = begin_call(self, backend, GetHarvestJob(job_key))
        self.run_worker(
            partial(self._wait_for_poll, key, finish),
            name="poll",
            group=f"poll-{region}-{'/'.join(job_key)}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _wait_for_poll(self, key: WatchKey, finish: Callable[[], HarvestJob]) -> None:
        """In a thread worker: the job's fresh state, posted back to the watcher."""
        clock = self.history.clock
        try:
            fresh = finish()
        except ServiceError as error:
            self.post_message(self._Polled(key, None, clock(), error))
            return
        self.post_message(self._Polled(key, fresh, clock()))

    def _on_job_watcher__polled(self, message: _Polled) -> None:
        key = message.watch_key
        region, job_key = key
        self.in_flight.discard(key)
        base = self.settings.poll_interval_seconds
        top = self.settings.poll_max_interval_seconds
        _, interval = self.schedule.get(key, (0.0, base))
        job, error = message.job, message.error
        if job is None:
            if error is not None and error.code == "ResourceNotFoundException":
                self.gone.add(key)
                self.schedule.pop(key, None)
                self.post_message(self.JobGone(region, job_key, error))
                return
            interval = next_interval(interval, base=base, top=top, failed=True)
            self.schedule[key] = (time.monotonic() + interval, interval)
            return
        changed = self.history.observe(region, job)
        interval = next_interval(interval, base=base, top=top, changed=changed)
        if job.finished:
            self.schedule.pop(key, None)
        else:
            self.schedule[key] = (time.monotonic() + interval, interval)
        self.post_message(self.JobChanged(region, job, message.fetched_at, changed))
