"""Helpers shared by the sandbox tests (fixtures live in conftest.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from harvest_tui.sandbox import DEMO_NOW, Sandbox

JOB = ("live-sports", "football-main", "cmaf-main")


def boto3_client(sandbox: Sandbox, **config: Any) -> Any:
    """A real boto3 client for the sandbox: dummy keys, retries off unless overridden."""
    return boto3.client(
        "mediapackagev2",
        endpoint_url=sandbox.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="sandbox",
        aws_secret_access_key="sandbox",
        config=Config(**{"retries": {"mode": "standard", "total_max_attempts": 1}, **config}),
    )


def window(minutes_ago: float = 70, minutes: float = 60) -> dict[str, datetime]:
    end = DEMO_NOW - timedelta(minutes=minutes_ago - minutes)
    return {"StartTime": end - timedelta(minutes=minutes), "EndTime": end}


def create_args(**overrides: Any) -> dict[str, Any]:
    """A valid CreateHarvestJob request on live-sports/football-main/cmaf-main."""
    args: dict[str, Any] = {
        "ChannelGroupName": JOB[0],
        "ChannelName": JOB[1],
        "OriginEndpointName": JOB[2],
        "HarvestedManifests": {"HlsManifests": [{"ManifestName": "index"}]},
        "ScheduleConfiguration": window(),
        "Destination": {
            "S3Destination": {"BucketName": "acme-media-archive", "DestinationPath": "t/"}
        },
    }
    args.update(overrides)
    return args


def error_of(call: Callable[..., Any], **kwargs: Any) -> dict[str, Any]:
    """The ClientError response that `call(**kwargs)` raises."""
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response


@contextmanager
def standalone(*flags: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`python -m harvest_tui.sandbox --port 0 FLAGS` in a subprocess: (url, process)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "harvest_tui.sandbox", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (url, proc.stderr and proc.stderr.read())
        yield url, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
