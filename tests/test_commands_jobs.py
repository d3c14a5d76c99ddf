"""`harvest-tui jobs …` in this process (harvest_tui.cli.main), against a real sandbox
over HTTP through the app's service layer. The real command as a subprocess, next to the
AWS CLI, is in test_commands_subprocess.py."""

from __future__ import annotations

import argparse
import csv
import io
import json
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from harvest_tui.cli import main
from harvest_tui.sandbox import DEMO_NOW, LEGAL_HOLD_BUCKET, FrozenClock, Sandbox
from harvest_tui.sandbox.records import ACCOUNT_ID, JobRec
from harvest_tui.service import Connection, MediaPackageService

GROUP = "live-sports"
ENDPOINT = ("live-sports", "football-main", "cmaf-main")
FAILED_JOB = "news-24x7/news-main/cmaf-main/morning-bulletin-legal-hold"
QUEUED_JOB = "live-sports/football-main/cmaf-main/cup-final-highlights"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("HARVEST_TUI_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))


@pytest.fixture
def live() -> Iterator[Sandbox]:
    """The demo account on a frozen clock set to real now (relative times line up)."""
    with Sandbox(seed=7, clock=FrozenClock(datetime.now(UTC).replace(microsecond=0))) as sb:
        yield sb


def gets(sandbox: Sandbox) -> int:
    return sandbox.request_counts["GetHarvestJob"]


def drive(sandbox: Sandbox, *instants: datetime) -> threading.Thread:
    """Move the sandbox's clock to each instant in turn, once the watcher has seen the
    state before it twice (the first answer is then surely out)."""
    clock = sandbox.clock
    assert isinstance(clock, FrozenClock)

    def run() -> None:
        deadline = time.monotonic() + 20
        for instant in instants:
            seen = gets(sandbox)
            while gets(sandbox) < seen + 2 and time.monotonic() < deadline:
                time.sleep(0.005)
            clock.set(instant)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> Any:
        return json.loads(self.out)


def jobs(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], *args: str, region: str = "us-east-1"
) -> Run:
    code = main(["jobs", *args, "--endpoint-url", sandbox.endpoint_url, "--region", region])
    out, err = capsys.readouterr()
    return Run(code, out, err)


def api_items(sandbox: Sandbox, group: str, **params: str) -> list[dict[str, Any]]:
    """What ListHarvestJobs answers, every page, in the API's order (ISO timestamps)."""
    service = MediaPackageService(Connection(region="us-east-1", endpoint_url=sandbox.endpoint_url))
    pages = service.iter_harvest_job_pages(group, **params)  # type: ignore[arg-type]
    return [job.to_json_dict() for page in pages for job in page]


# -- list --------------------------------------------------------------------------


def test_list_json_is_every_job_in_the_apis_shape(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    from pilotkit import add_jobs

    add_jobs(sandbox, 250)  # three pages
    sandbox.reset_requests()
    run = jobs(sandbox, capsys, "list", "events-popup", "--output", "json")
    assert run.code == 0, run.err
    assert sandbox.request_counts["ListHarvestJobs"] == 3
    items = run.json()["Items"]
    assert items == api_items(sandbox, "events-popup")
    assert len(items) > 250
    assert {"Arn", "ChannelGroupName", "HarvestJobName", "Status", "CreatedAt", "ETag"} <= set(
        items[0]
    )
    assert datetime.fromisoformat(items[0]["CreatedAt"]).tzinfo is not None


def test_one_status_is_filtered_by_the_service(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = jobs(sandbox, capsys, "list", "news-24x7", "--status", "failed", "-o", "json")
    items = run.json()["Items"]
    assert items and {i["Status"] for i in items} == {"FAILED"}
    assert items == api_items(sandbox, "news-24x7", status="FAILED")
    assert sandbox.requests[-1][1].get("Status") == "FAILED"


def test_several_statuses_are_one_call_each_merged(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.reset_requests()
    run = jobs(sandbox, capsys, "list", GROUP, "--status", "active", "-o", "jsonl")
    items = [json.loads(line) for line in run.out.splitlines()]
    assert {i["Status"] for i in items} == {"QUEUED", "IN_PROGRESS"}
    assert sandbox.request_counts["ListHarvestJobs"] == 2
    every = api_items(sandbox, GROUP)
    assert len(items) == sum(i["Status"] in ("QUEUED", "IN_PROGRESS") for i in every)
    created = [i["CreatedAt"] for i in items]
    assert created == sorted(created)


def test_csv_has_a_header_and_one_row_per_job(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = jobs(sandbox, capsys, "list", "news-24x7/news-main", "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(run.out)))
    every = api_items(sandbox, "news-24x7", channel="news-main")
    assert [r["Arn"] for r in rows] == [i["Arn"] for i in every]
    assert rows[0]["CreatedAt"] == every[0]["CreatedAt"]
    assert "ErrorMessage" in rows[0]


def test_since_and_limit(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    every = api_items(sandbox, GROUP)
    cut = DEMO_NOW - timedelta(hours=12)
    run = jobs(sandbox, capsys, "list", GROUP, "--since", cut.isoformat(), "-o", "json")
    newer = [i for i in every if datetime.fromisoformat(i["CreatedAt"]) > cut]
    assert run.json()["Items"] == newer
    run = jobs(sandbox, capsys, "list", GROUP, "--limit", "3", "-o", "json")
    assert run.json()["Items"] == every[:3]


def test_several_regions_add_profile_and_region(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    eu = sandbox.store_for(ACCOUNT_ID, "eu-west-1")  # each region has its own data
    eu.add_channel_group("events-popup")
    eu.add_channel("events-popup", "eu-stage")
    eu.add_origin_endpoint("events-popup", "eu-stage", "hls")
    eu.add_harvest_job(
        "events-popup",
        "eu-stage",
        "hls",
        "eu-job",
        start=DEMO_NOW - timedelta(hours=2),
        end=DEMO_NOW - timedelta(hours=1),
        bucket="acme-media-archive",
        path="eu/",
    )
    run = jobs(sandbox, capsys, "list", "events-popup", "-o", "json", region="us-east-1,eu-west-1")
    items = run.json()["Items"]
    assert {(i["Profile"], i["Region"]) for i in items} == {
        ("default", "us-east-1"),
        ("default", "eu-west-1"),
    }
    table = jobs(
        sandbox, capsys, "list", "events-popup", "-o", "table", region="us-east-1,eu-west-1"
    )
    assert table.out.splitlines()[0].split()[:3] == ["PROFILE", "REGION", "JOB"]


def test_the_table_never_passes_control_characters(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.store.add_harvest_job(
        *ENDPOINT,
        "hostile",
        start=DEMO_NOW - timedelta(hours=2),
        end=DEMO_NOW - timedelta(hours=1),
        bucket="acme-media-archive",
        path="x/\x1b]52;c;ZXZpbA==\x07\x1b[2J/",
    )
    run = jobs(sandbox, capsys, "list", "/".join(ENDPOINT), "-o", "table")
    assert "\x1b" not in run.out and "\x07" not in run.out
    assert "\\x1b]52" in run.out
    assert "hostile" in run.out and run.out.rstrip().endswith("jobs")


def test_bad_usage_exits_2_with_one_line(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ("list", "a/b/c/d"),
        ("list", GROUP, "--status", "done"),
        ("list", GROUP, "--since", "lately"),
        ("get", "only/three/parts"),
        ("get", "arn:aws:s3:::bucket"),
        ("watch", QUEUED_JOB, "--timeout", "soon"),
    ):
        run = jobs(sandbox, capsys, *args)
        assert run.code == 2, args
        assert run.err.count("\n") == 1 and run.err.startswith("harvest-tui: "), run.err


def test_no_region_is_a_config_problem(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["jobs", "list", GROUP, "--endpoint-url", sandbox.endpoint_url])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("harvest-tui: NoRegion") and "--region" in err


def test_a_config_syntax_error_shows_the_line_and_caret_on_lines_of_their_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the app's entry point prints it: the newlines are real, other controls escaped
    (here an ESC in the file's name)."""
    config = tmp_path / "bad\x1b[2J.toml"
    config.write_text("[profiles.a\n")
    for argv in (
        ["--config", str(config), "jobs", "list", GROUP],
        ["jobs", "list", GROUP, "--config", str(config)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "\x1b" not in err and "\\n" not in err
        first, *rest = err.splitlines()
        assert first.startswith("harvest-tui: Config file ") and "bad\\x1b[2J.toml" in first
        assert first.endswith("at line 1, column 12:")
        assert rest == ["    [profiles.a", "               ^"]


def test_an_aws_error_is_one_line_with_request_id_and_hint(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = jobs(sandbox, capsys, "list", "no-such-group")
    assert run.code == 5
    assert run.out == ""
    line = run.err.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith("harvest-tui: ResourceNotFoundException")
    assert "request id " in line and "harvest-tui jobs list" in line


# -- get -----------------------------------------------------------------------------


def test_get_shows_one_job_with_its_tags(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = jobs(sandbox, capsys, "get", FAILED_JOB, "-o", "json")
    assert run.code == 0
    job = run.json()
    assert job["Status"] == "FAILED" and job["Tags"] == {"requested-by": "demo"}
    assert job["ErrorMessage"].startswith("MediaPackage could not write")
    by_arn = jobs(sandbox, capsys, "get", job["Arn"], "-o", "json")
    assert by_arn.json() == job
    table = jobs(sandbox, capsys, "get", FAILED_JOB, "-o", "table")
    assert "Tag requested-by  demo" in table.out and "Error " in table.out


def test_get_a_missing_job_exits_5(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    run = jobs(sandbox, capsys, "get", "live-sports/football-main/cmaf-main/nope")
    assert run.code == 5 and "ResourceNotFoundException" in run.err


# -- watch ---------------------------------------------------------------------------


def queued(sandbox: Sandbox, name: str, bucket: str = "acme-media-archive") -> JobRec:
    """A fresh job, QUEUED now on the sandbox's (frozen) clock."""
    now = sandbox.clock.now()
    return sandbox.store.add_harvest_job(
        *ENDPOINT,
        name,
        start=now - timedelta(hours=1),
        end=now - timedelta(minutes=30),
        bucket=bucket,
        path=f"{name}/",
    )


def add_job(sandbox: Sandbox, name: str, bucket: str = "acme-media-archive") -> str:
    """A fresh QUEUED job; the watcher's polls then move the clock through its life."""
    job = queued(sandbox, name, bucket)
    drive(sandbox, job.starts_at, job.finishes_at)
    return "/".join((*ENDPOINT, name))


WATCH = ("--interval", "0.02", "--max-interval", "0.1")


def test_watch_prints_each_change_until_the_job_completes(
    live: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    path = add_job(live, "will-complete")
    run = jobs(live, capsys, "watch", path, *WATCH, "-o", "table", "--timeout", "30s")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert [line.split()[-1] for line in lines] == ["QUEUED", "IN_PROGRESS", "COMPLETED"]
    job = live.store.harvest_job(*ENDPOINT, "will-complete")
    assert lines[1] == f"{job.starts_at:%Y-%m-%d %H:%M:%S} UTC  {path}  IN_PROGRESS"


def test_watch_exits_1_on_a_failing_job_and_says_why(
    live: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    path = add_job(live, "will-fail", bucket=LEGAL_HOLD_BUCKET)
    run = jobs(live, capsys, "watch", path, *WATCH, "-o", "jsonl", "--timeout", "30s")
    assert run.code == 1, run.err
    events = [json.loads(line) for line in run.out.splitlines()]
    assert [e["Status"] for e in events] == ["QUEUED", "IN_PROGRESS", "FAILED"]
    assert "Access Denied" in events[-1]["ErrorMessage"]


def test_watch_times_out_with_4_and_several_jobs_give_the_worst(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    run = jobs(sandbox, capsys, "watch", QUEUED_JOB, *WATCH, "--timeout", "0.3s", "-o", "table")
    assert run.code == 4
    assert "still QUEUED" in run.err and run.out.split()[-1] == "QUEUED"
    done = "live-sports/motorsport/cmaf-main/grand-prix-replay"
    cancelled = "events-popup/keynote-live/cmaf-main/keynote-rehearsal"
    assert jobs(sandbox, capsys, "watch", done, cancelled, *WATCH).code == 3
    assert jobs(sandbox, capsys, "watch", done, FAILED_JOB, cancelled, *WATCH).code == 1
    run = jobs(sandbox, capsys, "watch", done, QUEUED_JOB, *WATCH, "--timeout", "0.2s")
    assert run.code == 4
    missing = "live-sports/football-main/cmaf-main/nope"
    run = jobs(sandbox, capsys, "watch", missing, QUEUED_JOB, *WATCH, "--timeout", "0.2s")
    assert run.code == 5 and "ResourceNotFoundException" in run.err


# -- create --------------------------------------------------------------------------


def test_create_checks_then_creates_and_waits(
    live: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/".join((*ENDPOINT, "from-cli"))
    args = ("create", path, "--start", "-1h", "--end", "-30m", "--bucket", "acme-media-archive")
    run = jobs(live, capsys, *args, "--tag", "team=home", "-o", "json")
    assert run.code == 0, run.err
    job = run.json()
    assert job["HarvestJobName"] == "from-cli" and job["Status"] == "QUEUED"
    assert job["HarvestedManifests"] == {
        "HlsManifests": [{"ManifestName": "index"}],
        "LowLatencyHlsManifests": [{"ManifestName": "low-latency"}],
        "DashManifests": [{"ManifestName": "index"}],
    }
    assert live.store.harvest_job(*ENDPOINT, "from-cli").tags == {"team": "home"}
    again = path.replace("from-cli", "from-cli-2")
    drive(live, live.clock.now() + timedelta(hours=1))
    run = jobs(live, capsys, "create", again, *args[2:], "--wait", *WATCH, "--timeout", "30s")
    assert run.code == 0, run.err
    assert json.loads(run.out.splitlines()[-1])["Status"] == "COMPLETED"  # piped: JSON lines


def test_create_with_a_taken_name_says_to_choose_another(
    live: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/".join((*ENDPOINT, "ux-cli-1"))
    args = ("create", path, "--start", "-1h", "--end", "-30m", "--bucket", "acme-media-archive")
    assert jobs(live, capsys, *args).code == 0
    again = jobs(live, capsys, *args)
    assert again.code == 5  # the service refused it: an AWS error
    assert again.err.startswith("harvest-tui: ConflictException (RESOURCE_ALREADY_EXISTS): ")
    assert again.err.endswith("; the name is taken; choose another name\n"), again.err
    assert "read it again" not in again.err and again.err.count("\n") == 1


def test_create_refuses_before_sending(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox.reset_requests()
    path = "/".join((*ENDPOINT, "bad"))
    run = jobs(
        sandbox, capsys, "create", path, "--start", "+1h", "--end", "-30h",
        "--bucket", "Bad_Bucket", "--manifest", "hls:nope", "--tag", "aws:x=1",
    )  # fmt: skip
    assert run.code == 2
    for flag in ("--start", "--end", "--bucket", "--manifest", "--tag"):
        assert f"harvest-tui: {flag}: " in run.err, run.err
    assert "CreateHarvestJob" not in sandbox.request_counts
    assert sandbox.request_counts["GetOriginEndpoint"] == 1


def test_create_dry_run_prints_the_aws_cli_command(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    path = "/".join((*ENDPOINT, "dry"))
    start = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = jobs(
        sandbox, capsys, "create", path, "--start", start, "--end", "-30m",
        "--bucket", "acme-media-archive", "--manifest", "dash:index", "--dry-run",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert run.out.startswith("aws mediapackagev2 create-harvest-job --channel-group-name live")
    assert '\'{"DashManifests":[{"ManifestName":"index"}]}\'' in run.out
    assert "CreateHarvestJob" not in sandbox.request_counts


# -- cancel --------------------------------------------------------------------------


def test_cancel_sends_the_etag_and_a_stale_one_exits_5(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = jobs(sandbox, capsys, "cancel", QUEUED_JOB, "--etag", "stale-etag", "--yes")
    assert stale.code == 5
    assert "ConflictException" in stale.err and "stale" in stale.err
    assert jobs(sandbox, capsys, "get", QUEUED_JOB, "-o", "json").json()["Status"] == "QUEUED"
    done = jobs(sandbox, capsys, "cancel", QUEUED_JOB, "--yes", "-o", "json")
    assert done.code == 0, done.err
    assert done.json()["Status"] == "CANCELLED"
    cancels = [params for op, params in sandbox.requests if op == "CancelHarvestJob"]
    assert cancels[-1]["ETag"] and cancels[-1]["ETag"] != "stale-etag"
    again = jobs(sandbox, capsys, "cancel", QUEUED_JOB, "--yes")
    assert again.code == 5 and "only QUEUED and IN_PROGRESS" in again.err


def test_read_only_profiles_refuse_to_cancel(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        textwrap.dedent(
            f"""
            [profiles.prod]
            endpoint_url = "{sandbox.endpoint_url}"
            regions = ["us-east-1"]
            read_only = true
            """
        )
    )
    sandbox.reset_requests()
    code = main(
        ["jobs", "cancel", QUEUED_JOB, "--yes", "--config", str(config), "--profile", "prod"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err
    assert not sandbox.request_counts


def test_jobs_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["jobs"], *(["jobs", a] for a in ("list", "get", "watch", "create", "cancel"))):
        with pytest.raises(SystemExit) as exit_info:
            main([*args, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "examples:\n  harvest-tui jobs " in out, args


def test_no_textual_is_imported(sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from harvest_tui import commands; from harvest_tui.commands import run, "
        "watch; print('textual' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_terminal_is_asked_before_a_cancel(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    run = jobs(sandbox, capsys, "cancel", QUEUED_JOB)
    assert run.code == 1
    prompt = (  # then the answer typed, its Enter, and the outcome on a line of its own
        "Cancel harvest job live-sports/football-main/cmaf-main/cup-final-highlights (QUEUED) "
        f"in account {ACCOUNT_ID}, region us-east-1? [y/N] "
    )
    assert run.err == prompt + "harvest-tui: not cancelled\n"
    assert "CancelHarvestJob" not in sandbox.request_counts
    monkeypatch.setattr("sys.stdin", Terminal("y\n"))
    assert jobs(sandbox, capsys, "cancel", QUEUED_JOB, "-o", "table").code == 0
    assert sandbox.request_counts["CancelHarvestJob"] == 1


@pytest.mark.parametrize("stdin", ["a pipe", "closed"])
def test_off_a_terminal_a_cancel_without_yes_refuses_and_sends_nothing(
    sandbox: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str,
) -> None:
    """cron or CI with a forgotten --yes: nobody can answer, so nothing is cancelled."""
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n") if stdin == "a pipe" else None)
    sandbox.reset_requests()
    run = jobs(sandbox, capsys, "cancel", QUEUED_JOB)
    assert run.code == 2
    assert run.err == (
        f"harvest-tui: not cancelling {QUEUED_JOB}: not on a terminal to ask; "
        "pass --yes to cancel without asking\n"
    )
    assert not sandbox.request_counts
    assert sandbox.store.harvest_job(*QUEUED_JOB.split("/")).cancelled_at is None
    assert jobs(sandbox, capsys, "cancel", QUEUED_JOB, "--yes").code == 0


def test_several_profiles_are_listed_side_by_side(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    profile = f'endpoint_url = "{sandbox.endpoint_url}"\nregions = ["us-east-1"]\n'
    config.write_text(f"[profiles.blue]\n{profile}\n[profiles.green]\n{profile}")
    argv = ["jobs", "list", "events-popup", "--config", str(config), "-o", "csv"]
    code = main([*argv, "--profile", "blue", "--profile", "green"])
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 0
    per_profile = {p: [r["Arn"] for r in rows if r["Profile"] == p] for p in ("blue", "green")}
    assert per_profile["blue"] == per_profile["green"] and per_profile["blue"]
    assert {r["Region"] for r in rows} == {"us-east-1"}


def test_the_common_flags_may_come_between_jobs_and_the_action(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """README (Scripting): the connection flags go before or after `jobs`, --output with
    them. Given in two places, the last wins, as it does before and after `jobs`."""
    url = sandbox.endpoint_url
    every = api_items(sandbox, GROUP)
    argv = ["jobs", "--endpoint-url", url, "--region", "us-east-1", "--output", "json"]
    assert main([*argv, "list", GROUP]) == 0
    assert json.loads(capsys.readouterr().out)["Items"] == every

    config = tmp_path / "config.toml"
    config.write_text(f'[profiles.blue]\nendpoint_url = "{url}"\nregions = ["us-east-1"]\n')
    argv = ["jobs", "--config", str(config), "--profile", "blue", "-o", "csv"]
    assert main([*argv, "list", GROUP]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["Arn"] for r in rows] == [i["Arn"] for i in every]

    # eu-west-1 has no such group: listing it too would exit 5.
    before = ["-o", "csv", "--region", "eu-west-1", "--endpoint-url", "http://x.invalid"]
    after = ["--endpoint-url", url, "--region", "us-east-1", "-o", "json"]
    assert main(["jobs", *before, "list", GROUP, *after]) == 0
    assert json.loads(capsys.readouterr().out)["Items"] == every


def _watch_one(
    sandbox: Sandbox, name: str, sleep: Callable[[float], None], now: list[float], **flags: Any
) -> int:
    from harvest_tui.commands.targets import JobRef, Target
    from harvest_tui.commands.watch import watch_jobs
    from harvest_tui.config import Settings

    args = argparse.Namespace(**({"interval": None, "max_interval": None, "timeout": None,
                                  "output": "jsonl"} | flags))  # fmt: skip
    connection = Connection(region="us-east-1", endpoint_url=sandbox.endpoint_url)
    target = Target("test", "us-east-1", connection)
    ref = JobRef(*ENDPOINT, name)
    return watch_jobs([(ref, target)], args, Settings(), clock=lambda: now[0], sleep=sleep)


def test_watch_backs_off_by_half_each_quiet_poll_and_resets_on_a_change(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    job = queued(sandbox, "slow")
    clock = sandbox.clock
    assert isinstance(clock, FrozenClock)
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:  # no real waiting: the sandbox's time moves instead
        slept.append(round(seconds, 4))
        now[0] += seconds
        if len(slept) == 5:
            clock.set(job.starts_at)
        if len(slept) == 8:
            clock.set(job.finishes_at)

    code = _watch_one(sandbox, "slow", sleep, now, interval=2.0, max_interval=5.0)
    assert code == 0
    assert slept == [2.0, 3.0, 4.5, 5.0, 5.0, 2.0, 3.0, 4.5]
    statuses = [json.loads(line)["Status"] for line in capsys.readouterr().out.splitlines()]
    assert statuses == ["QUEUED", "IN_PROGRESS", "COMPLETED"]


def test_watch_takes_a_last_look_at_the_deadline(
    sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    job = queued(sandbox, "late")
    clock = sandbox.clock
    assert isinstance(clock, FrozenClock)
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        clock.set(job.finishes_at)

    assert _watch_one(sandbox, "late", sleep, now, interval=10.0, timeout="4s") == 0
    assert now[0] == 4.0  # polled at 0 (QUEUED), then at the deadline, not at 10
    now[0] = 0.0
    clock.set(DEMO_NOW)
    queued(sandbox, "later")

    def wait(seconds: float) -> None:
        now[0] += seconds

    assert _watch_one(sandbox, "later", wait, now, interval=1.0, timeout="4s") == 4
    assert now[0] == 4.0
    assert "later: still QUEUED when --timeout 4s passed" in capsys.readouterr().err
