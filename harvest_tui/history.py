"""JobHistory: the status changes this app saw, for the status timeline.

The API tells a job's current status and its created/modified times, not its past:
the transitions the app itself observed (between two lists, or two polls) are what
the timeline can add. Pure: no Textual, no boto3.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from harvest_tui.models import HarvestJob, Observation

JobKey = tuple[str, str, str, str]  # group, channel, endpoint, name
WatchKey = tuple[str, JobKey]  # (region, job key)


class JobHistory:
    """Per (region, job): the last status seen, and each change observed since."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._seen: dict[WatchKey, list[Observation]] = {}
        self._last: dict[WatchKey, str] = {}

    def observe(self, region: str, job: HarvestJob) -> bool:
        """Note `job`'s status; True (and an Observation) when it changed since last seen."""
        key = (region, job.key)
        status = str(job.status)
        last = self._last.get(key)
        self._last[key] = status
        if last is None and status == "IN_PROGRESS":
            # Seen running: the timeline then knows it ran, whatever it ends as.
            self._seen.setdefault(key, []).append(Observation(status, self.clock()))
            return False
        if last is not None and last != status:
            self._seen.setdefault(key, []).append(Observation(status, self.clock()))
            return True
        return False

    def last_status(self, region: str, key: JobKey) -> str | None:
        return self._last.get((region, key))

    def of(self, region: str, key: JobKey) -> list[Observation]:
        """The changes observed for the job, oldest first."""
        return list(self._seen.get((region, key), ()))
