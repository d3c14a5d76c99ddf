"""Every error the sandbox answers, as botocore parses it into a ClientError."""

from __future__ import annotations

import http.client
import json
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sandbox_helpers import JOB, create_args, error_of

from harvest_tui.sandbox import DEMO_NOW, MAX_ACTIVE_JOBS_PER_GROUP, FrozenClock, Sandbox


def check(response: dict, code: str, status: int, **fields: str) -> str:
    """Assert the parsed error; return its message."""
    assert response["Error"]["Code"] == code
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert uuid.UUID(response["ResponseMetadata"]["RequestId"])
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == code
    for name, value in fields.items():
        assert response[name] == value, response
    message = response["Error"]["Message"]
    assert message and response["Message"] == message
    return message


def invalid(response: dict, subtype: str) -> str:
    return check(response, "ValidationException", 400, ValidationExceptionType=subtype)


@pytest.mark.parametrize(
    ("kwargs", "subtype", "words"),
    [
        ({"ChannelGroupName": "live-sports", "MaxResults": 0}, "MEMBER_MIN_VALUE", "MaxResults"),
        ({"ChannelGroupName": "live-sports", "MaxResults": 101}, "MEMBER_MAX_VALUE", "100"),
        ({"ChannelGroupName": "live sports"}, "MEMBER_DOES_NOT_MATCH_PATTERN", "[a-zA-Z0-9_-]+"),
        ({"ChannelGroupName": "x" * 257}, "MEMBER_MAX_LENGTH", "less than or equal to 256"),
        (
            {"ChannelGroupName": "live-sports", "Status": "DONE"},
            "MEMBER_INVALID_ENUM_VALUE",
            "COMPLETED",
        ),
        (
            {"ChannelGroupName": "live-sports", "ChannelName": ""},
            "MEMBER_MIN_LENGTH",
            "ChannelName",
        ),
    ],
)
def test_constraints_from_the_model(raw, kwargs: dict, subtype: str, words: str) -> None:
    message = invalid(error_of(raw.list_harvest_jobs, **kwargs), subtype)
    assert words in message
    assert "failed to satisfy constraint" in message


def test_missing_required_member(raw) -> None:
    args = create_args()
    del args["ScheduleConfiguration"]["EndTime"]
    message = invalid(error_of(raw.create_harvest_job, **args), "MEMBER_MISSING")
    assert "'ScheduleConfiguration.EndTime'" in message and "must not be null" in message


def test_missing_top_level_member(raw) -> None:
    args = create_args()
    del args["HarvestedManifests"]
    message = invalid(error_of(raw.create_harvest_job, **args), "MEMBER_MISSING")
    assert "HarvestedManifests" in message


def test_nested_constraints(raw) -> None:
    args = create_args()
    args["Destination"]["S3Destination"]["BucketName"] = "ab"
    message = invalid(error_of(raw.create_harvest_job, **args), "MEMBER_MIN_LENGTH")
    assert "Destination.S3Destination.BucketName" in message
    args = create_args(Description="d" * 1025)
    invalid(error_of(raw.create_harvest_job, **args), "MEMBER_MAX_LENGTH")


@pytest.mark.parametrize("drop", ["BucketName", "DestinationPath", "S3Destination"])
def test_incomplete_s3_destination(raw, drop: str) -> None:
    args = create_args()
    if drop == "S3Destination":
        args["Destination"] = {}
    else:
        del args["Destination"]["S3Destination"][drop]
    invalid(
        error_of(raw.create_harvest_job, **args), "HARVEST_JOB_S3_DESTINATION_MISSING_OR_INCOMPLETE"
    )


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [
        ({"ChannelGroupName": "nope"}, "CHANNEL_GROUP"),
        ({"ChannelName": "nope"}, "CHANNEL"),
        ({"OriginEndpointName": "nope"}, "ORIGIN_ENDPOINT"),
        ({"HarvestJobName": "nope"}, "HARVEST_JOB"),
        ({"ChannelGroupName": "nope", "ChannelName": "nope"}, "CHANNEL_GROUP"),
        ({"ChannelName": "nope", "HarvestJobName": "nope"}, "CHANNEL"),
    ],
)
def test_not_found_names_the_first_missing_level(mp, kwargs: dict, missing: str) -> None:
    ids = {
        "ChannelGroupName": JOB[0],
        "ChannelName": JOB[1],
        "OriginEndpointName": JOB[2],
        "HarvestJobName": "cup-final-full-match",
        **kwargs,
    }
    message = check(
        error_of(mp.get_harvest_job, **ids),
        "ResourceNotFoundException",
        404,
        ResourceTypeNotFound=missing,
    )
    assert "nope" in message


def test_not_found_for_lists_and_gets(mp) -> None:
    for call, kwargs, missing in [
        (mp.get_channel_group, {"ChannelGroupName": "nope"}, "CHANNEL_GROUP"),
        (mp.list_channels, {"ChannelGroupName": "nope"}, "CHANNEL_GROUP"),
        (mp.get_channel, {"ChannelGroupName": JOB[0], "ChannelName": "nope"}, "CHANNEL"),
        (mp.list_origin_endpoints, {"ChannelGroupName": JOB[0], "ChannelName": "x"}, "CHANNEL"),
        (mp.list_harvest_jobs, {"ChannelGroupName": "nope"}, "CHANNEL_GROUP"),
        (mp.list_harvest_jobs, {"ChannelGroupName": JOB[0], "ChannelName": "x"}, "CHANNEL"),
        (mp.create_harvest_job, create_args(OriginEndpointName="x"), "ORIGIN_ENDPOINT"),
        (
            mp.list_tags_for_resource,
            {"ResourceArn": "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/x"},
            "CHANNEL_GROUP",
        ),
    ]:
        check(
            error_of(call, **kwargs), "ResourceNotFoundException", 404, ResourceTypeNotFound=missing
        )


def test_deleted_between_list_and_get(sandbox: Sandbox, mp) -> None:
    items = mp.list_harvest_jobs(ChannelGroupName="news-24x7", ChannelName="news-main")["Items"]
    job = items[0]
    ids = {k: job[k] for k in ("ChannelGroupName", "ChannelName", "OriginEndpointName")}
    sandbox.store.delete_harvest_job(*ids.values(), job["HarvestJobName"])
    check(
        error_of(mp.get_harvest_job, **ids, HarvestJobName=job["HarvestJobName"]),
        "ResourceNotFoundException",
        404,
        ResourceTypeNotFound="HARVEST_JOB",
    )
    sandbox.store.delete_channel("news-24x7", "news-main")
    check(
        error_of(mp.get_origin_endpoint, **ids),
        "ResourceNotFoundException",
        404,
        ResourceTypeNotFound="CHANNEL",
    )
    sandbox.store.delete_channel_group("news-24x7")
    groups = [g["ChannelGroupName"] for g in mp.list_channel_groups()["Items"]]
    assert "news-24x7" not in groups


def test_cancel_with_stale_etag_conflicts(clock: FrozenClock, mp) -> None:
    created = mp.create_harvest_job(**create_args(HarvestJobName="stale"))
    ids = {
        k: created[k]
        for k in ("ChannelGroupName", "ChannelName", "OriginEndpointName", "HarvestJobName")
    }
    clock.advance(15)  # QUEUED → IN_PROGRESS: the ETag changes
    message = check(
        error_of(mp.cancel_harvest_job, **ids, ETag=created["ETag"]),
        "ConflictException",
        409,
        ConflictExceptionType="CONFLICTING_OPERATION",
    )
    assert "ETag" in message
    current = mp.get_harvest_job(**ids)
    assert current["Status"] == "IN_PROGRESS"
    mp.cancel_harvest_job(**ids, ETag=current["ETag"])
    assert mp.get_harvest_job(**ids)["Status"] == "CANCELLED"


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("grand-prix-replay", "COMPLETED"),
        ("keynote-rehearsal", "CANCELLED"),
        ("morning-bulletin-legal-hold", "FAILED"),
    ],
)
def test_cancelling_a_finished_job(mp, name: str, status: str) -> None:
    job = next(
        j
        for g in ("live-sports", "news-24x7", "events-popup")
        for j in mp.list_harvest_jobs(ChannelGroupName=g, MaxResults=100)["Items"]
        if j["HarvestJobName"] == name
    )
    assert job["Status"] == status
    ids = {
        k: job[k]
        for k in ("ChannelGroupName", "ChannelName", "OriginEndpointName", "HarvestJobName")
    }
    message = invalid(
        error_of(mp.cancel_harvest_job, **ids, ETag=job["ETag"]),
        "HARVEST_JOB_INELIGIBLE_FOR_CANCELLATION",
    )
    assert status in message


@pytest.mark.parametrize(
    ("schedule", "subtype"),
    [
        (
            {"StartTime": DEMO_NOW - timedelta(hours=1), "EndTime": DEMO_NOW - timedelta(hours=2)},
            "END_TIME_EARLIER_THAN_START_TIME",
        ),
        (
            {"StartTime": DEMO_NOW - timedelta(hours=1), "EndTime": DEMO_NOW - timedelta(hours=1)},
            "END_TIME_EARLIER_THAN_START_TIME",
        ),
        (
            {"StartTime": DEMO_NOW - timedelta(hours=30), "EndTime": DEMO_NOW - timedelta(hours=5)},
            "INVALID_HARVEST_JOB_DURATION",
        ),
        (
            {
                "StartTime": DEMO_NOW + timedelta(minutes=5),
                "EndTime": DEMO_NOW + timedelta(hours=1),
            },
            "MEMBER_INVALID",
        ),
        (
            {
                "StartTime": DEMO_NOW - timedelta(days=15),
                "EndTime": DEMO_NOW - timedelta(days=15) + timedelta(hours=1),
            },
            "MEMBER_INVALID",
        ),
    ],
)
def test_invalid_windows(mp, schedule: dict, subtype: str) -> None:
    invalid(error_of(mp.create_harvest_job, **create_args(ScheduleConfiguration=schedule)), subtype)


def test_exactly_24_hours_is_allowed(mp) -> None:
    schedule = {
        "StartTime": DEMO_NOW - timedelta(hours=25),
        "EndTime": DEMO_NOW - timedelta(hours=1),
    }
    assert mp.create_harvest_job(**create_args(ScheduleConfiguration=schedule))["Status"]


def test_manifest_not_on_endpoint(mp) -> None:
    for manifests in (
        {"HlsManifests": [{"ManifestName": "nope"}]},
        {"DashManifests": [{"ManifestName": "index"}]},  # hls-ts is TS: no DASH
    ):
        args = create_args(OriginEndpointName="hls-ts", HarvestedManifests=manifests)
        message = invalid(
            error_of(mp.create_harvest_job, **args), "HARVESTED_MANIFEST_NOT_FOUND_ON_ENDPOINT"
        )
        assert "hls-ts" in message


def test_no_manifests(mp) -> None:
    args = create_args(HarvestedManifests={})
    invalid(error_of(mp.create_harvest_job, **args), "NUM_MANIFESTS_LOW")


def test_duplicate_name_in_the_channel(mp) -> None:
    mp.create_harvest_job(**create_args(HarvestJobName="dup"))
    other_endpoint = create_args(HarvestJobName="dup", OriginEndpointName="hls-ts")
    message = check(
        error_of(mp.create_harvest_job, **other_endpoint),
        "ConflictException",
        409,
        ConflictExceptionType="RESOURCE_ALREADY_EXISTS",
    )
    assert "dup" in message


def test_same_token_different_params(mp) -> None:
    mp.create_harvest_job(**create_args(ClientToken="tok-1", HarvestJobName="a"))
    response = error_of(
        mp.create_harvest_job, **create_args(ClientToken="tok-1", HarvestJobName="b")
    )
    check(response, "ConflictException", 409, ConflictExceptionType="IDEMPOTENT_PARAMETER_MISMATCH")


def test_eleventh_active_job_in_a_group(sandbox: Sandbox, mp) -> None:
    group = "events-popup"
    active = len(sandbox.store.active_jobs(group))
    args = create_args(ChannelGroupName=group, ChannelName="keynote-live")
    for n in range(MAX_ACTIVE_JOBS_PER_GROUP - active):
        mp.create_harvest_job(**args, HarvestJobName=f"fill-{n}")
    response = error_of(mp.create_harvest_job, **args, HarvestJobName="eleventh")
    assert response["Error"]["Code"] == "ServiceQuotaExceededException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 402
    assert str(MAX_ACTIVE_JOBS_PER_GROUP) in response["Error"]["Message"]
    sandbox.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert mp.create_harvest_job(**args, HarvestJobName="eleventh")["Status"] == "QUEUED"


def test_tampered_next_token(mp) -> None:
    token = mp.list_harvest_jobs(ChannelGroupName="live-sports", MaxResults=2)["NextToken"]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage!", "e30"):
        response = error_of(mp.list_harvest_jobs, ChannelGroupName="live-sports", NextToken=bad)
        invalid(response, "INVALID_PAGINATION_TOKEN")
    other_query = error_of(mp.list_harvest_jobs, ChannelGroupName="news-24x7", NextToken=token)
    invalid(other_query, "INVALID_PAGINATION_TOKEN")
    other_list = error_of(mp.list_channel_groups, NextToken=token)
    invalid(other_list, "INVALID_PAGINATION_TOKEN")


def test_malformed_arn(mp) -> None:
    invalid(error_of(mp.list_tags_for_resource, ResourceArn="arn:aws:s3:::bucket"), "INVALID_ARN")


def _request(sandbox: Sandbox, method: str, path: str, body: bytes = b"") -> tuple[int, dict, dict]:
    url = urlsplit(sandbox.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = json.loads(response.read())
    conn.close()
    return response.status, dict(response.getheaders()), payload


def test_unknown_route(sandbox: Sandbox) -> None:
    status, headers, body = _request(sandbox, "GET", "/nothing/here")
    assert status == 404
    assert headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert uuid.UUID(headers["x-amzn-RequestId"])
    assert "GET /nothing/here" in body["Message"]
    assert sandbox.request_counts["UnknownOperation"] == 1


def test_deleting_a_group_with_channels_conflicts(sandbox: Sandbox) -> None:
    status, headers, body = _request(sandbox, "DELETE", "/channelGroup/live-sports")
    assert status == 409 and body["ConflictExceptionType"] == "RESOURCE_IN_USE"
    assert headers["x-amzn-ErrorType"] == "ConflictException"


def test_malformed_json_body(sandbox: Sandbox) -> None:
    path = "/channelGroup/live-sports/channel/football-main/originEndpoint/cmaf-main/harvestJob"
    status, headers, _ = _request(sandbox, "POST", path, b"{not json")
    assert status == 400 and headers["x-amzn-ErrorType"] == "SerializationException"
    status, _, _ = _request(sandbox, "POST", path, b'{"ScheduleConfiguration": 5}')
    assert status == 400


def test_non_integer_query_value(sandbox: Sandbox) -> None:
    status, _, body = _request(sandbox, "GET", "/channelGroup?maxResults=lots")
    assert status == 400 and "maxResults" in body["Message"]
