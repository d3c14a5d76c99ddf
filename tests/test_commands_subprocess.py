"""The real `harvest-tui jobs …` command, as a process, against a sandbox over HTTP, side
by side with the real AWS CLI (found as $HARVEST_TUI_AWS_CLI or `aws` on PATH; the tests
that need it skip without it)."""

from __future__ import annotations

import csv
import io
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aws_cli_kit import find_aws

from harvest_tui.aws_cli import create_harvest_job_command
from harvest_tui.job_spec import SpecInput, build_spec
from harvest_tui.sandbox import LEGAL_HOLD_BUCKET, Sandbox, ScaledClock

ENDPOINT = ("live-sports", "football-main", "cmaf-main")
TIMES = ("StartTime", "EndTime", "CreatedAt", "ModifiedAt")


def _harvest_tui() -> list[str]:
    script = Path(sys.executable).with_name("harvest-tui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "harvest_tui.cli"]


AWS = find_aws()
needs_aws = pytest.mark.skipif(AWS is None, reason="no AWS CLI")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "HARVEST_TUI"))}
    env.update(
        AWS_ACCESS_KEY_ID="sandbox",
        AWS_SECRET_ACCESS_KEY="sandbox",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_PAGER="",
        XDG_CONFIG_HOME=str(tmp_path_factory.mktemp("no-config")),
    )
    return env


@pytest.fixture
def fast() -> Iterator[Sandbox]:
    """The demo account on a clock 600 times faster than real time (`--speed 600`)."""
    with Sandbox(seed=7, clock=ScaledClock(600)) as sb:
        yield sb


def jobs(
    sandbox: Sandbox, env: dict[str, str], *args: str, stdin: int | None = None
) -> subprocess.CompletedProcess[str]:
    where = ["--endpoint-url", sandbox.endpoint_url, "--region", "us-east-1"]
    command = [*_harvest_tui(), "jobs", *args, *where]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, stdin=stdin)


def aws(sandbox: Sandbox, env: dict[str, str], *args: str) -> Any:
    assert AWS is not None
    where = ["--endpoint-url", sandbox.endpoint_url, "--region", "us-east-1", "--output", "json"]
    done = subprocess.run(
        [AWS, "mediapackagev2", *args, *where], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else {}


def _instant(value: str | float) -> datetime:
    """AWS CLI v1 prints the wire's epoch seconds, v2 and harvest-tui ISO 8601."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(value).astimezone(UTC)


def normalised(item: dict[str, Any]) -> dict[str, Any]:
    out = json.loads(json.dumps(item))
    for key in TIMES:
        for holder in (out, out.get("ScheduleConfiguration", {})):
            if key in holder:
                holder[key] = _instant(holder[key])
    return out


@needs_aws
def test_list_returns_what_the_aws_cli_returns_across_pages(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    from pilotkit import add_jobs

    add_jobs(sandbox, 1000)
    mine = jobs(sandbox, env, "list", "events-popup", "--output", "json")
    assert mine.returncode == 0, mine.stderr
    ours = json.loads(mine.stdout)["Items"]
    theirs = aws(sandbox, env, "list-harvest-jobs", "--channel-group-name", "events-popup")
    assert len(ours) > 1000
    assert [normalised(i) for i in ours] == [normalised(i) for i in theirs["Items"]]
    assert all(isinstance(i["CreatedAt"], str) for i in ours)


def test_status_failed_and_csv(sandbox: Sandbox, env: dict[str, str]) -> None:
    done = jobs(sandbox, env, "list", "news-24x7", "--status", "failed", "--output", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and {r["Status"] for r in rows} == {"FAILED"}
    assert all(r["ErrorMessage"] and r["Arn"].startswith("arn:aws:") for r in rows)


def _fresh_job(sandbox: Sandbox, name: str, bucket: str = "acme-media-archive") -> str:
    now = sandbox.clock.now()
    sandbox.store.add_harvest_job(
        *ENDPOINT,
        name,
        start=now - timedelta(hours=1),
        end=now - timedelta(minutes=30),
        bucket=bucket,
        path=f"{name}/",
    )
    return "/".join((*ENDPOINT, name))


def test_watch_exit_codes(fast: Sandbox, sandbox: Sandbox, env: dict[str, str]) -> None:
    timing = ("--interval", "0.05", "--max-interval", "0.2")
    ok = jobs(fast, env, "watch", _fresh_job(fast, "ok"), *timing, "--timeout", "60s")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.splitlines()[-1])["Status"] == "COMPLETED"
    bad = jobs(fast, env, "watch", _fresh_job(fast, "bad", LEGAL_HOLD_BUCKET), *timing)
    assert bad.returncode == 1, bad.stderr
    # The frozen sandbox: a queued job that cannot finish.
    queued = "live-sports/football-main/cmaf-main/cup-final-highlights"
    late = jobs(sandbox, env, "watch", queued, *timing, "--timeout", "2s")
    assert late.returncode == 4, late.stderr
    assert "still QUEUED" in late.stderr
    missing = jobs(sandbox, env, "watch", "live-sports/football-main/cmaf-main/nope")
    assert missing.returncode == 5
    assert missing.stderr.startswith("harvest-tui: ResourceNotFoundException")
    assert "Traceback" not in missing.stderr and missing.stderr.count("\n") == 1


@needs_aws
def test_create_makes_a_job_the_aws_cli_sees(fast: Sandbox, env: dict[str, str]) -> None:
    path = "/".join((*ENDPOINT, "from-harvest-tui"))
    args = ["--start", "-1h", "--end", "-30m", "--bucket", "acme-media-archive"]
    done = jobs(fast, env, "create", path, *args, "--description", "made by a test")
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    where = ["--channel-group-name", ENDPOINT[0], "--channel-name", ENDPOINT[1]]
    where += ["--origin-endpoint-name", ENDPOINT[2]]
    seen = aws(fast, env, "get-harvest-job", *where, "--harvest-job-name", "from-harvest-tui")
    assert seen["Arn"] == made["Arn"] and seen["Description"] == "made by a test"
    assert _instant(seen["ScheduleConfiguration"]["EndTime"]) - _instant(
        seen["ScheduleConfiguration"]["StartTime"]
    ) == timedelta(minutes=30)


@needs_aws
def test_the_aws_cli_command_of_a_spec_creates_that_job(fast: Sandbox, env: dict[str, str]) -> None:
    raw = SpecInput(
        *ENDPOINT,
        name="from-aws-cli",
        start="-2h",
        end="-1h30m",
        bucket="acme-media-archive",
        path="copied-from-the-form/",
        manifests=("dash:index",),
        description="it's; $(quoted)",
        tags=("who=the form",),
    )
    spec = build_spec(raw, now=datetime.now(UTC)).spec
    assert spec is not None
    line = create_harvest_job_command(spec, region="us-east-1", endpoint_url=fast.endpoint_url)
    words = shlex.split(line)
    assert words[0] == "aws"
    done = subprocess.run(
        [str(AWS), *words[1:]], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    job = fast.store.harvest_job(*ENDPOINT, "from-aws-cli")
    assert (job.description, job.path, job.tags) == (
        "it's; $(quoted)",
        "copied-from-the-form/",
        {"who": "the form"},
    )
    assert job.manifests == {"DashManifests": [{"ManifestName": "index"}]}


def test_cancel_with_a_stale_etag_exits_5_and_says_why(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    queued = "live-sports/football-main/cmaf-main/cup-final-highlights"
    done = jobs(sandbox, env, "cancel", queued, "--etag", "c3RhbGU=", "--yes")
    assert done.returncode == 5
    assert "ConflictException" in done.stderr and "stale" in done.stderr
    assert "changed since" in done.stderr and done.stderr.count("\n") == 1
    assert sandbox.store.harvest_job(*queued.split("/")).cancelled_at is None


def test_cancel_without_yes_from_cron_refuses_with_exit_2(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    """`</dev/null`, as cron runs it: nobody to ask, so nothing is sent."""
    queued = "live-sports/football-main/cmaf-main/cup-final-highlights"
    sandbox.reset_requests()
    done = jobs(sandbox, env, "cancel", queued, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr == (
        f"harvest-tui: not cancelling {queued}: not on a terminal to ask; "
        "pass --yes to cancel without asking\n"
    )
    assert done.stdout == "" and not sandbox.request_counts
    assert sandbox.store.harvest_job(*queued.split("/")).cancelled_at is None
