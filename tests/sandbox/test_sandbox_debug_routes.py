"""The opt-in debug routes (request counts for the benchmarks), kept apart from the API."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox
from harvest_tui.sandbox.cli import add_arguments


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_counts_and_reset_are_not_counted_as_requests() -> None:
    with Sandbox(clock=FrozenClock(DEMO_NOW), debug_routes=True) as sandbox:
        mp = sandbox.client()
        mp.list_channel_groups()
        mp.list_channels(ChannelGroupName="live-sports")
        mp.list_channels(ChannelGroupName="news-24x7")
        status, body = fetch(f"{sandbox.endpoint_url}/__sandbox/requests")
        assert status == 200
        assert body == {"counts": {"ListChannelGroups": 1, "ListChannels": 2}, "total": 3}
        status, body = fetch(f"{sandbox.endpoint_url}/__sandbox/reset", "POST")
        assert (status, body["total"]) == (200, 3)  # the counts before the reset
        assert fetch(f"{sandbox.endpoint_url}/__sandbox/requests")[1]["total"] == 0
        assert sandbox.request_counts == {}
        assert fetch(f"{sandbox.endpoint_url}/__sandbox/nothing")[0] == 404


def test_off_by_default_they_are_unknown_operations() -> None:
    with Sandbox(clock=FrozenClock(DEMO_NOW)) as sandbox:
        status, body = fetch(f"{sandbox.endpoint_url}/__sandbox/requests")
        assert status == 404
        assert "No MediaPackage v2 operation" in body["Message"]
        assert sandbox.request_counts["UnknownOperation"] == 1


@pytest.mark.parametrize(
    ("host", "allowed"), [("127.0.0.1", True), ("::1", True), ("10.0.0.5", False)]
)
def test_loopback_clients_only(host: str, allowed: bool) -> None:
    sandbox = Sandbox(clock=FrozenClock(DEMO_NOW), debug_routes=True)
    status, _, _ = sandbox.debug("GET", "/__sandbox/requests", host)
    assert (status == 200) is allowed


def test_the_standalone_flag() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert parser.parse_args([]).debug_routes is False
    assert parser.parse_args(["--debug-routes"]).debug_routes is True
