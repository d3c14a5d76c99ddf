"""Creating, updating and deleting groups, channels and endpoints; policies, tags, resets."""

from __future__ import annotations

import json

from sandbox_helpers import JOB, create_args, error_of

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox

POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]})


def _code(response: dict) -> tuple[str, str | None]:
    error = response["Error"]["Code"]
    return error, response.get("ConflictExceptionType") or response.get("ValidationExceptionType")


def test_channel_group_lifecycle(clock: FrozenClock, mp) -> None:
    created = mp.create_channel_group(ChannelGroupName="new-group", Description="first")
    assert created["CreatedAt"] == created["ModifiedAt"] == DEMO_NOW
    assert created["EgressDomain"].endswith(".mediapackagev2.us-east-1.amazonaws.com")
    duplicate = error_of(mp.create_channel_group, ChannelGroupName="new-group")
    assert _code(duplicate) == ("ConflictException", "RESOURCE_ALREADY_EXISTS")
    updated = mp.update_channel_group(
        ChannelGroupName="new-group", ETag=created["ETag"], Description="second"
    )
    assert updated["Description"] == "second" and updated["ETag"] != created["ETag"]
    stale = error_of(mp.update_channel_group, ChannelGroupName="new-group", ETag=created["ETag"])
    assert _code(stale) == ("ConflictException", "CONFLICTING_OPERATION")
    clock.advance(60)
    again = mp.update_channel_group(ChannelGroupName="new-group", Description="third")
    assert again["ModifiedAt"] > updated["ModifiedAt"] and again["CreatedAt"] == DEMO_NOW
    mp.delete_channel_group(ChannelGroupName="new-group")
    missing = error_of(mp.get_channel_group, ChannelGroupName="new-group")
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    mp.delete_channel_group(ChannelGroupName="new-group")  # deletes are idempotent


def test_idempotent_create_returns_the_same_group(mp) -> None:
    first = mp.create_channel_group(ChannelGroupName="once", ClientToken="tok-g")
    second = mp.create_channel_group(ChannelGroupName="once", ClientToken="tok-g")
    assert first["ETag"] == second["ETag"]
    other = error_of(
        mp.create_channel_group, ChannelGroupName="once", ClientToken="tok-g", Description="x"
    )
    assert _code(other) == ("ConflictException", "IDEMPOTENT_PARAMETER_MISMATCH")


def test_deletes_refuse_while_children_remain(mp) -> None:
    response = error_of(mp.delete_channel_group, ChannelGroupName=JOB[0])
    assert _code(response) == ("ConflictException", "RESOURCE_IN_USE")
    response = error_of(mp.delete_channel, ChannelGroupName=JOB[0], ChannelName=JOB[1])
    assert _code(response) == ("ConflictException", "RESOURCE_IN_USE")


def test_channel_lifecycle(mp) -> None:
    mp.create_channel_group(ChannelGroupName="g2")
    cmaf_only = error_of(
        mp.create_channel,
        ChannelGroupName="g2",
        ChannelName="c",
        InputType="HLS",
        OutputLockingMode="EPOCH_LOCKED",
    )
    assert _code(cmaf_only) == (
        "ValidationException",
        "ONLY_CMAF_INPUT_TYPE_ALLOW_OUTPUT_LOCKING_MODE",
    )
    created = mp.create_channel(
        ChannelGroupName="g2", ChannelName="c", InputType="CMAF", Tags={"a": "1"}
    )
    assert created["InputType"] == "CMAF" and created["IngestEndpoints"]
    updated = mp.update_channel(
        ChannelGroupName="g2", ChannelName="c", ETag=created["ETag"], Description="d"
    )
    assert updated["ETag"] != created["ETag"]
    assert mp.get_channel(ChannelGroupName="g2", ChannelName="c")["Description"] == "d"
    reset = mp.reset_channel_state(ChannelGroupName="g2", ChannelName="c")
    assert reset["ResetAt"] == DEMO_NOW and reset["Arn"] == created["Arn"]
    assert mp.get_channel(ChannelGroupName="g2", ChannelName="c")["ResetAt"] == DEMO_NOW
    mp.delete_channel(ChannelGroupName="g2", ChannelName="c")
    mp.delete_channel_group(ChannelGroupName="g2")


def test_origin_endpoint_lifecycle(mp) -> None:
    where = {"ChannelGroupName": JOB[0], "ChannelName": JOB[1]}
    ts_dash = error_of(
        mp.create_origin_endpoint,
        **where,
        OriginEndpointName="bad",
        ContainerType="TS",
        DashManifests=[{"ManifestName": "d"}],
    )
    assert _code(ts_dash) == ("ValidationException", "TS_CONTAINER_TYPE_WITH_DASH_MANIFEST")
    clash = error_of(
        mp.create_origin_endpoint,
        **where,
        OriginEndpointName="bad",
        ContainerType="CMAF",
        HlsManifests=[{"ManifestName": "x"}],
        DashManifests=[{"ManifestName": "x"}],
    )
    assert _code(clash) == ("ValidationException", "MANIFEST_NAME_COLLISION")
    created = mp.create_origin_endpoint(
        **where,
        OriginEndpointName="new-ep",
        ContainerType="CMAF",
        StartoverWindowSeconds=7200,
        Segment={"SegmentDurationSeconds": 4},
        HlsManifests=[{"ManifestName": "main", "ManifestWindowSeconds": 30}],
    )
    assert created["HlsManifests"][0]["ManifestWindowSeconds"] == 30
    assert created["HlsManifests"][0]["Url"].endswith("/new-ep/main.m3u8")
    assert created["Segment"]["SegmentDurationSeconds"] == 4
    ep = {**where, "OriginEndpointName": "new-ep"}
    immutable = error_of(mp.update_origin_endpoint, **ep, ContainerType="TS")
    assert _code(immutable) == ("ValidationException", "CONTAINER_TYPE_IMMUTABLE")
    updated = mp.update_origin_endpoint(
        **ep, ContainerType="CMAF", ETag=created["ETag"], DashManifests=[{"ManifestName": "d"}]
    )
    assert [m["ManifestName"] for m in updated["DashManifests"]] == ["d"]
    stale = error_of(mp.update_origin_endpoint, **ep, ContainerType="CMAF", ETag=created["ETag"])
    assert _code(stale) == ("ConflictException", "CONFLICTING_OPERATION")
    assert mp.reset_origin_endpoint_state(**ep)["ResetAt"] == DEMO_NOW
    job = mp.create_harvest_job(
        **create_args(
            OriginEndpointName="new-ep",
            HarvestJobName="on-new-ep",
            HarvestedManifests={"HlsManifests": [{"ManifestName": "main"}]},
        )
    )
    mp.delete_origin_endpoint(**ep)  # its harvest jobs go with it
    gone = error_of(mp.get_harvest_job, **ep, HarvestJobName=job["HarvestJobName"])
    assert gone["Error"]["Code"] == "ResourceNotFoundException"
    names = [e["OriginEndpointName"] for e in mp.list_origin_endpoints(**where)["Items"]]
    assert "new-ep" not in names


def test_policies(mp) -> None:
    where = {"ChannelGroupName": JOB[0], "ChannelName": JOB[1]}
    missing = error_of(mp.get_channel_policy, **where)
    assert missing["Error"]["Code"] == "ResourceNotFoundException"
    invalid = error_of(mp.put_channel_policy, **where, Policy="not json")
    assert _code(invalid) == ("ValidationException", "INVALID_POLICY")
    mp.put_channel_policy(**where, Policy=POLICY)
    assert mp.get_channel_policy(**where)["Policy"] == POLICY
    mp.delete_channel_policy(**where)
    assert error_of(mp.get_channel_policy, **where)["Error"]["Code"] == (
        "ResourceNotFoundException"
    )
    ep = {**where, "OriginEndpointName": JOB[2]}
    mp.put_origin_endpoint_policy(**ep, Policy=POLICY)
    assert mp.get_origin_endpoint_policy(**ep)["Policy"] == POLICY
    mp.delete_origin_endpoint_policy(**ep)
    assert error_of(mp.get_origin_endpoint_policy, **ep)["Error"]["Code"] == (
        "ResourceNotFoundException"
    )


def test_tags(mp) -> None:
    arn = mp.get_channel(ChannelGroupName=JOB[0], ChannelName=JOB[1])["Arn"]
    mp.tag_resource(ResourceArn=arn, Tags={"new": "tag", "team": "other"})
    tags = mp.list_tags_for_resource(ResourceArn=arn)["Tags"]
    assert tags["new"] == "tag" and tags["team"] == "other"
    mp.untag_resource(ResourceArn=arn, TagKeys=["new", "absent"])
    assert "new" not in mp.list_tags_for_resource(ResourceArn=arn)["Tags"]
    bad = error_of(mp.tag_resource, ResourceArn="arn:aws:s3:::b", Tags={"a": "b"})
    assert _code(bad) == ("ValidationException", "INVALID_ARN")


def test_a_new_endpoint_without_startover_refuses_harvest_jobs(mp, sandbox: Sandbox) -> None:
    mp.create_origin_endpoint(
        ChannelGroupName=JOB[0],
        ChannelName=JOB[1],
        OriginEndpointName="no-startover",
        ContainerType="CMAF",
        HlsManifests=[{"ManifestName": "index"}],
    )
    response = error_of(mp.create_harvest_job, **create_args(OriginEndpointName="no-startover"))
    assert _code(response) == ("ValidationException", "MEMBER_INVALID")
    assert "startover" in response["Error"]["Message"]
