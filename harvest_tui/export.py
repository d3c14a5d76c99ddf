"""The jobs table's export: rows as CSV or JSON lines, and the file name it suggests.

Pure (no Textual): the jobs table hands over the jobs it shows, in its order, and gets
the file's text back. JSON lines have the API's shape (`HarvestJob.to_json_dict`), CSV
has a header row and the columns of `harvest-tui jobs list --output csv`; every time is
ISO 8601 UTC, so a script reads either file as it reads the command's output. The
fleet's rows carry their profile and region (Profile and Region first in CSV), as the
command's do when it lists several profiles or regions.

A CSV is meant for a spreadsheet, which runs a cell that starts with `=`, `+`, `-` or
`@` as a formula: a job description is anyone's text, so such a cell gets a leading `'`
(the usual defence; JSON lines keep every value as it is).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from harvest_tui.commands.output import CSV_COLUMNS, csv_cells, job_dict
from harvest_tui.fleet import FleetJob
from harvest_tui.models import HarvestJob

__all__ = [
    "ExportFormat",
    "default_filename",
    "export_text",
    "format_of",
    "job_json",
    "job_row",
    "to_csv",
    "to_jsonl",
    "where",
]

ExportFormat = Literal["csv", "jsonl"]
_FORMATS: dict[str, ExportFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def format_of(path: Path | str) -> ExportFormat | None:
    """The format a file name asks for (.csv; .jsonl or .ndjson), None for another."""
    return _FORMATS.get(Path(path).suffix.lower())


def default_filename(group: str, now: datetime) -> str:
    """`harvest-jobs-<group>-<yyyymmdd-hhmmss>.csv`, the time in UTC; the group's name
    (remote text) keeps only the characters a file name can always hold."""
    safe = _UNSAFE_IN_NAME.sub("_", group).strip("._") or "group"
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    return f"harvest-jobs-{safe[:64]}-{stamp}.csv"


def where(job: HarvestJob) -> tuple[str | None, str | None]:
    """(profile, region) of a fleet row, as `jobs list` names them when it lists several
    targets; (None, None) for a job of one scope."""
    if isinstance(job, FleetJob):
        return job.profile_name, job.aws_region
    return None, None


def job_row(job: HarvestJob) -> dict[str, str]:
    """One CSV row: column name → cell, with formula-looking cells neutralised; a fleet
    row starts with its profile and region."""
    profile, region = where(job)
    lead = {} if profile is None else {"Profile": profile, "Region": region or ""}
    cells = dict(zip(CSV_COLUMNS, csv_cells(job), strict=True))
    return {column: _no_formula(cell) for column, cell in {**lead, **cells}.items()}


def job_json(job: HarvestJob) -> dict[str, Any]:
    """One JSON line: the job in GetHarvestJob's shape (a fleet row's with its Profile
    and Region, as `jobs list` writes them)."""
    return job_dict(job, *where(job))


def _no_formula(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def to_csv(jobs: Iterable[HarvestJob]) -> str:
    rows = [job_row(job) for job in jobs]
    several = any("Profile" in row for row in rows)
    out = io.StringIO()
    fields = ["Profile", "Region", *CSV_COLUMNS] if several else list(CSV_COLUMNS)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_jsonl(jobs: Iterable[HarvestJob]) -> str:
    return "".join(json.dumps(job_json(job), ensure_ascii=False) + "\n" for job in jobs)


def export_text(jobs: Iterable[HarvestJob], fmt: ExportFormat) -> str:
    return to_csv(jobs) if fmt == "csv" else to_jsonl(jobs)
