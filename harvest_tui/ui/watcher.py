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
from harvest_tui.ui.calls import ACTIVE, begin_call, jobs_call

TICK_SECONDS = 0.5


def next_interval(
    interval: float, *, base: float, top: float, changed: bool = False, failed: bool = False
) -> float:
    """The wait before the next poll: back to `base` on a change, ×2 after a failure,
    ×1.5 while nothing changes; never above `top`."""
    if changed:
        return base
    return min(interval * (2.0 if failed else 1.5), top)


class Backoff:
    """When each key (a job, a group) is next polled: every key on its own schedule, back
    to the base interval on a change, slower while nothing changes or a poll fails."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.schedule: dict[object, tuple[float, float]] = {}  # (due, interval)
        self.in_flight: set[object] = set()

    def due(self, key: object, now: float) -> bool:
        """Whether `key` is due (a key first seen waits one interval)."""
        base = self.settings.poll_interval_seconds
        due, _ = self.schedule.setdefault(key, (now + base, base))
        return now >= due and key not in self.in_flight

    def answered(
        self, key: object, *, changed: bool = False, failed: bool = False, done: bool = False
    ) -> None:
        """`key`'s poll answered: schedule the next one (`done`: none)."""
        self.in_flight.discard(key)
        if done:
            self.schedule.pop(key, None)
            return
        base = self.settings.poll_interval_seconds
        top = self.settings.poll_max_interval_seconds
        _, interval = self.schedule.get(key, (0.0, base))
        interval = next_interval(interval, base=base, top=top, changed=changed, failed=failed)
        self.schedule[key] = (time.monotonic() + interval, interval)


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
        self.backoff = Backoff(settings)
        self.schedule = self.backoff.schedule  # (due, interval) by key
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
        for key, job in self.watched().items():
            if key not in self.gone and not job.finished and self.backoff.due(key, now):
                self.poll(key)

    def poll(self, key: WatchKey) -> None:
        region, job_key = key
        backend = self.backend_for(region)
        if backend is None:
            return
        self.backoff.in_flight.add(key)
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
        job, error = message.job, message.error
        if job is None:
            gone = error is not None and error.code == "ResourceNotFoundException"
            self.backoff.answered(key, failed=True, done=gone)
            if gone and error is not None:
                self.gone.add(key)
                self.post_message(self.JobGone(region, job_key, error))
            return
        changed = self.history.observe(region, job)
        self.backoff.answered(key, changed=changed, done=job.finished)
        self.post_message(self.JobChanged(region, job, message.fetched_at, changed))


GroupKey = tuple[str, str]  # (region, channel group)


class GroupWatcher(Widget):
    """Lists the queued and in-progress jobs of each channel group `groups()` names (one
    ListHarvestJobs per status: the API takes one), each group on its own backoff schedule,
    and posts what it found: the quota meter, the watching strip and the status counts of
    collapsed endpoints all follow from it at a cost of two requests per group per poll."""

    DEFAULT_CSS = "GroupWatcher { display: none; }"

    @dataclass
    class Listed(Message):
        """A group's active jobs (`jobs` None: the list failed, `error` says why)."""

        region: str
        group: str
        jobs: list[HarvestJob] | None
        fetched_at: datetime
        error: ServiceError | None = None

    @dataclass
    class _Answered(Message):
        key: GroupKey
        jobs: list[HarvestJob] | None
        fetched_at: datetime
        error: ServiceError | None = None
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Callable[[], datetime],
        groups: Callable[[], list[GroupKey]],
        backend_for: Callable[[str], Backend | None],
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock = clock
        self.groups = groups
        self.backend_for = backend_for
        self.backoff = Backoff(settings)
        self.seen: dict[GroupKey, frozenset[tuple[str, str]]] = {}  # last (arn, status) set
        self.polls = 0

    def on_mount(self) -> None:
        if self.settings.poll_groups:
            self.set_interval(TICK_SECONDS, self.tick)

    def poll_soon(self, region: str, group: str) -> None:
        """Poll `group` at the next tick (a job was created or cancelled in it)."""
        self.backoff.schedule[(region, group)] = (0.0, self.settings.poll_interval_seconds)

    def listed_elsewhere(self, key: GroupKey, jobs: list[HarvestJob]) -> None:
        """Every job of group `key` has just been listed by others (the tree, channel by
        channel): handled as this poll's answer, so the next poll waits an interval."""
        if key in self.backoff.in_flight:
            return  # a poll is out: its answer will do
        active = [job for job in jobs if job.status in ACTIVE]
        self.post_message(self._Answered(key, active, self.clock()))

    def tick(self) -> None:
        now = time.monotonic()
        for key in self.groups():
            # A group first seen waits one interval: its list must not compete with the
            # lists that fill the screen.
            if self.backoff.due(key, now):
                self.poll(key)

    def poll(self, key: GroupKey) -> None:
        region, group = key
        backend = self.backend_for(region)
        if backend is None:
            return
        self.backoff.in_flight.add(key)
        self.polls += 1
        finish = jobs_call(self, backend, group, statuses=ACTIVE)
        self.run_worker(
            partial(self._wait_for_list, key, finish),
            name="group-poll",
            group=f"group-poll-{region}-{group}",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _wait_for_list(self, key: GroupKey, finish: Callable[[], list[HarvestJob]]) -> None:
        """In a thread worker: the group's active jobs, posted back to the watcher."""
        try:
            jobs = finish()
        except ServiceError as error:
            self.post_message(self._Answered(key, None, self.clock(), error))
            return
        self.post_message(self._Answered(key, jobs, self.clock()))

    def _on_group_watcher__answered(self, message: _Answered) -> None:
        key = message.key
        if message.jobs is None:
            self.backoff.answered(key, failed=True)
        else:
            seen = frozenset((j.arn, str(j.status)) for j in message.jobs)
            self.backoff.answered(key, changed=self.seen.get(key) != seen)
            self.seen[key] = seen
        region, group = key
        self.post_message(
            self.Listed(region, group, message.jobs, message.fetched_at, message.error)
        )
