"""What a shared endpoint meets: many clients at once, malformed framing, hostile input."""

from __future__ import annotations

import http.client
import json
import socket
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from sandbox_helpers import JOB, create_args, error_of

from harvest_tui.sandbox import Sandbox, ScaledClock, server
from harvest_tui.sandbox.clock import END_OF_TIME, LATEST, MAX_SPEED
from harvest_tui.sandbox.pagination import Tokens

CREATE_PATH = f"/channelGroup/{JOB[0]}/channel/{JOB[1]}/originEndpoint/{JOB[2]}/harvestJob"


def _address(sandbox: Sandbox) -> tuple[str, int]:
    url = urlsplit(sandbox.endpoint_url)
    assert url.hostname and url.port
    return url.hostname, url.port


def exchange(sandbox: Sandbox, raw: bytes) -> tuple[int, dict[str, str], Any]:
    """Send raw bytes on a new connection; (status, headers, JSON body) of the answer."""
    with socket.create_connection(_address(sandbox), timeout=10) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, dict(response.getheaders()), json.loads(body)


def request_bytes(method: str, path: str, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: sandbox"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_500_concurrent_connections_are_all_answered(sandbox: Sandbox) -> None:
    count = 500
    socks: list[socket.socket] = []
    try:
        began = time.monotonic()
        for _ in range(count):  # all open at once, before any is answered
            socks.append(socket.create_connection(_address(sandbox), timeout=20))
        for sock in socks:
            sock.sendall(request_bytes("GET", "/channelGroup?maxResults=1"))
        statuses = []
        for sock in socks:
            response = http.client.HTTPResponse(sock)
            response.begin()
            response.read()
            statuses.append(response.status)
        assert statuses == [200] * count
        assert time.monotonic() - began < 60
    finally:
        for sock in socks:
            sock.close()
    assert sandbox.request_counts["ListChannelGroups"] == count


def test_deeply_nested_json_is_a_client_error(sandbox: Sandbox) -> None:
    depth = 100_000
    body = b"[" * depth + b"]" * depth
    status, headers, payload = exchange(
        sandbox, request_bytes("POST", CREATE_PATH, body, Content_Length=str(len(body)))
    )
    assert status == 400 and headers["x-amzn-ErrorType"] == "SerializationException"
    assert "nested" in payload["Message"]


@pytest.mark.parametrize("length", ["-5", "abc", str(10**13), "5, 6", "+5"])
def test_bad_content_length_gets_a_json_400(sandbox: Sandbox, length: str) -> None:
    raw = request_bytes("POST", CREATE_PATH, b"{}", Content_Length=length)
    status, headers, payload = exchange(sandbox, raw)
    assert status == 400 and headers["x-amzn-ErrorType"] == "SerializationException"
    assert headers["Connection"] == "close" and payload["Message"]


def _chunked(body: bytes, size: int = 7) -> bytes:
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    encoded = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(c), c) for c in chunks)
    return encoded + b"0\r\nX-Trailer: ignored\r\n\r\n"


def test_chunked_body_is_read(sandbox: Sandbox) -> None:
    args = create_args(HarvestJobName="chunked")
    body = json.dumps(
        {
            "HarvestJobName": "chunked",
            "HarvestedManifests": args["HarvestedManifests"],
            "ScheduleConfiguration": {
                k: v.timestamp() for k, v in args["ScheduleConfiguration"].items()
            },
            "Destination": args["Destination"],
        }
    ).encode()
    raw = request_bytes("POST", CREATE_PATH, _chunked(body), Transfer_Encoding="chunked")
    status, _, payload = exchange(sandbox, raw)
    assert status == 200, payload
    assert payload["HarvestJobName"] == "chunked"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Transfer_Encoding": "chunked"}, b"zz\r\n{}\r\n0\r\n\r\n"),
        ({"Transfer_Encoding": "gzip, chunked"}, b"0\r\n\r\n"),
        ({"Transfer_Encoding": "chunked", "Content_Length": "5"}, b"0\r\n\r\n"),
        ({"Transfer_Encoding": "chunked"}, b"%x\r\n" % (server.MAX_BODY_BYTES + 1)),
    ],
    ids=["bad-size", "other-coding", "both-framings", "too-large"],
)
def test_bad_chunked_bodies_are_refused(sandbox: Sandbox, headers: dict, body: bytes) -> None:
    status, response_headers, _ = exchange(
        sandbox, request_bytes("POST", CREATE_PATH, body, **headers)
    )
    assert status == 400 and response_headers["x-amzn-ErrorType"] == "SerializationException"


@pytest.mark.parametrize("value", ["5_0", "%205", "%D9%A5", "0x5", "5.0", "99999999999"])
def test_integers_are_ascii_digits_only(sandbox: Sandbox, value: str) -> None:
    status, headers, payload = exchange(
        sandbox, request_bytes("GET", f"/channelGroup?maxResults={value}")
    )
    assert status == 400 and headers["x-amzn-ErrorType"] == "SerializationException"
    assert "maxResults" in payload["Message"]


def test_forged_next_tokens_are_invalid(mp) -> None:
    tokens = Tokens(b"harvest-tui-sandbox-7")  # the seed's secret is no secret
    forged = {
        "ListChannelGroups": tokens.encode("ListChannelGroups", [1, 2]),
        "ListHarvestJobs": tokens.encode(f"ListHarvestJobs|{JOB[0]}|None|None|None", "name"),
    }
    response = error_of(mp.list_channel_groups, NextToken=forged["ListChannelGroups"])
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ValidationExceptionType"] == "INVALID_PAGINATION_TOKEN"
    assert "Invalid nextToken" in response["Error"]["Message"]
    response = error_of(
        mp.list_harvest_jobs, ChannelGroupName=JOB[0], NextToken=forged["ListHarvestJobs"]
    )
    assert response["ValidationExceptionType"] == "INVALID_PAGINATION_TOKEN"
    weird = tokens.encode("ListChannelGroups", {"k": 1})
    response = error_of(mp.list_channel_groups, NextToken=weird)
    assert response["ValidationExceptionType"] == "INVALID_PAGINATION_TOKEN"


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "FOO", "CONNECT"])
def test_any_method_gets_a_json_error(sandbox: Sandbox, method: str) -> None:
    status, headers, payload = exchange(sandbox, request_bytes(method, "/channelGroup"))
    assert status == 404 and headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert headers["Content-Type"] == "application/json"
    assert method in payload["Message"]


def test_a_malformed_request_line_gets_a_json_error(sandbox: Sandbox) -> None:
    status, headers, payload = exchange(sandbox, b"GARBAGE\r\n\r\n")
    assert status == 400 and headers["Content-Type"] == "application/json"
    assert payload["Message"]


def test_rejected_requests_are_not_kept(sandbox: Sandbox, raw) -> None:
    big = "x" * 500_000
    for _ in range(3):
        error_of(raw.create_harvest_job, **create_args(Description=big))
    assert sandbox.request_counts["CreateHarvestJob"] == 3
    assert sandbox.requests == []
    raw.list_harvest_jobs(ChannelGroupName=JOB[0], ChannelName=JOB[1])
    assert sandbox.requests == [
        ("ListHarvestJobs", {"ChannelGroupName": JOB[0], "ChannelName": JOB[1]})
    ]


def test_only_small_scalar_params_are_logged(sandbox: Sandbox, mp) -> None:
    mp.create_harvest_job(**create_args(HarvestJobName="logged", Description="d" * 1000))
    ((operation, params),) = sandbox.requests
    assert operation == "CreateHarvestJob"
    assert params["HarvestJobName"] == "logged" and params["ClientToken"]
    assert "Description" not in params and "Destination" not in params


def test_request_log_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "REQUEST_LOG_SIZE", 5)
    with Sandbox(data="empty") as sb:
        mp = sb.client()
        for n in range(1, 9):
            mp.list_channel_groups(MaxResults=n)
        assert [p["MaxResults"] for _, p in sb.requests] == [4, 5, 6, 7, 8]
        assert sb.request_counts["ListChannelGroups"] == 8


def test_scaled_clock_stops_at_the_end_of_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = ScaledClock(MAX_SPEED, start=LATEST)
    real = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: real + 10**9)
    assert clock.now() == END_OF_TIME
    for bad in (0, -1, float("nan"), float("inf"), MAX_SPEED * 10):
        with pytest.raises(ValueError, match="speed"):
            ScaledClock(bad)
    with pytest.raises(ValueError, match="between"):
        ScaledClock(2, start=datetime(9999, 12, 31, tzinfo=UTC))
