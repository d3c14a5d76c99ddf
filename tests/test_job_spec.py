"""job_spec: relative times, durations, and each refusal, before anything is sent."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

import pytest

from harvest_tui.aws_cli import create_harvest_job_command, get_harvest_job_command
from harvest_tui.job_spec import (
    JobSpec,
    SpecInput,
    build_spec,
    default_manifests,
    limits,
    parse_duration,
    parse_manifests,
    parse_tags,
    parse_time,
)
from harvest_tui.models import EndpointManifest, HarvestedManifests, OriginEndpoint

NOW = datetime(2026, 11, 2, 14, 30, 0, 250_000, tzinfo=UTC)
WHOLE = NOW.replace(microsecond=0)
ENDPOINT = OriginEndpoint(
    group_name="live-sports",
    channel_name="football-main",
    name="cmaf-main",
    arn="arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/live-sports/channel/"
    "football-main/originEndpoint/cmaf-main",
    container_type="CMAF",
    manifests=(
        EndpointManifest("HLS", "index"),
        EndpointManifest("LL-HLS", "low-latency"),
        EndpointManifest("DASH", "index"),
    ),
    startover_window_seconds=3 * 3600,
)


def spec_input(**changes: object) -> SpecInput:
    fields: dict[str, object] = {
        "group": "live-sports",
        "channel": "football-main",
        "endpoint": "cmaf-main",
        "name": "second-half",
        "start": "-1h",
        "end": "-30m",
        "bucket": "acme-media-archive",
    }
    fields.update(changes)
    return SpecInput(**fields)  # type: ignore[arg-type]


def errors(**changes: object) -> dict[str, str]:
    result = build_spec(spec_input(**changes), now=NOW, endpoint=ENDPOINT)
    assert result.spec is None
    return result.errors


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", WHOLE),
        ("-1h", WHOLE - timedelta(hours=1)),
        ("-30m", WHOLE - timedelta(minutes=30)),
        ("-2h30m", WHOLE - timedelta(hours=2, minutes=30)),
        ("-90s", WHOLE - timedelta(seconds=90)),
        ("+5m", WHOLE + timedelta(minutes=5)),
        ("-1d", WHOLE - timedelta(days=1)),
        ("2026-11-02T13:00:00Z", datetime(2026, 11, 2, 13, tzinfo=UTC)),
        ("2026-11-02T13:00:00", datetime(2026, 11, 2, 13, tzinfo=UTC)),
        ("2026-11-02T15:00:00+02:00", datetime(2026, 11, 2, 13, tzinfo=UTC)),
    ],
)
def test_times_are_iso_or_relative_to_now(text: str, expected: datetime) -> None:
    assert parse_time(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "-1x", "-h", "1h", "--1h", "-1h junk"])
def test_bad_times_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a|empty"):
        parse_time(text, NOW)


def test_durations() -> None:
    assert parse_duration("2s") == timedelta(seconds=2)
    assert parse_duration("1h30m") == timedelta(minutes=90)
    assert parse_duration("2.5") == timedelta(seconds=2.5)
    assert parse_duration("10min") == timedelta(minutes=10)
    for bad in ("", "soon", "5 parsecs", "-3s"):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_limits_come_from_botocores_model() -> None:
    lim = limits()
    assert lim.source.endswith(("service-2.json", "service-2.json.gz"))
    assert (lim.name_min, lim.name_max, lim.name_pattern) == (1, 256, "[a-zA-Z0-9_-]+")
    assert lim.description_max == 1024


def test_a_good_spec_defaults_to_every_manifest_and_a_path() -> None:
    result = build_spec(spec_input(tags=["team=home"]), now=NOW, endpoint=ENDPOINT)
    assert result.ok and result.errors == {}
    spec = result.spec
    assert spec is not None
    assert spec.manifests == HarvestedManifests(("index",), ("low-latency",), ("index",))
    assert spec.path == "live-sports/football-main/cmaf-main/second-half/"
    assert spec.window == timedelta(minutes=30)
    assert dict(spec.tags) == {"team": "home"}
    assert spec.to_api()["ScheduleConfiguration"] == {
        "StartTime": "2026-11-02T13:30:00Z",
        "EndTime": "2026-11-02T14:00:00Z",
    }


def test_no_name_lets_the_service_generate_one() -> None:
    spec = build_spec(spec_input(name=""), now=NOW, endpoint=ENDPOINT).spec
    assert spec is not None and spec.name is None
    assert "HarvestJobName" not in spec.to_api()


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "bad name!"}, "name", "letters, digits"),
        ({"name": "x" * 257}, "name", "1 to 256"),
        ({"group": "a/b"}, "group", "letters, digits"),
        ({"start": "-30m", "end": "-1h"}, "end", "after the start"),
        ({"start": "-1h", "end": "-1h"}, "end", "after the start"),
        ({"start": "-2h", "end": "+23h"}, "end", "at most 24 h"),
        ({"start": "+1m", "end": "+2m"}, "start", "in the past"),
        ({"start": "-4h", "end": "-3h30m"}, "start", "startover window"),
        ({"start": "whenever"}, "start", "not a time"),
        ({"end": ""}, "end", "give the end"),
        ({"bucket": ""}, "bucket", "give the S3 bucket"),
        ({"bucket": "ab"}, "bucket", "3 to 63"),
        ({"bucket": "Acme-Media"}, "bucket", "lowercase"),
        ({"bucket": "acme..media"}, "bucket", "adjacent periods"),
        ({"bucket": "192.168.1.10"}, "bucket", "IP address"),
        ({"bucket": "xn--acme"}, "bucket", "reserves"),
        ({"bucket": "acme-s3alias"}, "bucket", "reserves"),
        ({"path": "with space/"}, "path", "whitespace"),
        ({"path": "x" * 1025}, "path", "1 to 1024"),
        ({"manifests": ["hls:nope"]}, "manifests", "serves no manifest"),
        ({"manifests": ["mp4:index"]}, "manifests", "unknown manifest type"),
        ({"manifests": ["bad name"]}, "manifests", "letters, digits"),
        ({"description": "d" * 1025}, "description", "at most 1024"),
        ({"tags": ["novalue"]}, "tags", "KEY=VALUE"),
        ({"tags": ["aws:owner=me"]}, "tags", "reserved"),
        ({"tags": ["=v"]}, "tags", "1 to 128"),
        ({"tags": [f"k={'v' * 257}"]}, "tags", "at most 256"),
        ({"tags": ["k=1", "k=2"]}, "tags", "twice"),
        ({"tags": [f"k{i}=v" for i in range(51)]}, "tags", "at most 50"),
    ],
)
def test_each_refusal_names_its_field(changes: dict[str, object], field: str, words: str) -> None:
    found = errors(**changes)
    assert field in found, found
    assert words in found[field]


def test_every_field_is_checked_at_once() -> None:
    found = errors(name="x y", start="+1h", end="+2h", bucket="A", tags=["k"])
    assert set(found) == {"name", "start", "bucket", "tags"}


def test_without_the_endpoint_manifests_must_be_named_and_default_to_hls() -> None:
    assert "manifests" in build_spec(spec_input(), now=NOW).errors
    spec = build_spec(spec_input(manifests=["index", "dash:tv"]), now=NOW).spec
    assert spec is not None
    assert spec.manifests == HarvestedManifests(("index",), (), ("tv",))


def test_manifest_names_pick_every_type_the_endpoint_serves_them_as() -> None:
    manifests, problem = parse_manifests(["index"], ENDPOINT)
    assert problem is None
    assert manifests == HarvestedManifests(("index",), (), ("index",))
    manifests, problem = parse_manifests(["dash:index", "ll-hls:low-latency"], ENDPOINT)
    assert manifests == HarvestedManifests((), ("low-latency",), ("index",))
    assert default_manifests(ENDPOINT).count == 3


def test_tags() -> None:
    assert parse_tags(["a=1", "b=x=y", "c="]) == ({"a": "1", "b": "x=y", "c": ""}, None)


def test_the_aws_cli_commands_are_shell_quoted() -> None:
    spec = JobSpec(
        group="live-sports",
        channel="football-main",
        endpoint="cmaf-main",
        name="it's",
        start=datetime(2026, 11, 2, 13, tzinfo=UTC),
        end=datetime(2026, 11, 2, 14, tzinfo=UTC),
        bucket="acme-media-archive",
        path="a b/",
        manifests=HarvestedManifests(("index",)),
        description="O'Brien; rm -rf /",
        tags={"k": "v w"},
    )
    line = create_harvest_job_command(spec, region="us-east-1", endpoint_url="http://h:1")
    words = shlex.split(line)
    assert words[:3] == ["aws", "mediapackagev2", "create-harvest-job"]
    assert words[words.index("--description") + 1] == "O'Brien; rm -rf /"
    assert words[words.index("--harvest-job-name") + 1] == "it's"
    assert words[words.index("--schedule-configuration") + 1] == (
        '{"StartTime":"2026-11-02T13:00:00Z","EndTime":"2026-11-02T14:00:00Z"}'
    )
    assert words[-4:] == ["--region", "us-east-1", "--endpoint-url", "http://h:1"]
    get = shlex.split(get_harvest_job_command(("g", "c", "e", "j $(x)"), profile="p"))
    assert get[-3:] == ["j $(x)", "--profile", "p"]


def test_job_spec_and_aws_cli_import_neither_textual_nor_boto3() -> None:
    import subprocess
    import sys

    code = (
        "import sys, harvest_tui.job_spec as s, harvest_tui.aws_cli; s.limits(); "
        "print(sorted(m for m in ('textual', 'boto3', 'botocore') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
