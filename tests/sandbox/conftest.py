"""Fixtures: a sandbox on a frozen clock, and real boto3 clients talking HTTP to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sandbox_helpers import boto3_client

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox


@pytest.fixture(autouse=True)
def _no_aws_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's AWS config and credentials out of every test."""
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEMO_NOW)


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[Sandbox]:
    with Sandbox(seed=7, clock=clock) as running:
        yield running
        assert running.internal_errors == [], running.internal_errors[0]


@pytest.fixture
def mp(sandbox: Sandbox) -> Any:
    """boto3 mediapackagev2 client, retries off, botocore's own validation on."""
    return boto3_client(sandbox)


@pytest.fixture
def raw(sandbox: Sandbox) -> Any:
    """A client that leaves validation to the server (botocore checks only some)."""
    return boto3_client(sandbox, parameter_validation=False)
