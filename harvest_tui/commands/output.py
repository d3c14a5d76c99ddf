"""Jobs as a table for people, or JSON, JSON lines or CSV for scripts.

JSON keeps the API's shape (the AWS CLI's keys; timestamps as ISO 8601 UTC), so jq
filters written for `aws mediapackagev2` keep working. Only the table humanises times,
and every remote string in it goes through safe_text.clean: nothing the API returns
can drive the terminal.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean

CSV_COLUMNS = (
    "Arn",
    "ChannelGroupName",
    "ChannelName",
    "OriginEndpointName",
    "HarvestJobName",
    "Status",
    "StartTime",
    "EndTime",
    "CreatedAt",
    "ModifiedAt",
    "BucketName",
    "DestinationPath",
    "Manifests",
    "Description",
    "ErrorMessage",
    "ETag",
)


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def choose_format(asked: str | None, stream: IO[str]) -> str:
    """--output, else a table on a terminal and JSON when piped."""
    return asked or ("table" if _is_terminal(stream) else "json")


def job_dict(
    job: HarvestJob, profile: str | None = None, region: str | None = None
) -> dict[str, Any]:
    """The job in the API's shape; Profile and Region added when several were listed."""
    out = job.to_json_dict()
    if profile is not None:
        out["Profile"] = profile
    if region is not None:
        out["Region"] = region
    return out


Row = tuple[HarvestJob, str | None, str | None]
"""A job and, when several targets were listed, its profile and region."""


def write_jobs(rows: Sequence[Row], fmt: str, out: IO[str], *, now: datetime | None = None) -> None:
    """A list of jobs in `fmt`: json is {"Items": [...]}, as list-harvest-jobs prints."""
    if fmt == "json":
        items = [job_dict(*r) for r in rows]
        if _is_terminal(out):
            json.dump({"Items": items}, out, indent=4, ensure_ascii=False)
            out.write("\n")
        else:  # one job a line: as valid, and the C encoder (indent=4 is pure Python, 10x slower)
            out.write('{"Items": [\n')
            out.write(",\n".join(json.dumps(i, ensure_ascii=False) for i in items))
            out.write("\n]}\n")
    elif fmt == "jsonl":
        for r in rows:
            out.write(json.dumps(job_dict(*r), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        several = any(p is not None for _, p, _ in rows)
        writer = csv.writer(out, lineterminator="\n")
        extra = ["Profile", "Region"] if several else []
        writer.writerow([*extra, *CSV_COLUMNS])
        for job, profile, region in rows:
            lead = [profile or "", region or ""] if several else []
            writer.writerow([*lead, *csv_cells(job)])
    else:
        write_table(rows, out, now=now)


def csv_cells(job: HarvestJob) -> list[str]:
    manifests = ";".join(
        f"{label.lower()}:{name}" for label, names in job.manifests.by_type() for name in names
    )
    return [
        job.arn,
        job.group_name,
        job.channel_name,
        job.endpoint_name,
        job.name,
        str(job.status),
        job.schedule.start.isoformat(),
        job.schedule.end.isoformat(),
        job.created_at.isoformat(),
        job.modified_at.isoformat(),
        job.destination.bucket,
        job.destination.path,
        manifests,
        job.description or "",
        job.error_message or "",
        job.etag or "",
    ]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Left-aligned columns two spaces apart; cells must already be clean."""
    body = [list(r) for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in body]) for i, h in enumerate(headers)]
    lines = []
    for cells in [list(headers), *body]:
        line = "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True))
        lines.append(line.rstrip())
    return lines


def short_time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def write_table(rows: Sequence[Row], out: IO[str], *, now: datetime | None = None) -> None:
    from harvest_tui.timefmt import format_age, format_duration

    now = now or datetime.now(UTC)
    several = any(p is not None for _, p, _ in rows)
    headers = [*(["PROFILE", "REGION"] if several else []), "JOB", "STATUS", "WINDOW", "CREATED"]
    headers.append("DESTINATION")
    body = []
    for job, profile, region in rows:
        lead = [clean(profile, max_len=24), clean(region, max_len=20)] if several else []
        window = f"{short_time(job.schedule.start)} +{format_duration(job.schedule.duration)}"
        body.append(
            [
                *lead,
                clean("/".join(job.key), max_len=100),
                clean(job.status, max_len=20),
                window,
                format_age(job.created_at, now),
                clean(job.destination.uri, max_len=80),
            ]
        )
    if not body:
        out.write("no harvest jobs\n")
        return
    for line in table(headers, body):
        out.write(line + "\n")
    out.write(f"{len(body)} job{'s' if len(body) != 1 else ''}\n")


def write_job(job: HarvestJob, fmt: str, out: IO[str], *, now: datetime | None = None) -> None:
    """One job: JSON is GetHarvestJob's shape; the table is labelled lines."""
    if fmt in ("json", "jsonl"):
        indent = 4 if fmt == "json" else None
        out.write(json.dumps(job.to_json_dict(), indent=indent, ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        write_jobs([(job, None, None)], "csv", out)
        return
    from harvest_tui.timefmt import format_age, format_duration, format_instant

    now = now or datetime.now(UTC)
    lines: list[tuple[str, str]] = [
        ("Job", clean("/".join(job.key))),
        ("ARN", clean(job.arn)),
        ("Status", clean(job.status)),
    ]
    if job.error_message:
        lines.append(("Error", clean(job.error_message)))
    if job.description:
        lines.append(("Description", clean(job.description)))
    lines += [
        ("Destination", clean(job.destination.uri)),
        *(
            (f"{label} manifests", clean(", ".join(names)))
            for label, names in job.manifests.by_type()
            if names
        ),
        ("Window start", format_instant(job.schedule.start)),
        ("Window end", format_instant(job.schedule.end)),
        ("Window", format_duration(job.schedule.duration)),
        ("Created", f"{format_instant(job.created_at)} ({format_age(job.created_at, now)})"),
        ("Modified", f"{format_instant(job.modified_at)} ({format_age(job.modified_at, now)})"),
        ("ETag", clean(job.etag)),
    ]
    for key, value in sorted((job.tags or {}).items()):
        lines.append((f"Tag {clean(key, max_len=40)}", clean(value)))
    width = max(_width(k) for k, _ in lines)
    for key, value in lines:
        out.write(f"{_pad(key, width)}  {value}\n")
