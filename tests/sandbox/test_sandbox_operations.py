"""Every operation over real HTTP with boto3: responses parse back per the model."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, timedelta

from sandbox_helpers import JOB, create_args, window

from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.sandbox.model import service_model
from harvest_tui.sandbox.shapes import violations


def conforms(operation: str, response: dict) -> None:
    """A parsed response satisfies its output shape (required members, enums, ranges)."""
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    shape = service_model().operation_model(operation).output_shape
    assert violations(shape, body) == []


def test_request_id_is_a_uuid_on_every_response(mp) -> None:
    meta = mp.list_channel_groups()["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert uuid.UUID(meta["RequestId"])
    assert meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]


def test_sandbox_client_convenience(sandbox: Sandbox) -> None:
    client = sandbox.client()  # botocore, for code that must not import boto3
    assert client.get_channel_group(ChannelGroupName="news-24x7")["ChannelGroupName"]


def test_keep_alive_reuses_one_connection(sandbox: Sandbox, mp) -> None:
    for _ in range(10):
        mp.list_channel_groups()
    mp.get_channel(ChannelGroupName=JOB[0], ChannelName=JOB[1])
    assert sandbox.connections_accepted == 1


def test_quiet_by_default(capfd, sandbox: Sandbox, mp) -> None:
    mp.list_channel_groups()
    sandbox.faults.drop_rate = 1.0
    with contextlib.suppress(Exception):
        mp.list_channel_groups()
    assert capfd.readouterr() == ("", "")


def test_list_and_get_every_level(mp) -> None:
    groups = mp.list_channel_groups()
    conforms("ListChannelGroups", groups)
    names = [g["ChannelGroupName"] for g in groups["Items"]]
    assert names == ["events-popup", "live-sports", "news-24x7"]

    group = mp.get_channel_group(ChannelGroupName="live-sports")
    conforms("GetChannelGroup", group)
    assert group["EgressDomain"].endswith(".mediapackagev2.us-east-1.amazonaws.com")
    assert group["Tags"]["team"] == "sports-ops"
    assert group["CreatedAt"].tzinfo is not None and group["CreatedAt"] < DEMO_NOW

    channels = mp.list_channels(ChannelGroupName="live-sports")
    conforms("ListChannels", channels)
    assert "football-main" in [c["ChannelName"] for c in channels["Items"]]

    channel = mp.get_channel(ChannelGroupName="live-sports", ChannelName="football-main")
    conforms("GetChannel", channel)
    assert len(channel["IngestEndpoints"]) == 2 and channel["ETag"]

    endpoints = mp.list_origin_endpoints(
        ChannelGroupName="live-sports", ChannelName="football-main"
    )
    conforms("ListOriginEndpoints", endpoints)
    assert [e["OriginEndpointName"] for e in endpoints["Items"]] == [
        "cmaf-main",
        "dash-tv",
        "hls-ts",
        "llhls-mobile",
    ]

    endpoint = mp.get_origin_endpoint(
        ChannelGroupName="live-sports", ChannelName="football-main", OriginEndpointName="cmaf-main"
    )
    conforms("GetOriginEndpoint", endpoint)
    assert endpoint["ContainerType"] == "CMAF"
    assert endpoint["Segment"]["SegmentDurationSeconds"] == 6
    assert endpoint["HlsManifests"][0]["Url"].endswith("/cmaf-main/index.m3u8")
    assert endpoint["DashManifests"][0]["Url"].endswith("/cmaf-main/index.mpd")

    ts = mp.get_origin_endpoint(
        ChannelGroupName="live-sports", ChannelName="football-main", OriginEndpointName="hls-ts"
    )
    assert ts["ContainerType"] == "TS" and "DashManifests" not in ts

    jobs = mp.list_harvest_jobs(ChannelGroupName="live-sports")
    conforms("ListHarvestJobs", jobs)
    job = mp.get_harvest_job(
        ChannelGroupName="live-sports",
        ChannelName="football-main",
        OriginEndpointName="cmaf-main",
        HarvestJobName="cup-final-full-match",
    )
    conforms("GetHarvestJob", job)
    assert job["Status"] == "IN_PROGRESS"
    assert job["HarvestedManifests"] == {
        "HlsManifests": [{"ManifestName": "index"}],
        "DashManifests": [{"ManifestName": "index"}],
    }


def test_list_tags_for_resource_at_every_level(mp) -> None:
    group = mp.get_channel_group(ChannelGroupName="live-sports")
    tags = mp.list_tags_for_resource(ResourceArn=group["Arn"])
    conforms("ListTagsForResource", tags)
    assert tags["Tags"] == group["Tags"]
    job = mp.get_harvest_job(
        ChannelGroupName="live-sports",
        ChannelName="football-main",
        OriginEndpointName="cmaf-main",
        HarvestJobName="cup-final-full-match",
    )
    assert mp.list_tags_for_resource(ResourceArn=job["Arn"])["Tags"] == {"requested-by": "demo"}
    endpoint = mp.get_origin_endpoint(
        ChannelGroupName="news-24x7", ChannelName="news-main", OriginEndpointName="hls-ts"
    )
    assert mp.list_tags_for_resource(ResourceArn=endpoint["Arn"])["Tags"] == endpoint["Tags"]


def test_create_harvest_job_round_trips(mp) -> None:
    args = create_args(
        HarvestJobName="replay-1",
        Description="Replay for VOD",
        Tags={"ticket": "MEDIA-1"},
        HarvestedManifests={
            "HlsManifests": [{"ManifestName": "index"}],
            "LowLatencyHlsManifests": [{"ManifestName": "low-latency"}],
            "DashManifests": [{"ManifestName": "index"}],
        },
    )
    created = mp.create_harvest_job(**args)
    conforms("CreateHarvestJob", created)
    assert created["Status"] == "QUEUED"
    assert created["CreatedAt"] == created["ModifiedAt"] == DEMO_NOW
    assert created["ScheduleConfiguration"] == args["ScheduleConfiguration"]
    assert created["HarvestedManifests"] == args["HarvestedManifests"]
    assert created["Destination"] == args["Destination"]
    assert created["Arn"].endswith(
        ":channelGroup/live-sports/channel/football-main/"
        "originEndpoint/cmaf-main/harvestJob/replay-1"
    )
    got = mp.get_harvest_job(
        ChannelGroupName=JOB[0],
        ChannelName=JOB[1],
        OriginEndpointName=JOB[2],
        HarvestJobName="replay-1",
    )
    assert {k: v for k, v in got.items() if k != "ResponseMetadata"} == {
        k: v for k, v in created.items() if k != "ResponseMetadata"
    }
    assert mp.list_tags_for_resource(ResourceArn=created["Arn"])["Tags"] == {"ticket": "MEDIA-1"}


def test_create_accepts_iso_strings_and_generates_a_name(mp) -> None:
    start = (DEMO_NOW - timedelta(hours=2)).astimezone(UTC)
    created = mp.create_harvest_job(
        **create_args(
            ScheduleConfiguration={
                "StartTime": start.isoformat(),
                "EndTime": (start + timedelta(hours=1)).isoformat(),
            }
        )
    )
    name = created["HarvestJobName"]
    assert name.startswith("harvest-20261102T143000-")
    assert created["ScheduleConfiguration"]["StartTime"] == start


def test_idempotent_create_makes_one_job(sandbox: Sandbox, mp) -> None:
    args = create_args(ClientToken="retry-me-1")
    first = mp.create_harvest_job(**args)
    second = mp.create_harvest_job(**args)
    assert first["HarvestJobName"] == second["HarvestJobName"]
    assert first["Arn"] == second["Arn"]
    names = [
        j["HarvestJobName"]
        for page in mp.get_paginator("list_harvest_jobs").paginate(ChannelGroupName=JOB[0])
        for j in page["Items"]
        if j["CreatedAt"] == DEMO_NOW and j["HarvestJobName"].startswith("harvest-")
    ]
    assert names == [first["HarvestJobName"]]
    creates = [params for op, params in sandbox.requests if op == "CreateHarvestJob"]
    assert [c["ClientToken"] for c in creates] == ["retry-me-1", "retry-me-1"]


def test_client_token_travels_in_its_header_and_boto3_sends_one(sandbox: Sandbox, mp) -> None:
    mp.create_harvest_job(**create_args(HarvestJobName="auto-token"))
    operation, params = sandbox.requests[-1]
    assert operation == "CreateHarvestJob"
    assert uuid.UUID(params["ClientToken"])  # botocore's idempotency token, via the header


def test_cancel_with_current_etag(mp) -> None:
    ids = dict(
        ChannelGroupName=JOB[0],
        ChannelName=JOB[1],
        OriginEndpointName=JOB[2],
        HarvestJobName="cup-final-full-match",
    )
    before = mp.get_harvest_job(**ids)
    response = mp.cancel_harvest_job(**ids, ETag=before["ETag"])
    conforms("CancelHarvestJob", response)
    after = mp.get_harvest_job(**ids)
    assert after["Status"] == "CANCELLED"
    assert after["ModifiedAt"] == DEMO_NOW
    assert after["ETag"] != before["ETag"]


def test_cancel_without_etag(mp) -> None:
    created = mp.create_harvest_job(**create_args(HarvestJobName="to-cancel"))
    ids = {k: created[k] for k in ("ChannelGroupName", "ChannelName", "OriginEndpointName")}
    mp.cancel_harvest_job(**ids, HarvestJobName="to-cancel")
    assert mp.get_harvest_job(**ids, HarvestJobName="to-cancel")["Status"] == "CANCELLED"


def test_window_helper_is_in_the_past() -> None:
    assert window()["EndTime"] < DEMO_NOW
