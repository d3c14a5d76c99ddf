"""FleetTable: the jobs table over every profile and region of the config.

A JobsTable with the profile, account and region of each job, grouped by what needs
eyes first (failed in the last 24 h, then active, then the rest, newest first within
each) until another column is sorted. It owns its loading: `fleet.load_fleet` in one
thread worker, each page and each target's end posted back as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, ClassVar

from rich.text import Text
from textual.message import Message
from textual.worker import get_current_worker

from harvest_tui.backend import Backend
from harvest_tui.fleet import FleetJob, FleetTarget, TargetResult, fleet_rank, load_fleet
from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.ui.widgets.jobs_table import COLUMNS, Cell, Column, JobsScope, JobsTable

FLEET_SCOPE = JobsScope(region="", group="fleet")


def _fleet(job: HarvestJob) -> FleetJob | None:
    return job if isinstance(job, FleetJob) else None


def _profile(job: HarvestJob) -> str:
    fleet = _fleet(job)
    return fleet.profile_name if fleet else ""


def _account(job: HarvestJob) -> str:
    fleet = _fleet(job)
    return fleet.account if fleet else ""


def _region(job: HarvestJob) -> str:
    fleet = _fleet(job)
    return fleet.aws_region if fleet else ""


FLEET_COLUMNS: tuple[Column, ...] = (
    *COLUMNS[:2],
    Column("profile", "Profile", _profile),
    Column("account", "Account", _account),
    Column("region", "Region", _region),
    *COLUMNS[2:],
)
_GROUPED = 0  # the status column: sorted ascending, it groups (see FleetTable.sort_key)


class FleetTable(JobsTable):
    """Every job of every target, loaded `concurrency` targets at once."""

    COLUMNS: ClassVar[tuple[Column, ...]] = FLEET_COLUMNS

    @dataclass
    class _TargetDone(Message):
        generation: int
        result: TargetResult
        bubble: ClassVar[bool] = False

    def __init__(
        self,
        targets: Sequence[tuple[FleetTarget, Backend]],
        *,
        concurrency: int,
        clock: Callable[[], datetime],
        tz: tzinfo,
        id: str | None = None,
    ) -> None:
        super().__init__(FLEET_SCOPE, None, clock=clock, tz=tz, id=id)
        self.targets = list(targets)
        self.backends = {target.key: backend for target, backend in self.targets}
        self.concurrency = concurrency
        self.results: dict[str, TargetResult] = {}  # by FleetTarget.key, as they end
        self.sort_column, self.sort_reverse = _GROUPED, False

    # Loading.

    def load(self) -> None:
        """Every target afresh (the rows shown stay until the first page arrives)."""
        self.results = {}
        super().load()

    def _read_pages(self) -> None:
        """In a thread worker: the whole fleet, posted back a page at a time."""
        worker = get_current_worker()
        generation = self._generation

        def page(target: FleetTarget, jobs: list[FleetJob]) -> None:
            self.post_message(self._Page(generation, list(jobs)))

        def done(result: TargetResult) -> None:
            self.post_message(self._TargetDone(generation, result))

        load_fleet(
            self.targets,
            concurrency=self.concurrency,
            on_jobs=page,
            on_done=done,
            cancelled=lambda: worker.is_cancelled,
        )
        if not worker.is_cancelled:
            self.post_message(self._Finished(generation, None))

    def _on_fleet_table__target_done(self, message: _TargetDone) -> None:
        if message.generation == self._generation:
            self.results[message.result.target.key] = message.result
            self.post_progress()

    @property
    def failures(self) -> list[TargetResult]:
        """The targets that ended in an error, in the config's order."""
        order = [target.key for target, _ in self.targets]
        failed = [r for r in self.results.values() if r.error is not None]
        return sorted(failed, key=lambda r: order.index(r.target.key))

    def target_of(self, job: FleetJob) -> FleetTarget | None:
        return next((t for t, _ in self.targets if t.key == job.target), None)

    # Rows.

    def key_of(self, job: HarvestJob) -> tuple[str, ...]:
        fleet = _fleet(job)
        return (fleet.target if fleet else "", *job.key)

    def last_in_view(self) -> str:
        return "region"

    def make_cells(self, job: HarvestJob) -> list[Cell]:
        cells = super().make_cells(job)
        extra = [Cell(Text(clean(f(job), max_len=40))) for f in (_profile, _account, _region)]
        return [*cells[:2], *extra, *cells[2:]]

    def searched(self, job: HarvestJob) -> tuple[str, ...]:
        return (*super().searched(job), _profile(job), _account(job), _region(job))

    def sort_key(self, job: HarvestJob) -> tuple[Any, tuple[str, ...]]:
        """Sorted by status ascending, the rows group: failed in the last 24 h, active,
        the rest; newest first within each."""
        if self.sort_column == _GROUPED:
            grouped = (fleet_rank(job, self.clock()), -job.created_at.timestamp())
            return (grouped, self.key_of(job))
        return super().sort_key(job)

    @property
    def sort_description(self) -> str:
        if self.sort_column == _GROUPED and not self.sort_reverse:
            return "failed (24 h), active, the rest, newest first"
        return super().sort_description


__all__ = ["FLEET_COLUMNS", "FLEET_SCOPE", "FleetTable"]
