"""The standalone command: flags, the URL on the first line, a quiet Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import standalone

from harvest_tui.sandbox import FrozenClock, ScaledClock, SystemClock
from harvest_tui.sandbox.cli import add_arguments, make_clock


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="harvest-tui sandbox")
    add_arguments(parser)
    return parser.parse_args(argv)


def test_defaults() -> None:
    args = parse()
    assert (args.port, args.seed, args.jobs, args.deny_group) == (0, 7, None, [])
    assert isinstance(make_clock(args.frozen_at, args.speed), SystemClock)


def test_clock_flags() -> None:
    args = parse("--frozen-at", "2026-11-02T14:30:00Z", "--deny-group", "a", "--deny-group", "b")
    clock = make_clock(args.frozen_at, args.speed)
    assert isinstance(clock, FrozenClock)
    assert clock.now() == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    assert args.deny_group == ["a", "b"]
    args = parse("--frozen-at", "2026-11-02T14:30:00", "--speed", "60")
    scaled = make_clock(args.frozen_at, args.speed)
    assert isinstance(scaled, ScaledClock) and scaled.speed == 60
    assert scaled.now() >= datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--throttle-rate", "1.5"], "between 0 and 1"),
        (["--error-rate", "lots"], "not a number"),
        (["--speed", "0"], "greater than 0"),
        (["--speed", "1e15"], "at most"),
        (["--speed", "nan"], "finite"),
        (["--speed", "inf"], "finite"),
        (["--latency-ms", "inf"], "finite"),
        (["--frozen-at", "9999-12-31T23:59:59Z"], "between"),
        (["--frozen-at", "0001-01-01T00:00:00Z"], "between"),
        (["--latency-ms", "-5"], "negative"),
        (["--port", "70000"], "65535"),
        (["--frozen-at", "yesterday"], "ISO-8601"),
        (["--jobs", "0"], "at least 1"),
    ],
)
def test_bad_values_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], words: str) -> None:
    with pytest.raises(SystemExit) as info:
        parse(*argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert len(err.strip().splitlines()[-1]) < 200  # one line of error after the usage


def client(url: str):
    return boto3.client(
        "mediapackagev2",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
    )


def test_standalone_serves_until_ctrl_c() -> None:
    with standalone("--frozen-at", "2026-11-02T14:30:00Z", "--deny-group", "news-24x7") as (
        url,
        proc,
    ):
        mp = client(url)
        names = [g["ChannelGroupName"] for g in mp.list_channel_groups()["Items"]]
        assert names == ["events-popup", "live-sports", "news-24x7"]
        with pytest.raises(ClientError, match="AccessDenied"):
            mp.list_channels(ChannelGroupName="news-24x7")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert proc.stdout is not None and proc.stderr is not None
        assert "aws mediapackagev2" in proc.stdout.read()
        assert "Traceback" not in proc.stderr.read()


def test_standalone_scale_data() -> None:
    with standalone("--jobs", "250", "--groups", "2", "--endpoints", "3") as (url, _):
        mp = client(url)
        names = [g["ChannelGroupName"] for g in mp.list_channel_groups()["Items"]]
        assert names == ["scale-group-01", "scale-group-02"]
        paginator = mp.get_paginator("list_harvest_jobs")
        total = sum(
            len(page["Items"])
            for name in names
            for page in paginator.paginate(ChannelGroupName=name)
        )
        assert total == 250


def test_the_command_module_is_light() -> None:
    """`harvest-tui --help` imports sandbox.cli: botocore's model must load only on use."""
    code = "import sys, harvest_tui.sandbox.cli; print('botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    import harvest_tui.sandbox as package

    assert all(getattr(package, name) is not None for name in package.__all__)
