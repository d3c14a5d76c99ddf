"""The fleet: every harvest job of every profile and region in the config, at once.

"Did anything fail anywhere overnight?" is one question over many accounts and
regions. This module answers the loading half of it and imports neither Textual nor
boto3: the fleet view (ui/screens/fleet_screen.py), its tests and the benchmark run
the same `load_fleet` on the same backends.

Each profile-region (a `FleetTarget`) costs one ListChannelGroups and one
ListHarvestJobs page chain per group, the chains of a target read at once; targets
load in a bounded pool (`[settings] fleet_concurrency`, 8 by default). A target that
fails reports its error and the others go on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from operator import attrgetter

from harvest_tui.backend import Backend, ListHarvestJobs, in_flight
from harvest_tui.errors import ServiceError, translate
from harvest_tui.models import ACTIVE_STATUSES, HarvestJob, JobStatus
from harvest_tui.profiles import Profile

RECENT_FAILURE = timedelta(hours=24)  # a failure this recent heads the fleet
ACTIVE = frozenset(status.value for status in ACTIVE_STATUSES)


@dataclass(frozen=True)
class FleetTarget:
    """One profile in one of its regions ("" : the AWS default region of the profile)."""

    profile: Profile
    region: str

    @property
    def key(self) -> str:
        """A string naming the target (the watcher and the rows key jobs by it)."""
        return f"{self.profile.name}\x00{self.region}"

    @property
    def region_label(self) -> str:
        return self.region or "default region"


def fleet_targets(entries: Iterable[tuple[Profile, str]]) -> list[FleetTarget]:
    """Each (profile, region) once, in the order given (config.switcher_entries')."""
    seen: dict[str, FleetTarget] = {}
    for profile, region in entries:
        target = FleetTarget(profile, region or "")
        seen.setdefault(target.key, target)
    return list(seen.values())


@dataclass(frozen=True)
class FleetJob(HarvestJob):
    """A job and where it was found: the fleet's rows carry their profile and region."""

    target: str = field(default="", kw_only=True)  # FleetTarget.key
    profile_name: str = field(default="", kw_only=True)
    aws_region: str = field(default="", kw_only=True)

    @classmethod
    def found(cls, job: HarvestJob, target: FleetTarget, region: str | None = None) -> FleetJob:
        """`job` as listed (or fetched again) for `target`; `region`: the one resolved.

        A copy of a job that is already whole: its values are set as they are, without
        a dict of them and the dataclass's `__init__` by keywords (7.5 µs a job against
        4; a fleet of 20 profiles × 3 regions lists 3,600 jobs)."""
        where = region or target.region or region_of(job.arn)
        new = object.__new__(cls)
        for name, value in zip(_JOB_FIELDS, _job_values(job), strict=True):
            _set(new, name, value)
        _set(new, "target", target.key)
        _set(new, "profile_name", target.profile.name)
        _set(new, "aws_region", where)
        return new

    @property
    def account(self) -> str:
        return account_of(self.arn)


_JOB_FIELDS = tuple(f.name for f in fields(HarvestJob))
_job_values = attrgetter(*_JOB_FIELDS)
_set = object.__setattr__  # FleetJob is frozen


def _arn_part(arn: str, index: int) -> str:
    parts = arn.split(":", 5)
    return parts[index] if len(parts) > index else ""


def account_of(arn: str) -> str:
    """The account id of an ARN ("" when it has none)."""
    return _arn_part(arn, 4)


def region_of(arn: str) -> str:
    return _arn_part(arn, 3)


def fleet_rank(job: HarvestJob, now: datetime) -> int:
    """The fleet's grouping: 0 failed in the last 24 h, 1 active, 2 the rest."""
    status = str(job.status)
    if status == JobStatus.FAILED.value and now - job.modified_at <= RECENT_FAILURE:
        return 0
    return 1 if status in ACTIVE else 2


@dataclass
class TargetResult:
    """How one target's load ended: its jobs count and its error, if any."""

    target: FleetTarget
    jobs: int = 0
    error: ServiceError | None = None


def load_fleet(
    targets: Sequence[tuple[FleetTarget, Backend]],
    *,
    concurrency: int,
    on_jobs: Callable[[FleetTarget, list[FleetJob]], None],
    on_done: Callable[[TargetResult], None],
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """Load every target, `concurrency` at once; returns when all are done (or cancelled).

    `on_jobs` gets each page as it arrives and `on_done` each target's end, from the
    loading threads: the caller hands them to its own thread (the UI posts messages).
    """
    stop = threading.Event()

    def one(target: FleetTarget, backend: Backend) -> None:
        if stop.is_set() or cancelled():
            return
        result = load_target(target, backend, on_jobs=on_jobs, cancelled=cancelled)
        if not cancelled():
            on_done(result)

    with ThreadPoolExecutor(max(1, concurrency), thread_name_prefix="fleet") as pool:
        futures = [pool.submit(one, target, backend) for target, backend in targets]
        try:
            for future in futures:
                future.result()
        finally:
            stop.set()


def load_target(
    target: FleetTarget,
    backend: Backend,
    *,
    on_jobs: Callable[[FleetTarget, list[FleetJob]], None],
    cancelled: Callable[[], bool] = lambda: False,
) -> TargetResult:
    """One target: its groups, then each group's page chain, the chains at once.

    Through the service worker, the chains are all begun (sent) at once and their
    answers taken in turn: the worker makes the calls side by side, and this process
    starts no thread per chain (a fleet has hundreds of chains). A backend whose calls
    only start when waited for (in-process) reads the chains on threads of its own.
    """
    result = TargetResult(target)
    lock = threading.Lock()

    def failed(exc: Exception) -> ServiceError:
        if isinstance(exc, ServiceError):
            return exc
        return translate(exc, profile=backend.profile, region=backend.region)

    try:
        groups = backend.list_channel_groups()
    except Exception as exc:  # every failure becomes the target's error, shown inline
        result.error = failed(exc)
        return result

    def take(jobs: Iterable[list[HarvestJob]]) -> None:
        try:
            for page in jobs:
                if cancelled():
                    return
                found = [FleetJob.found(job, target, backend.region) for job in page]
                with lock:
                    result.jobs += len(found)
                on_jobs(target, found)
        except Exception as exc:
            with lock:
                result.error = result.error or failed(exc)

    begun = [backend.begin(ListHarvestJobs(g.name)) for g in groups]
    if all(in_flight(finish) for finish in begun):
        for finish in begun:
            take(_answer_of(finish))
    elif groups:
        with ThreadPoolExecutor(len(groups), thread_name_prefix="fleet-group") as pool:
            list(pool.map(take, [backend.iter_harvest_job_pages(g.name) for g in groups]))
    return result


def _answer_of(finish: Callable[[], list[HarvestJob]]) -> Iterator[list[HarvestJob]]:
    """A begun chain's jobs, as one page (a failure raised as the page is read)."""
    yield finish()


__all__ = [
    "FleetJob",
    "FleetTarget",
    "TargetResult",
    "account_of",
    "fleet_rank",
    "fleet_targets",
    "load_fleet",
    "load_target",
]
