"""Models: parsing botocore's dictionaries into tz-aware, frozen dataclasses."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta, timezone

import pytest

from harvest_tui.models import HarvestedManifests, HarvestJob, JobCounts, JobStatus, Observation

RAW = {
    "ChannelGroupName": "g",
    "ChannelName": "c",
    "OriginEndpointName": "e",
    "HarvestJobName": "j",
    "Arn": "arn:aws:mediapackagev2:us-east-1:123456789012:channelGroup/g/channel/c/"
    "originEndpoint/e/harvestJob/j",
    "Status": "IN_PROGRESS",
    "Destination": {"S3Destination": {"BucketName": "b", "DestinationPath": "/vod/x/"}},
    "HarvestedManifests": {
        "HlsManifests": [{"ManifestName": "index"}],
        "DashManifests": [{"ManifestName": "dash"}],
    },
    "ScheduleConfiguration": {
        "StartTime": datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=2))),
        "EndTime": datetime(2026, 1, 1, 12),
    },
    "CreatedAt": datetime(2026, 1, 1, 13, tzinfo=UTC),
    "ModifiedAt": datetime(2026, 1, 1, 13, 5, tzinfo=UTC),
    "ETag": "abc",
}


def test_job_from_api_is_utc_and_complete() -> None:
    job = HarvestJob.from_api(RAW)
    assert job.schedule.start == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert job.schedule.start.tzinfo is UTC
    assert job.schedule.end.tzinfo is UTC  # naive values are taken as UTC
    assert job.schedule.duration == timedelta(hours=4)
    assert job.destination.uri == "s3://b/vod/x/"
    assert job.manifests == HarvestedManifests(hls=("index",), dash=("dash",))
    assert job.status is JobStatus.IN_PROGRESS and not job.finished
    assert job.tags is None  # list items carry no tags
    with pytest.raises(AttributeError):
        job.name = "other"  # type: ignore[misc]


def test_unknown_status_is_kept_not_crashed() -> None:
    job = HarvestJob.from_api({**RAW, "Status": "PAUSED"})
    assert job.status == "PAUSED" and not job.finished


def test_json_round_trip_shape() -> None:
    job = HarvestJob.from_api({**RAW, "Tags": {"k": "v"}})
    out = job.to_json_dict()
    assert out["HarvestedManifests"] == {
        "HlsManifests": [{"ManifestName": "index"}],
        "DashManifests": [{"ManifestName": "dash"}],
    }
    assert out["Tags"] == {"k": "v"}
    assert out["ScheduleConfiguration"]["StartTime"] == "2026-01-01T08:00:00+00:00"


def test_counts() -> None:
    jobs = [HarvestJob.from_api({**RAW, "Status": s}) for s in ("FAILED", "FAILED", "QUEUED")]
    counts = JobCounts.of(jobs)
    assert counts.counts == {"FAILED": 2, "QUEUED": 1} and counts.total == 3


def test_models_pickle_whole_and_read_only() -> None:
    """As they cross from the service worker (as constructor and values, not through
    dataclasses' slow per-object state)."""
    job = HarvestJob.from_api({**RAW, "Tags": {"k": "v"}})
    counts = JobCounts.of([job, job])
    seen = Observation("COMPLETED", datetime(2026, 1, 1, tzinfo=UTC))
    again = pickle.loads(pickle.dumps([job, counts, seen]))
    assert again == [job, counts, seen]
    assert again[0].schedule == job.schedule and again[0].manifests == job.manifests
    with pytest.raises(TypeError):
        again[0].tags["k"] = "w"  # type: ignore[index]
