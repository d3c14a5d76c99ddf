"""`harvest-tui jobs list` of a 1,000-job channel group, as a whole process, against
a plain boto3 paginator script and the AWS CLI's `list-harvest-jobs` doing the same: every
page read and every job printed as JSON. Run by run.py (`--only jobs`); each program is
a new process each time, the three taking turns, compared by medians.

    python jobs_list.py paginate URL GROUP     the boto3 baseline: one paginator, JSON out
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from harness import PYTHON, BenchError, SandboxProcess, child_env, harvest_tui_command, ms, now

JOBS = 1_000
GROUP = "scale-group-01"


def _timed(command: list[str]) -> tuple[float, int]:
    """(wall ms, jobs printed) of one whole process."""
    t0 = now()
    done = subprocess.run(command, capture_output=True, text=True, env=child_env(), timeout=120)
    elapsed = ms(now() - t0)
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command[:4])}… failed: {done.stderr[-600:]}")
    return elapsed, len(json.loads(done.stdout)["Items"])


def rows(
    reps: int, aws: str | None, alternate: Callable[..., dict[str, list[Any]]]
) -> list[dict[str, Any]]:
    """The rows for run.py's table (its Row fields); `alternate` is run.py's turn-taking."""

    args = ("--jobs", str(JOBS), "--groups", "1", "--channels", "1", "--endpoints", "1")
    with SandboxProcess(*args) as sandbox:
        where = ["--endpoint-url", sandbox.url, "--region", "us-east-1"]
        commands = {
            "app": [*harvest_tui_command(), "jobs", "list", GROUP, "--output", "json", *where],
            "boto3": [PYTHON, __file__, "paginate", sandbox.url, GROUP],
        }
        if aws:
            commands["cli"] = [
                aws, "mediapackagev2", "list-harvest-jobs", "--channel-group-name", GROUP,
                "--output", "json", *where,
            ]  # fmt: skip
        runs = alternate(reps, **{k: (lambda c=c: _timed(c)) for k, c in commands.items()})
    for side, results in runs.items():
        if any(count != JOBS for _, count in results):
            raise BenchError(f"{side} printed {[c for _, c in results]} jobs, not {JOBS}")
    times = {side: [t for t, _ in results] for side, results in runs.items()}
    app, b3 = statistics.median(times["app"]), statistics.median(times["boto3"])
    out = [
        {
            "name": f"jobs list: {JOBS:,} jobs ÷ boto3 paginator script",
            "value": round(app / b3, 2),
            "target": "≤ 1.3",
            "met": app / b3 <= 1.3,
            "detail": f"harvest-tui jobs list {app:.0f} ms, boto3 script {b3:.0f} ms (whole "
            f"processes, JSON out, medians of {len(times['app'])})",
            "extra": {"app_ms": times["app"], "boto3_ms": times["boto3"]},
        }
    ]
    if aws:
        cli = statistics.median(times["cli"])
        out.append(
            {
                "name": f"jobs list: AWS CLI list-harvest-jobs time ÷ jobs list time ({JOBS:,})",
                "value": round(cli / app, 2),
                "target": "> 1 (faster)",
                "met": cli / app > 1,
                "detail": f"AWS CLI {cli:.0f} ms, harvest-tui {app:.0f} ms",
                "extra": {"cli_ms": times["cli"], "app_ms": times["app"]},
            }
        )
    else:
        out.append(
            {
                "name": "jobs list: AWS CLI list-harvest-jobs time ÷ jobs list time",
                "value": "skipped",
                "target": "> 1 (faster)",
                "met": False,
                "detail": "no AWS CLI (pass --aws-cli PATH)",
                "extra": {"skipped": True},
            }
        )
    return out


def paginate(url: str, group: str) -> None:
    """What a script would do: a client, one paginator, every item printed as JSON."""
    import boto3  # type: ignore[import-untyped]

    client = boto3.client("mediapackagev2", endpoint_url=url, region_name="us-east-1")
    pages = client.get_paginator("list_harvest_jobs").paginate(ChannelGroupName=group)
    items = [item for page in pages for item in page["Items"]]
    # Compact, so that the C encoder runs: the fastest a script would print them.
    json.dump({"Items": items}, sys.stdout, default=lambda d: d.isoformat())
    sys.stdout.write("\n")


if __name__ == "__main__":
    if sys.argv[1:2] != ["paginate"] or len(sys.argv) != 4:
        raise SystemExit(__doc__)
    paginate(sys.argv[2], sys.argv[3])
