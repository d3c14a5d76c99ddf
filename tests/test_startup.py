"""Startup: what the first frame does not pay for, and the opt-in bench instrumentation."""

from __future__ import annotations

import contextlib
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pilotkit import freeze_heap

from harvest_tui import cli
from harvest_tui.ui.app import end_startup_gc


def run_python(code: str, **env: str) -> str:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HARVEST_TUI_BENCH")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**full, **env}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_app_command_line_does_not_import_the_sandbox() -> None:
    code = (
        "import sys; from harvest_tui.cli import build_parser; "
        "build_parser(['--region', 'us-east-1']); "
        "print('harvest_tui.sandbox' in sys.modules)"
    )
    assert run_python(code) == "False"


def test_the_app_module_does_not_import_the_timeline_or_boto3() -> None:
    """Neither is needed for the first frame: the timeline is laid out when a job is
    shown, and boto3 lives in the service worker."""
    code = (
        "import sys, harvest_tui.ui.app; "
        "print([m for m in ('harvest_tui.timeline', 'boto3', 'botocore') if m in sys.modules])"
    )
    assert run_python(code) == "[]"


def test_the_sandbox_command_still_has_its_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["sandbox", "--help"])
    assert info.value.code == 0
    assert "--debug-routes" in capsys.readouterr().out
    assert gc.isenabled()


def test_commands_other_than_the_app_collect_garbage_as_usual(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["config", "path"]) == 0
    assert gc.isenabled()
    assert capsys.readouterr().out.strip()


def test_the_startup_pause_of_the_collector_ends() -> None:
    frozen = gc.get_freeze_count()  # what this test process froze itself (conftest)
    gc.disable()
    try:
        end_startup_gc()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.enable()
    end_startup_gc()  # with the collector on (tests, embedding): nothing to do
    assert gc.isenabled() and gc.get_freeze_count() == 0
    freeze_heap()  # as conftest left it


def test_bench_events_only_when_asked(tmp_path: Path) -> None:
    code = (
        "from harvest_tui.ui import bench; "
        "bench.stamp('first_frame'); bench.on_next_frame('x'); print(bench.ENABLED)"
    )
    assert run_python(code) == "False"
    out = tmp_path / "events.jsonl"
    assert run_python(code, HARVEST_TUI_BENCH=str(out)) == "True"
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["event"] for e in events] == ["first_frame"]
    assert isinstance(events[0]["t"], int)


def test_the_service_worker_starts_before_the_app_imports_its_modules() -> None:
    """Its ~0.2 s of importing botocore runs beside the UI's start-up only if it starts
    first: before the deep link parser, the models, the config or Textual are imported."""
    code = (
        "import sys\n"
        "import harvest_tui.worker.spawn as spawn\n"
        "def first():\n"
        "    heavy = ('harvest_tui.deep_link', 'harvest_tui.models', 'harvest_tui.config',"
        " 'textual')\n"
        "    print([m for m in heavy if m in sys.modules])\n"
        "    raise SystemExit(0)\n"
        "spawn.spawn = first\n"
        "from harvest_tui import cli\n"
        "cli.main(['--region', 'us-east-1', 'live-sports/football-main'])\n"
    )
    assert run_python(code) == "[]"


@pytest.mark.parametrize(
    "argv", [["config", "path"], ["--help"], ["--version"], ["jobs", "--help"]]
)
def test_only_the_app_starts_the_service_worker(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import harvest_tui.worker.spawn as spawn

    started: list[bool] = []
    monkeypatch.setattr(spawn, "spawn", lambda: started.append(True))
    expect_exit = pytest.raises(SystemExit) if "config" not in argv else contextlib.nullcontext()
    with expect_exit:
        cli.main(argv)
    assert started == []
    assert capsys.readouterr().out.strip()


def test_a_flag_value_named_like_a_command_still_gets_the_service_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`--profile jobs` is the app, not the jobs command: the worker starts, only later."""
    import harvest_tui.worker.client as client
    import harvest_tui.worker.spawn as spawn

    class Started(Exception):
        pass

    def started() -> None:
        raise Started

    monkeypatch.setattr(
        spawn, "spawn", lambda: pytest.fail("started before the command line was read")
    )
    monkeypatch.setattr(client, "spawn", started)
    with pytest.raises(Started):
        cli.main(["--profile", "jobs", "--region", "us-east-1"])


def test_the_service_builds_its_client_without_importing_boto3() -> None:
    """boto3's Session would import s3transfer too (~25 ms before the worker's first
    call): the client is botocore's, made as boto3 makes it, with the profile's keys."""
    code = (
        "import sys\n"
        "from harvest_tui.service import Connection, MediaPackageService\n"
        "c = Connection(region='eu-west-1', endpoint_url='http://127.0.0.1:9',"
        " static_credentials=('AKIDSANDBOX', 'secret'))\n"
        "client = MediaPackageService(c).connect()\n"
        "creds = client._request_signer._credentials\n"
        "print(client.meta.region_name, creds.access_key, client.meta.service_model"
        ".service_name, [m for m in ('boto3', 's3transfer') if m in sys.modules])\n"
    )
    assert run_python(code) == "eu-west-1 AKIDSANDBOX mediapackagev2 []"


@pytest.mark.parametrize("argv", [["--no-such-flag"], ["no/such/deep/link/at/all"]])
def test_a_command_line_that_fails_ends_the_worker_it_started(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The worker starts before the command line is checked; a line that fails the check
    (exit 2, one line on stderr) ends it there and then, not once it has imported botocore."""
    import harvest_tui.worker.spawn as spawn

    real, started = spawn.spawn, []

    def recorded() -> object:
        started.append(real())
        return started[-1]

    monkeypatch.setattr(spawn, "spawn", recorded)
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "harvest-tui" in capsys.readouterr().err
    (proc,) = started
    assert proc is not None and proc.poll() is not None  # ended (killed), and reaped
