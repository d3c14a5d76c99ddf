"""`jobs watch`: follow jobs to their end, printing each status change with its time.

No cap on how long: a job may queue for hours until its window ends. Each job is polled
on its own schedule: every `interval` seconds at first, 1.5 times slower each time
nothing changed (up to `max_interval`), back to `interval` on a change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from harvest_tui.commands.output import choose_format
from harvest_tui.commands.targets import (
    AWS_ERROR,
    CANCELLED,
    FAILED,
    OK,
    TIMEOUT,
    USAGE,
    JobRef,
    Target,
    UsageError,
    report,
    say,
)
from harvest_tui.errors import ServiceError
from harvest_tui.models import HarvestJob, JobStatus
from harvest_tui.safe_text import clean

if TYPE_CHECKING:
    from harvest_tui.config import Settings

BACKOFF = 1.5
# Worst first: with several jobs the exit code is the worst of theirs.
SEVERITY = (USAGE, AWS_ERROR, TIMEOUT, FAILED, CANCELLED, OK)
EXIT_FOR = {JobStatus.COMPLETED: OK, JobStatus.FAILED: FAILED, JobStatus.CANCELLED: CANCELLED}


def worst(codes: Sequence[int]) -> int:
    """The exit code of several jobs: 5 > 4 > 1 > 3 > 0 (2, a config problem, above all)."""
    return min(codes, key=SEVERITY.index) if codes else OK


@dataclass
class Watched:
    ref: JobRef
    target: Target
    interval: float
    next_at: float = 0.0
    status: str | None = None
    code: int | None = None


def watch_jobs(
    jobs: Sequence[tuple[JobRef, Target]],
    args: argparse.Namespace,
    settings: Settings,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Poll each job until it finishes (or --timeout passes); returns the worst exit code."""
    from harvest_tui.job_spec import parse_duration
    from harvest_tui.service import MediaPackageService

    interval = args.interval or settings.poll_interval_seconds
    max_interval = max(interval, args.max_interval or settings.poll_max_interval_seconds)
    deadline = None
    if args.timeout:
        try:
            deadline = clock() + parse_duration(args.timeout).total_seconds()
        except ValueError as exc:
            raise UsageError(f"--timeout: {exc}") from None
    lines = choose_format(args.output, sys.stdout) in ("json", "jsonl", "csv")
    services: dict[Target, MediaPackageService] = {}
    watched = [Watched(ref, target, interval) for ref, target in jobs]
    several = len(watched) > 1
    while True:
        pending = [w for w in watched if w.code is None]
        if not pending:
            break
        w = min(pending, key=lambda p: p.next_at)
        wait = w.next_at - clock()
        if wait > 0:
            sleep(wait)
        service = services.get(w.target)
        if service is None:
            service = services[w.target] = MediaPackageService(w.target.connection)
        try:
            job: HarvestJob = service.get_harvest_job(*w.ref.key)
        except ServiceError as exc:
            if not exc.retryable:
                w.code = report(exc, context=w.ref.path if several else "")
                continue
            # It outlasted the SDK's retries: keep watching, more slowly.
            report(exc, context=f"{w.ref.path} (still watching)")
            w.interval = min(w.interval * BACKOFF, max_interval)
        else:
            status = str(job.status)
            if status != w.status:
                w.status = status
                w.interval = interval
                _print_change(job, lines)
            else:
                w.interval = min(w.interval * BACKOFF, max_interval)
            if job.finished:
                w.code = EXIT_FOR.get(JobStatus(job.status), OK)
                continue
        w.next_at = clock() + w.interval
        if deadline is not None:
            if clock() >= deadline:  # this was its last look, at the deadline
                w.code = TIMEOUT
                still = w.status or "unknown"
                say(f"{w.ref.path}: still {still} when --timeout {args.timeout} passed")
            w.next_at = min(w.next_at, deadline)
    return worst([w.code for w in watched if w.code is not None])


def _print_change(job: HarvestJob, as_json: bool) -> None:
    """One line per change: the job's ModifiedAt (when the service says it changed)."""
    if as_json:
        event = {
            "Arn": job.arn,
            "Status": str(job.status),
            "ModifiedAt": job.modified_at.isoformat(),
            "ObservedAt": datetime.now(UTC).isoformat(),
        }
        if job.error_message:
            event["ErrorMessage"] = job.error_message
        print(json.dumps(event, ensure_ascii=False), flush=True)
        return
    when = job.modified_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    line = f"{when}  {clean('/'.join(job.key))}  {clean(job.status)}"
    if job.error_message:
        line += f"  {clean(job.error_message)}"
    print(line, flush=True)
