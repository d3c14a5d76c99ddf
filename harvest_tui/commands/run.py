"""The jobs commands: list, get, create and cancel (watch is in watch.py)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from harvest_tui.commands.output import Row, choose_format, write_job, write_jobs
from harvest_tui.commands.targets import (
    FAILED,
    INTERRUPTED,
    OK,
    USAGE,
    JobRef,
    Target,
    UsageError,
    for_ref,
    parse_job_ref,
    parse_scope,
    report,
    resolve,
    say,
)
from harvest_tui.errors import ServiceError
from harvest_tui.models import ACTIVE_STATUSES, HarvestJob, JobStatus
from harvest_tui.safe_text import clean

if TYPE_CHECKING:
    from harvest_tui.service import MediaPackageService


def run(args: argparse.Namespace) -> int:
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "list": list_command,
        "get": get_command,
        "watch": watch_command,
        "create": create_command,
        "cancel": cancel_command,
    }
    command = commands.get(args.jobs_command or "")
    if command is None:
        say("name an action: harvest-tui jobs {list,get,watch,create,cancel} (see --help)")
        return USAGE
    try:
        return command(args)
    except UsageError as exc:
        # As the app's entry point prints it: a config file's syntax error quotes the line
        # with a caret under it, on lines of their own.
        say(str(exc), multiline=True)
        return USAGE
    except KeyboardInterrupt:
        say("interrupted")
        return INTERRUPTED
    except BrokenPipeError:  # `| head`: the reader has all it wants
        # Point stdout at /dev/null, so the flush at exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK


def _service(target: Target) -> MediaPackageService:
    from harvest_tui.service import MediaPackageService

    return MediaPackageService(target.connection)


# -- list ------------------------------------------------------------------------


def parse_statuses(values: list[str] | None) -> list[JobStatus]:
    """--status values (any case, comma lists too; active = QUEUED + IN_PROGRESS)."""
    out: list[JobStatus] = []
    for value in values or []:
        for item in value.split(","):
            word = item.strip().upper().replace("-", "_")
            if word == "ACTIVE":
                found = list(ACTIVE_STATUSES)
            else:
                try:
                    found = [JobStatus(word)]
                except ValueError:
                    choices = ", ".join(s.value.lower() for s in JobStatus)
                    raise UsageError(f"--status {item!r}: use one of {choices} or active") from None
            out += [s for s in found if s not in out]
    return out


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """--since: a duration back from now ("2h", "1d") or an instant (ISO, "-2h")."""
    if not text:
        return None
    from harvest_tui.job_spec import parse_duration, parse_time

    try:
        return now - parse_duration(text)
    except ValueError:
        pass
    try:
        return parse_time(text, now)
    except ValueError:
        raise UsageError(
            f"--since {text!r}: give a duration (2h, 30m, 1d) or an ISO 8601 instant"
        ) from None


def _jobs_of(
    target: Target,
    scope: tuple[str, str | None, str | None],
    statuses: list[JobStatus],
    since: datetime | None,
    limit: int | None,
) -> list[HarvestJob]:
    """Every page of the scope: one call chain per status (none: one for all)."""
    service = _service(target)
    group, channel, endpoint = scope
    found: list[HarvestJob] = []
    chains: list[JobStatus | None] = [*statuses] or [None]
    for status in chains:

        def pages(s: JobStatus | None = status) -> Iterator[list[HarvestJob]]:
            return service.iter_harvest_job_pages(
                group, channel=channel, endpoint=endpoint, status=s
            )

        for page in pages():
            found += [j for j in page if since is None or j.created_at > since]
            if limit is not None and len(statuses) <= 1 and len(found) >= limit:
                return found[:limit]
    if len(statuses) > 1:
        found.sort(key=lambda j: j.created_at)
    return found if limit is None else found[:limit]


def list_command(args: argparse.Namespace) -> int:
    scope = parse_scope(args.scope)
    statuses = parse_statuses(args.status)
    now = datetime.now(UTC)
    since = parse_since(args.since, now)
    fmt = choose_format(args.output, sys.stdout)
    setup = resolve(args, several=True)
    several = len(setup.targets) > 1
    rows: list[Row] = []
    code = OK
    for target in setup.targets:
        left = None if args.limit is None else args.limit - len(rows)
        if left == 0:
            break
        try:
            jobs = _jobs_of(target, scope, statuses, since, left)
        except ServiceError as exc:
            code = max(code, report(exc, context=target.label if several else ""))
            continue
        label = (target.profile, target.region or "") if several else (None, None)
        rows += [(job, *label) for job in jobs]
    if rows or code == OK:
        write_jobs(rows, fmt, sys.stdout, now=now)
    return code


# -- get ---------------------------------------------------------------------------


def _one(args: argparse.Namespace, ref: JobRef) -> Target:
    return for_ref(resolve(args, several=False).targets[0], ref)


def read_job(target: Target, ref: JobRef) -> HarvestJob:
    """GetHarvestJob, with the tags (ListTagsForResource when the answer has none)."""
    service = _service(target)
    job: HarvestJob = service.get_harvest_job(*ref.key)
    if job.tags is None:
        job = replace(job, tags=service.list_tags(job.arn))
    return job


def get_command(args: argparse.Namespace) -> int:
    ref = parse_job_ref(args.job)
    fmt = choose_format(args.output, sys.stdout)
    target = _one(args, ref)
    try:
        job = read_job(target, ref)
    except ServiceError as exc:
        return report(exc)
    write_job(job, fmt, sys.stdout)
    return OK


# -- watch ---------------------------------------------------------------------------


def watch_command(args: argparse.Namespace) -> int:
    from harvest_tui.commands.watch import watch_jobs

    refs = [parse_job_ref(text) for text in args.jobs]
    setup = resolve(args, several=False)
    jobs = [(ref, for_ref(setup.targets[0], ref)) for ref in refs]
    return watch_jobs(jobs, args, setup.settings)


# -- create --------------------------------------------------------------------------


def create_command(args: argparse.Namespace) -> int:
    from harvest_tui.job_spec import SpecInput, build_spec, check_name

    parts = args.path.strip("/").split("/")
    if len(parts) not in (3, 4):
        raise UsageError(
            f"{args.path!r}: give GROUP/CHANNEL/ENDPOINT/NAME (or GROUP/CHANNEL/ENDPOINT "
            "for a generated name)"
        )
    group, channel, endpoint = parts[:3]
    for name in parts:
        problem = check_name(name, "a name")
        if problem:
            raise UsageError(f"{args.path!r}: {problem}")
    fmt = choose_format(args.output, sys.stdout)
    setup = resolve(args, several=False)
    target = setup.targets[0]
    if target.read_only and not args.dry_run:
        raise UsageError(f"profile {target.profile} is read-only: it creates no jobs")
    service = _service(target)
    try:
        origin = service.get_origin_endpoint(group, channel, endpoint)
    except ServiceError as exc:
        return report(exc, context=f"origin endpoint {group}/{channel}/{endpoint}")
    raw = SpecInput(
        group=group,
        channel=channel,
        endpoint=endpoint,
        name=parts[3] if len(parts) == 4 else "",
        start=args.start,
        end=args.end,
        bucket=args.bucket,
        path=args.s3_path or "",
        manifests=tuple(args.manifest),
        description=args.description,
        tags=tuple(args.tag),
    )
    result = build_spec(raw, now=datetime.now(UTC), endpoint=origin)
    if result.spec is None:
        flags = {"name": "NAME", "s3_path": "--path", "manifests": "--manifest", "tags": "--tag"}
        for attr, message in result.errors.items():
            say(f"{flags.get(attr, '--' + attr)}: {message}")
        return USAGE
    spec = result.spec
    if args.dry_run:
        from harvest_tui.aws_cli import create_harvest_job_command

        c = target.connection
        print(
            create_harvest_job_command(
                spec, profile=c.profile, region=c.region, endpoint_url=c.endpoint_url
            )
        )
        return OK
    try:
        job = service.create_harvest_job(
            spec.group,
            spec.channel,
            spec.endpoint,
            manifests=spec.manifests,
            start=spec.start,
            end=spec.end,
            bucket=spec.bucket,
            path=spec.path,
            name=spec.name,
            description=spec.description,
            tags=spec.tags,
        )
    except ServiceError as exc:
        return report(exc)
    if not args.wait:
        write_job(job, fmt, sys.stdout)
        return OK
    say(f"created {'/'.join(job.key)}; watching it")
    from harvest_tui.commands.watch import watch_jobs

    ref = JobRef(*job.key, region=target.region)
    return watch_jobs([(ref, target)], args, setup.settings)


# -- cancel --------------------------------------------------------------------------


def cancel_command(args: argparse.Namespace) -> int:
    ref = parse_job_ref(args.job)
    fmt = choose_format(args.output, sys.stdout)
    target = _one(args, ref)
    if target.read_only:
        raise UsageError(f"profile {target.profile} is read-only: it cancels no jobs")
    if not args.yes and (sys.stdin is None or not sys.stdin.isatty()):  # cron, CI, a pipe
        raise UsageError(
            f"not cancelling {ref.path}: not on a terminal to ask; "
            "pass --yes to cancel without asking"
        )
    service = _service(target)
    try:
        job: HarvestJob = service.get_harvest_job(*ref.key)
    except ServiceError as exc:
        return report(exc)
    if args.etag:
        job = replace(job, etag=args.etag)
    if not args.yes and not confirm_cancel(job, target):
        say("not cancelled")
        return FAILED
    try:
        service.cancel_harvest_job(job)
    except ServiceError as exc:
        hint = None
        if exc.code == "ConflictException" and exc.subtype in (None, "CONFLICTING_OPERATION"):
            hint = (
                f"the ETag sent ({job.etag}) is stale: the job changed since it was read; "
                f"harvest-tui jobs get {ref.path} shows its current state and ETag"
            )
        elif exc.subtype == "HARVEST_JOB_INELIGIBLE_FOR_CANCELLATION":
            hint = "only QUEUED and IN_PROGRESS jobs can be cancelled"
        return report(exc, hint=hint)
    try:
        job = read_job(target, ref)
    except ServiceError:
        job = replace(job, status=JobStatus.CANCELLED)
    if fmt == "table":
        print(f"cancelled {'/'.join(job.key)} ({job.status})")
    else:
        write_job(job, fmt, sys.stdout)
    return OK


def confirm_cancel(job: HarvestJob, target: Target) -> bool:
    """Ask on the terminal, naming the job, its account and region as the app does."""
    from harvest_tui.fleet import account_of, region_of

    region = region_of(job.arn) or target.connection.region or "(default)"
    where = f"region {region}"
    account = account_of(job.arn)
    if account:
        where = f"account {account}, {where}"
    prompt = f"Cancel harvest job {'/'.join(job.key)} ({job.status}) in {where}? [y/N] "
    print(clean(prompt), end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")
