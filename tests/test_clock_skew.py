"""A local clock a little behind the service's: ages never read in the future.

The skew comes from the responses' Date headers (the sandbox sends its own clock's
time, as the service does), through the service, the worker protocol and the backend,
to the app's clock; small leftovers are clamped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pilotkit import (
    FAST_RETRY,
    TEST_SETTINGS,
    explorer,
    open_path,
    sandbox_profile,
    shared_worker,
    terminal,
    widget_text,
)

from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import Sandbox
from harvest_tui.server_clock import ServerClock, not_before, skew_from_date
from harvest_tui.service import MediaPackageService, connections_for
from harvest_tui.timefmt import format_age
from harvest_tui.ui.builder import backends_for, build_app

AHEAD = 40.0  # seconds the service's clock is ahead of ours
NOW = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)


class AheadClock:
    """The service's clock: real time, AHEAD seconds ahead of this machine's."""

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=AHEAD)


@pytest.fixture
def ahead() -> Iterator[Sandbox]:
    with Sandbox(seed=7, clock=AheadClock()) as sb:
        yield sb


# The pure parts.


def test_skew_from_a_date_header() -> None:
    received = NOW.timestamp() + 20.7  # we are 20 s ahead (the header drops the fraction)
    assert skew_from_date("Mon, 02 Nov 2026 14:30:00 GMT", received) == pytest.approx(20.2)
    assert skew_from_date("Mon, 02 Nov 2026 14:31:00 GMT", NOW.timestamp()) == pytest.approx(-60.5)
    for bad in (None, "", "yesterday", 12, "Mon, 02 Nov 1990 14:30:00 GMT"):
        assert skew_from_date(bad, NOW.timestamp()) is None  # a year off: not a clock


def test_server_clock_subtracts_the_skew() -> None:
    skew: list[float | None] = [None]
    clock = ServerClock(lambda: skew[0], local=lambda: NOW)
    assert clock() == NOW
    skew[0] = -30.0  # we are behind
    assert clock() == NOW + timedelta(seconds=30)


def test_a_small_skew_is_clamped_a_large_gap_is_not() -> None:
    ahead = NOW + timedelta(seconds=20)
    assert not_before(NOW, ahead) == ahead
    assert not_before(NOW, NOW + timedelta(hours=1)) == NOW
    assert not_before(NOW, None, NOW - timedelta(seconds=5)) == NOW
    assert format_age(ahead, NOW) == "in 20 s"  # a window end may lie ahead
    assert format_age(ahead, NOW, happened=True) == "just now"  # a modification may not
    assert format_age(NOW + timedelta(hours=2), NOW, happened=True) == "in 2 h"


# Through the real service, the worker and the app.


def test_the_service_and_the_worker_report_the_skew(ahead: Sandbox) -> None:
    active = sandbox_profile(ahead)
    connection = connections_for(active, sandbox_url=ahead.endpoint_url)["us-east-1"]
    service = MediaPackageService(connection)
    assert service.clock_skew is None or abs(service.clock_skew + AHEAD) < 3
    service.list_channel_groups()
    assert service.clock_skew == pytest.approx(-AHEAD, abs=2.5)
    backend = backends_for(active, worker=shared_worker(), sandbox_url=ahead.endpoint_url)
    region = backend["us-east-1"]
    region.list_channel_groups()
    assert region.clock_skew == pytest.approx(-AHEAD, abs=2.5)


async def test_a_job_modified_just_now_never_reads_in_the_future(ahead: Sandbox) -> None:
    now = AheadClock().now()
    ahead.store.add_harvest_job(
        "events-popup",
        "keynote-live",
        "hls-ts",
        "skewed",
        start=now - timedelta(hours=2),
        end=now - timedelta(hours=1),
        bucket="acme-media-archive",
        path="skewed/",
    )
    app = build_app(
        sandbox_profile(ahead),
        worker=shared_worker(),
        settings=TEST_SETTINGS,
        sandbox_url=ahead.endpoint_url,
        retry=FAST_RETRY,
    )  # no clock given: the app's own, corrected by the skew
    async with app.run_test(size=(120, 50)) as pilot:
        await open_path(pilot, "events-popup", "keynote-live", "hls-ts", "skewed")
        job = explorer(app).detail.resource
        assert isinstance(job, HarvestJob) and job.name == "skewed"
        assert abs((app.clock() - AheadClock().now()).total_seconds()) < 3
        fields = widget_text(app, "#detail-fields")
        rows = [line for line in fields.splitlines() if line.startswith(("Created", "Modified"))]
        assert len(rows) == 2 and all("in " not in row for row in rows), rows
        _, screen = terminal(app)
        pane = [line.partition("│")[2].strip() for line in screen.splitlines()]
        events = [line for line in pane if " UTC " in line and line[:1] in "●◆▲"]
        assert [e.split()[4] for e in events] == ["created", "modified", "now"], events
        assert not [e for e in events if " in " in e], events


def test_naive_instants_are_utc_and_stay_naive() -> None:
    naive = NOW.replace(tzinfo=None)
    assert not_before(naive, NOW + timedelta(seconds=5)) == naive + timedelta(seconds=5)
    assert not_before(NOW, naive + timedelta(seconds=5)) == NOW + timedelta(seconds=5)
