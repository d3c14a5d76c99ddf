"""The real AWS CLI against a standalone sandbox process.

Finds `aws` via $HARVEST_TUI_AWS_CLI or PATH and skips when there is none. Every
one of the model's 30 operations is run through the CLI at least once
(test_every_operation_through_the_cli checks it with the sandbox's request counts).
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cli_kit import find_aws, interpreter
from sandbox_helpers import standalone

from harvest_tui.sandbox.model import service_model

pytestmark = pytest.mark.awscli

FROZEN_AT = "2026-11-02T14:30:00Z"
JOB = [
    "--channel-group-name",
    "live-sports",
    "--channel-name",
    "football-main",
    "--origin-endpoint-name",
    "cmaf-main",
]
CREATE = [
    "--harvested-manifests",
    "HlsManifests=[{ManifestName=index}]",
    "--schedule-configuration",
    "StartTime=2026-11-02T12:00:00Z,EndTime=2026-11-02T13:00:00Z",
    "--destination",
    "S3Destination={BucketName=acme-media-archive,DestinationPath=cli/}",
]


AWS = find_aws()


SESSION = str(Path(__file__).with_name("aws_session.py"))


class Cli:
    """Runs `aws mediapackagev2 ...` against a sandbox. With the Python CLI, the commands
    go to one process that runs the CLI's own entry point for each (aws_session.py), so
    the suite does not pay the CLI's start-up per command; `process=True` runs the real
    `aws` executable instead."""

    def __init__(self, url: str) -> None:
        assert AWS is not None
        self.url = url
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        self.env.update(
            AWS_ACCESS_KEY_ID="sandbox",
            AWS_SECRET_ACCESS_KEY="sandbox",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
            AWS_PAGER="",
        )
        self.session: subprocess.Popen[str] | None = None

    def __enter__(self) -> Cli:
        return self

    def __exit__(self, *_: object) -> None:
        if self.session is not None:
            assert self.session.stdin is not None
            self.session.stdin.close()
            self.session.wait(timeout=30)

    def _session(self) -> subprocess.Popen[str] | None:
        if self.session is None:
            assert AWS is not None
            python = interpreter(AWS)
            if python is None:
                return None
            self.session = subprocess.Popen(
                [python, SESSION],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=self.env,
            )
        return self.session

    def run(self, *args: str, process: bool = False) -> subprocess.CompletedProcess[str]:
        assert AWS is not None
        argv = ["mediapackagev2", *args, "--endpoint-url", self.url, "--output", "json"]
        session = None if process else self._session()
        if session is None:
            command = [AWS, *argv]
            return subprocess.run(
                command, capture_output=True, text=True, env=self.env, timeout=120
            )
        assert session.stdin is not None and session.stdout is not None
        session.stdin.write(json.dumps(argv) + "\n")
        session.stdin.flush()
        result = json.loads(session.stdout.readline())
        return subprocess.CompletedProcess(
            [AWS, *argv], result["rc"], result["stdout"], result["stderr"]
        )

    def json(self, *args: str) -> Any:
        done = self.run(*args)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else {}


@pytest.fixture(scope="module")
def cli() -> Iterator[Cli]:
    if AWS is None:
        pytest.skip("no AWS CLI (set HARVEST_TUI_AWS_CLI or put aws on PATH)")
    with standalone("--frozen-at", FROZEN_AT) as (url, _), Cli(url) as cli:
        yield cli


def test_list_at_every_level(cli: Cli) -> None:
    groups = cli.json("list-channel-groups")["Items"]
    assert [g["ChannelGroupName"] for g in groups] == ["events-popup", "live-sports", "news-24x7"]
    channels = cli.json("list-channels", "--channel-group-name", "live-sports")["Items"]
    assert "football-main" in [c["ChannelName"] for c in channels]
    endpoints = cli.json("list-origin-endpoints", *JOB[:4])["Items"]
    assert len(endpoints) == 4
    everything = cli.json("list-harvest-jobs", "--channel-group-name", "live-sports")["Items"]
    paged = cli.json(
        "list-harvest-jobs", "--channel-group-name", "live-sports", "--page-size", "4"
    )["Items"]
    assert len(everything) > 8 and paged == everything


def test_get_at_every_level(cli: Cli) -> None:
    assert cli.json("get-channel-group", *JOB[:2])["EgressDomain"]
    assert cli.json("get-channel", *JOB[:4])["IngestEndpoints"]
    assert cli.json("get-origin-endpoint", *JOB)["ContainerType"] == "CMAF"
    job = cli.json("get-harvest-job", *JOB, "--harvest-job-name", "cup-final-full-match")
    assert job["Status"] == "IN_PROGRESS"


def test_status_filter(cli: Cli) -> None:
    failed = cli.json(
        "list-harvest-jobs", "--channel-group-name", "live-sports", "--status", "FAILED"
    )["Items"]
    assert failed and {j["Status"] for j in failed} == {"FAILED"}
    assert all(j["ErrorMessage"] for j in failed)


def test_create_then_cancel_with_etag(cli: Cli) -> None:
    created = cli.json("create-harvest-job", *JOB, *CREATE, "--harvest-job-name", "cli-job")
    assert created["Status"] == "QUEUED"
    stale = cli.run(
        "cancel-harvest-job", *JOB, "--harvest-job-name", "cli-job", "--e-tag", "not-the-etag"
    )
    assert stale.returncode != 0 and "ConflictException" in stale.stderr
    done = cli.run(
        "cancel-harvest-job", *JOB, "--harvest-job-name", "cli-job", "--e-tag", created["ETag"]
    )
    assert done.returncode == 0, done.stderr
    job = cli.json("get-harvest-job", *JOB, "--harvest-job-name", "cli-job")
    assert job["Status"] == "CANCELLED"
    again = cli.run("cancel-harvest-job", *JOB, "--harvest-job-name", "cli-job")
    assert again.returncode != 0 and "ValidationException" in again.stderr
    assert "CANCELLED" in again.stderr


def test_errors_for_bad_input(cli: Cli) -> None:
    # Through the `aws` executable itself too, as a user runs it.
    missing = cli.run("get-channel-group", "--channel-group-name", "nope", process=True)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr
    too_many = cli.run(
        "list-harvest-jobs", "--channel-group-name", "live-sports", "--max-results", "500"
    )
    assert too_many.returncode != 0 and "ValidationException" in too_many.stderr
    assert "MaxResults" in too_many.stderr
    duplicate = cli.run(
        "create-harvest-job", *JOB, *CREATE, "--harvest-job-name", "cup-final-full-match"
    )
    assert duplicate.returncode != 0 and "ConflictException" in duplicate.stderr


def test_wait_harvest_job_finished() -> None:
    if AWS is None:
        pytest.skip("no AWS CLI")
    with standalone("--frozen-at", FROZEN_AT, "--speed", "60") as (url, _), Cli(url) as cli:
        created = cli.json("create-harvest-job", *JOB, *CREATE, "--harvest-job-name", "waited")
        assert created["Status"] in ("QUEUED", "IN_PROGRESS")
        waited = cli.run(
            "wait", "harvest-job-finished", *JOB, "--harvest-job-name", "waited", process=True
        )
        assert waited.returncode == 0, waited.stderr
        assert cli.json("get-harvest-job", *JOB, "--harvest-job-name", "waited")["Status"] == (
            "COMPLETED"
        )


def test_every_operation_through_the_cli() -> None:
    """All 30 operations, each through `aws mediapackagev2 ...`, on resources of its own."""
    if AWS is None:
        pytest.skip("no AWS CLI")
    with standalone("--frozen-at", FROZEN_AT, "--debug-routes") as (url, _), Cli(url) as cli:
        g = ["--channel-group-name", "cli-group"]
        c = [*g, "--channel-name", "cli-channel"]
        e = [*c, "--origin-endpoint-name", "cli-endpoint"]
        policy = json.dumps({"Version": "2012-10-17", "Statement": []})
        group = cli.json("create-channel-group", *g, "--description", "made by the CLI")
        cli.json("update-channel-group", *g, "--e-tag", group["ETag"], "--description", "2")
        cli.json("create-channel", *c, "--input-type", "CMAF")
        channel = cli.json("get-channel", *c)
        cli.json("update-channel", *c, "--e-tag", channel["ETag"], "--description", "2")
        cli.json("put-channel-policy", *c, "--policy", policy)
        assert cli.json("get-channel-policy", *c)["Policy"] == policy
        cli.json("delete-channel-policy", *c)
        assert cli.json("reset-channel-state", *c)["ResetAt"]
        endpoint = cli.json(
            "create-origin-endpoint",
            *e,
            "--container-type",
            "CMAF",
            "--startover-window-seconds",
            "86400",
            "--hls-manifests",
            "ManifestName=index",
        )
        cli.json(
            "update-origin-endpoint",
            *e,
            "--container-type",
            "CMAF",
            "--e-tag",
            endpoint["ETag"],
            "--description",
            "2",
        )
        cli.json("put-origin-endpoint-policy", *e, "--policy", policy)
        assert cli.json("get-origin-endpoint-policy", *e)["Policy"] == policy
        cli.json("delete-origin-endpoint-policy", *e)
        assert cli.json("reset-origin-endpoint-state", *e)["ResetAt"]
        cli.json("tag-resource", "--resource-arn", endpoint["Arn"], "--tags", "k=v")
        tags = cli.json("list-tags-for-resource", "--resource-arn", endpoint["Arn"])["Tags"]
        assert tags == {"k": "v"}
        cli.json("untag-resource", "--resource-arn", endpoint["Arn"], "--tag-keys", "k")
        assert cli.json("list-channel-groups")["Items"]
        assert cli.json("get-channel-group", *g)["Description"] == "2"
        assert len(cli.json("list-channels", *g)["Items"]) == 1
        assert len(cli.json("list-origin-endpoints", *c)["Items"]) == 1
        assert cli.json("get-origin-endpoint", *e)["Description"] == "2"
        cli.json("create-harvest-job", *e, *CREATE, "--harvest-job-name", "cli-all")
        assert cli.json("get-harvest-job", *e, "--harvest-job-name", "cli-all")["Status"]
        assert len(cli.json("list-harvest-jobs", *g)["Items"]) == 1
        cli.json("cancel-harvest-job", *e, "--harvest-job-name", "cli-all")
        in_use = cli.run("delete-channel", *c)
        assert in_use.returncode != 0 and "ConflictException" in in_use.stderr
        cli.json("delete-origin-endpoint", *e)
        cli.json("delete-channel", *c)
        cli.json("delete-channel-group", *g)
        with urllib.request.urlopen(f"{url}/__sandbox/requests", timeout=10) as response:
            counts = json.loads(response.read())["counts"]
    assert set(counts) == set(service_model().operation_names)
