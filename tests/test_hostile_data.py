"""Issue 4: data the app did not expect, within the service model's shapes.

Hypothesis generates GetHarvestJob answers as botocore would hand them over: optional
fields missing, empty and 100-item manifest lists, 50 tags, 1,024-character strings of
any Unicode, odd but valid timestamps (start == end, the far past, the far future),
statuses the app does not know. Each is built with HarvestJob.from_api and shown in the
real detail pane and status timeline of one running app; nothing may raise, the app must
keep running, every given field must appear, and no control character may reach the
terminal.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pilotkit import make_app, plain, settle, terminal

from harvest_tui.config import Settings
from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.timeline import Observation, format_instant
from harvest_tui.ui.widgets import detail_pane
from harvest_tui.ui.widgets.status_timeline import StatusTimeline
from harvest_tui.ui.widgets.tree_nodes import NodeData, node_label

QUIET = Settings(poll_interval_seconds=60, poll_max_interval_seconds=120, bell=False)
LEGIT_CSI = re.compile(r"\x1b\[[0-9;]*[mH]")
STATUSES = ("QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED")

# Strings: any Unicode (controls, bidi, markup, wide and combining characters included),
# sometimes at the model's maximum length.
HOSTILE = st.sampled_from(
    ["[@click=app.quit]x[/]", "[/]", "[$accent]", "\x1b]52;c;aGk=\x07", "\x1b[2J", "\u202e"]
)


def text(max_size: int, *, min_size: int = 0) -> st.SearchStrategy[str]:
    small = st.text(min_size=min_size, max_size=min(max_size, 40))
    mixed = st.lists(st.one_of(HOSTILE, small), min_size=1, max_size=4).map("".join)
    full = st.text(min_size=max_size, max_size=max_size)
    return st.one_of(small, mixed.filter(lambda s: min_size <= len(s) <= max_size), full)


NAME = st.one_of(
    st.from_regex(r"[a-zA-Z0-9_-]{1,40}", fullmatch=True),
    st.just("n" * 256),
)
NON_BLANK = st.from_regex(r"[\S]{1,60}", fullmatch=True)
INSTANT = st.one_of(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.just(UTC),
    ),
    st.sampled_from(
        [
            datetime(1970, 1, 1, tzinfo=UTC),
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            DEMO_NOW,
            DEMO_NOW - timedelta(microseconds=1),
        ]
    ),
)
MANIFESTS = st.one_of(
    st.just([]),
    st.lists(NAME, min_size=1, max_size=5),
    st.lists(NAME, min_size=100, max_size=100),
).map(lambda names: [{"ManifestName": n} for n in names])
TAGS = st.one_of(
    st.dictionaries(text(128, min_size=1), text(256), max_size=5),
    st.dictionaries(
        st.from_regex(r"k[0-9]{1,3}", fullmatch=True), text(256), min_size=50, max_size=50
    ),
)


@st.composite
def job_payloads(draw: Any) -> dict[str, Any]:
    start = draw(INSTANT)
    end = start if draw(st.booleans()) else draw(INSTANT)
    payload: dict[str, Any] = {
        "ChannelGroupName": draw(NAME),
        "ChannelName": draw(NAME),
        "OriginEndpointName": draw(NAME),
        "HarvestJobName": draw(NAME),
        "Arn": draw(text(300, min_size=1)),
        "Status": draw(st.one_of(st.sampled_from(STATUSES), text(40))),
        "Destination": {
            "S3Destination": {
                "BucketName": draw(text(63, min_size=3)),
                "DestinationPath": draw(st.one_of(NON_BLANK, st.just("p" * 1024))),
            }
        },
        "HarvestedManifests": {},
        "ScheduleConfiguration": {"StartTime": start, "EndTime": end},
        "CreatedAt": draw(INSTANT),
        "ModifiedAt": draw(INSTANT),
    }
    for key in ("HlsManifests", "LowLatencyHlsManifests", "DashManifests"):
        if draw(st.booleans()):
            payload["HarvestedManifests"][key] = draw(MANIFESTS)
    optional = {
        "Description": text(1024),
        "ErrorMessage": text(1024),
        "ETag": NON_BLANK,
        "Tags": TAGS,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            payload[key] = draw(strategy)
    return payload


# The extremes, always tried: every optional field missing, and every field at its limit.
MINIMAL = {
    "ChannelGroupName": "g",
    "ChannelName": "c",
    "OriginEndpointName": "e",
    "HarvestJobName": "j",
    "Arn": "a",
    "Status": "QUEUED",
    "Destination": {"S3Destination": {"BucketName": "b" * 3, "DestinationPath": "p"}},
    "HarvestedManifests": {},
    "ScheduleConfiguration": {"StartTime": DEMO_NOW, "EndTime": DEMO_NOW},
    "CreatedAt": DEMO_NOW,
    "ModifiedAt": DEMO_NOW,
}
_ALL = "[@click=app.quit]x[/][/][$accent]\x1b]52;c;aGk=\x07\x1b[2J\u202e"
MAXIMAL = {
    **MINIMAL,
    "ChannelGroupName": "g" * 256,
    "HarvestJobName": "j" * 256,
    "Status": "PAUSED_BY_A_FUTURE_API",
    "Description": (_ALL + "\n\t" + "d" * 1024)[:1024],
    "ErrorMessage": (_ALL * 40)[:1024],
    "ETag": "e" * 256,
    "Tags": {f"key-{i:02d}{_ALL}": f"value-{i}{_ALL}" * 5 for i in range(50)},
    "HarvestedManifests": {
        key: [{"ManifestName": f"{key[:4]}-{i:03d}-" + "m" * 30} for i in range(100)]
        for key in ("HlsManifests", "LowLatencyHlsManifests", "DashManifests")
    },
    "ScheduleConfiguration": {
        "StartTime": datetime.min.replace(tzinfo=UTC),
        "EndTime": datetime.min.replace(tzinfo=UTC),
    },
    "CreatedAt": datetime.min.replace(tzinfo=UTC),
    "ModifiedAt": datetime.max.replace(tzinfo=UTC),
}


def squash(s: str) -> str:
    """Without whitespace: wrapping may break a value anywhere and indent the rest."""
    return "".join(s.split())


async def test_any_valid_job_renders_in_the_detail_pane_and_timeline(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test draws jobs into the pane itself: the pane's own ageing re-render must not
    # redraw its current resource over them mid-example.
    monkeypatch.setattr(detail_pane, "AGE_SECONDS", 3600.0)
    app = make_app(sandbox, settings=QUIET)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        timeline = app.query_one(StatusTimeline)
        width = app.explorer.detail.content_region.width

        async def show(job: HarvestJob, observations: list[Observation]) -> dict[str, str]:
            app.explorer.detail.show(
                job, now=DEMO_NOW, tz=UTC, fetched_at=DEMO_NOW, observations=observations
            )
            await pilot.pause()  # layout and paint, as for a user
            return {
                "title": plain(app.query_one("#detail-title").content, width),
                "banner": plain(app.query_one("#detail-error").content, width),
                "fields": plain(app.query_one("#detail-fields").content, width),
                "timeline": plain(timeline.render(), width),
                "raw": terminal(app)[0],
            }

        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(payload=job_payloads(), seen=st.lists(st.sampled_from(STATUSES), max_size=3))
        @example(payload=MINIMAL, seen=[])
        @example(payload=MAXIMAL, seen=["IN_PROGRESS", "FAILED"])
        def check(payload: dict[str, Any], seen: list[str]) -> None:
            examples.append(payload)
            job = HarvestJob.from_api(payload)
            observations = [
                Observation(s, DEMO_NOW - timedelta(minutes=i)) for i, s in enumerate(seen)
            ]
            out = app.call_from_thread(show, job, observations)
            assert app.is_running and app._exception is None
            assert timeline.timeline is not None  # the timeline was laid out and drawn

            fields = squash(out["fields"])
            for value in (
                job.arn,
                job.name,
                job.group_name,
                job.channel_name,
                job.endpoint_name,
                job.destination.uri,
            ):
                assert squash(clean(value)) in fields, value
            if job.description:
                assert squash(clean(job.description, multiline=True)) in fields
            if job.etag:
                assert squash(clean(job.etag)) in fields
            for key, value in (job.tags or {}).items():
                assert squash(f"{clean(key)} = {clean(value)}") in fields, key
            for _, names in job.manifests.by_type():
                for name in names:
                    assert squash(clean(name)) in fields
            for instant in (job.schedule.start, job.schedule.end, job.created_at):
                assert squash(format_instant(instant)) in fields
                assert format_instant(instant) in out["timeline"]
            assert squash(clean(job.name)) in squash(out["title"])
            if job.error_message:
                assert squash(clean(job.error_message, multiline=True)) in squash(out["banner"])
            assert squash(clean(str(job.status), max_len=40)) in squash(
                out["fields"] + out["timeline"]
            )
            rest = LEGIT_CSI.sub("", out["raw"])
            assert "\x1b" not in rest and "\u202e" not in rest
            # The tree's label for it (in UTC, as the app starts).
            label = node_label(NodeData("job", "us-east-1", resource=job), UTC)
            assert clean(job.name) in label.plain

        examples: list[dict[str, Any]] = []
        await asyncio.to_thread(check)
        assert app.is_running
        assert len(examples) >= 40


def test_tree_label_of_a_job_at_the_ends_of_time_in_local_time() -> None:
    base = {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "HarvestJobName": "ancient",
        "Arn": "arn",
        "Status": "COMPLETED",
        "Destination": {"S3Destination": {"BucketName": "bucket", "DestinationPath": "p"}},
        "HarvestedManifests": {},
        "CreatedAt": DEMO_NOW,
        "ModifiedAt": DEMO_NOW,
    }
    cases = [
        (datetime.min.replace(tzinfo=UTC), timezone(timedelta(hours=-5))),
        (datetime.max.replace(tzinfo=UTC), timezone(timedelta(hours=9))),
    ]
    for instant, tz in cases:
        schedule = {"StartTime": instant, "EndTime": instant}
        job = HarvestJob.from_api({**base, "ScheduleConfiguration": schedule})
        label = node_label(NodeData("job", "us-east-1", resource=job), tz)
        assert "ancient" in label.plain
