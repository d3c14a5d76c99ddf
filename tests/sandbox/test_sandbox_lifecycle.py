"""The job lifecycle is a function of the sandbox clock; the waiter sees it finish."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import WaiterError
from sandbox_helpers import boto3_client, create_args

from harvest_tui.sandbox import (
    DEMO_NOW,
    LEGAL_HOLD_BUCKET,
    FrozenClock,
    Sandbox,
    ScaledClock,
)

IDS = ("ChannelGroupName", "ChannelName", "OriginEndpointName", "HarvestJobName")


def ids_of(job: dict) -> dict:
    return {k: job[k] for k in IDS}


def test_queued_in_progress_completed(clock: FrozenClock, mp) -> None:
    created = mp.create_harvest_job(**create_args(HarvestJobName="life"))  # a 60-min window
    ids = ids_of(created)
    seen = [(created["Status"], created["ModifiedAt"], created["ETag"])]
    for step in (9.9, 0.1, 29.9, 0.1, 3600):
        clock.advance(step)
        job = mp.get_harvest_job(**ids)
        seen.append((job["Status"], job["ModifiedAt"], job["ETag"]))
    queued_end = DEMO_NOW + timedelta(seconds=10)
    done = queued_end + timedelta(seconds=30)  # max(20 s, 3600 s / 120)
    assert [(s, m) for s, m, _ in seen] == [
        ("QUEUED", DEMO_NOW),
        ("QUEUED", DEMO_NOW),
        ("IN_PROGRESS", queued_end),
        ("IN_PROGRESS", queued_end),
        ("COMPLETED", done),
        ("COMPLETED", done),
    ]
    etags = [e for _, _, e in seen]
    assert etags[0] == etags[1] != etags[2] == etags[3] != etags[4] == etags[5]
    assert "ErrorMessage" not in job
    assert job["CreatedAt"] == DEMO_NOW


def test_unwritable_bucket_fails_with_a_useful_message(clock: FrozenClock, mp) -> None:
    args = create_args(HarvestJobName="denied")
    args["Destination"]["S3Destination"]["BucketName"] = LEGAL_HOLD_BUCKET
    ids = ids_of(mp.create_harvest_job(**args))
    clock.advance(minutes=5)
    job = mp.get_harvest_job(**ids)
    assert job["Status"] == "FAILED"
    assert LEGAL_HOLD_BUCKET in job["ErrorMessage"]
    assert "AccessDenied" in job["ErrorMessage"] and "bucket policy" in job["ErrorMessage"]


def test_window_ending_in_the_future_waits_in_the_queue(clock: FrozenClock, mp) -> None:
    schedule = {
        "StartTime": DEMO_NOW - timedelta(minutes=30),
        "EndTime": DEMO_NOW + timedelta(minutes=30),
    }
    ids = ids_of(mp.create_harvest_job(**create_args(ScheduleConfiguration=schedule)))
    clock.advance(minutes=30)
    assert mp.get_harvest_job(**ids)["Status"] == "QUEUED"
    clock.advance(seconds=10)
    assert mp.get_harvest_job(**ids)["Status"] == "IN_PROGRESS"


def test_cancelled_stays_cancelled(clock: FrozenClock, mp) -> None:
    ids = ids_of(mp.create_harvest_job(**create_args(HarvestJobName="stop")))
    clock.advance(12)
    mp.cancel_harvest_job(**ids)
    clock.advance(hours=2)
    job = mp.get_harvest_job(**ids)
    assert job["Status"] == "CANCELLED"
    assert job["ModifiedAt"] == DEMO_NOW + timedelta(seconds=12)


def test_list_and_get_agree(clock: FrozenClock, mp) -> None:
    clock.advance(25)
    for job in mp.list_harvest_jobs(ChannelGroupName="live-sports", MaxResults=100)["Items"]:
        got = mp.get_harvest_job(**ids_of(job))
        assert (got["Status"], got["ETag"], got["ModifiedAt"]) == (
            job["Status"],
            job["ETag"],
            job["ModifiedAt"],
        )


def test_waiter_with_the_clock_advanced_between_polls(clock: FrozenClock, mp) -> None:
    ids = ids_of(mp.create_harvest_job(**create_args(HarvestJobName="waited")))
    polls = []

    def tick(**_: object) -> None:
        polls.append(clock.advance(8))

    mp.meta.events.register("after-call.mediapackagev2.GetHarvestJob", tick)
    mp.get_waiter("harvest_job_finished").wait(**ids, WaiterConfig={"Delay": 0, "MaxAttempts": 20})
    assert mp.get_harvest_job(**ids)["Status"] == "COMPLETED"
    assert 4 <= len(polls) <= 7  # 40 s of sandbox time, 8 s per poll


def test_waiter_fails_on_failed_job(clock: FrozenClock, mp) -> None:
    args = create_args(HarvestJobName="doomed")
    args["Destination"]["S3Destination"]["BucketName"] = LEGAL_HOLD_BUCKET
    ids = ids_of(mp.create_harvest_job(**args))
    clock.advance(60)
    with pytest.raises(WaiterError) as info:
        mp.get_waiter("harvest_job_finished").wait(**ids, WaiterConfig={"Delay": 0})
    assert info.value.last_response["Status"] == "FAILED"


def test_waiter_with_a_sped_up_clock() -> None:
    with Sandbox(seed=3, clock=ScaledClock(200, start=DEMO_NOW)) as running:
        mp = boto3_client(running)
        start = running.clock.now() - timedelta(minutes=40)
        schedule = {"StartTime": start, "EndTime": start + timedelta(minutes=30)}
        ids = ids_of(mp.create_harvest_job(**create_args(ScheduleConfiguration=schedule)))
        waiter = mp.get_waiter("harvest_job_finished")
        waiter.wait(**ids, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})  # ~0.15 s real
        assert mp.get_harvest_job(**ids)["Status"] == "COMPLETED"


def test_bucket_names_that_say_denied_or_missing_fail(clock: FrozenClock, mp) -> None:
    cases = {"acme-denied-bucket": "AccessDenied", "acme-missing-bucket": "NoSuchBucket"}
    created = []
    for bucket in cases:
        s3 = {"S3Destination": {"BucketName": bucket, "DestinationPath": "x/"}}
        created.append(mp.create_harvest_job(**create_args(HarvestJobName=bucket, Destination=s3)))
    clock.advance(hours=1)
    for job, code in zip(created, cases.values(), strict=True):
        now = mp.get_harvest_job(**ids_of(job))
        assert now["Status"] == "FAILED" and code in now["ErrorMessage"]
