"""The generic router, binder and validator against botocore's own serializer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from botocore.serialize import create_serializer

from harvest_tui.sandbox.handlers import HANDLERS
from harvest_tui.sandbox.model import bind_input, match_route, routes, service_model
from harvest_tui.sandbox.shapes import violations

STAMP = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SAMPLES = {
    "ListHarvestJobs": {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "Status": "FAILED",
        "MaxResults": 7,
        "NextToken": "abc/+=",
    },
    "CreateHarvestJob": {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "Description": "d",
        "HarvestJobName": "j",
        "ClientToken": "tok",
        "Tags": {"k": "v"},
        "HarvestedManifests": {
            "HlsManifests": [{"ManifestName": "index"}],
            "DashManifests": [{"ManifestName": "d"}],
        },
        "ScheduleConfiguration": {"StartTime": STAMP, "EndTime": STAMP},
        "Destination": {"S3Destination": {"BucketName": "bkt", "DestinationPath": "p/"}},
    },
    "CancelHarvestJob": {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "HarvestJobName": "j",
        "ETag": "abc+/=",
    },
    "ListTagsForResource": {
        "ResourceArn": "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g/channel/c"
    },
    "GetChannel": {"ChannelGroupName": "g", "ChannelName": "c"},
    "ListChannelGroups": {"MaxResults": 3, "NextToken": "t"},
    "UntagResource": {
        "ResourceArn": "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g",
        "TagKeys": ["a", "b c"],
    },
    "TagResource": {
        "ResourceArn": "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g",
        "Tags": {"a": "1"},
    },
    "PutOriginEndpointPolicy": {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "Policy": '{"Statement": []}',
    },
    "UpdateChannelGroup": {"ChannelGroupName": "g", "ETag": "e", "Description": "d"},
}


def test_handlers_cover_the_operations() -> None:
    assert set(HANDLERS) == set(service_model().operation_names)


@pytest.mark.parametrize("name", sorted(service_model().operation_names))
def test_every_modeled_route_finds_its_operation(name: str) -> None:
    op = service_model().operation_model(name)
    path, _, query = op.http["requestUri"].partition("?")
    path = re.sub(r"\{[^}]+\}", "x1", path)
    matched = match_route(op.http["method"], path, {k: [""] for k in query.split("&") if k})
    assert matched is not None and matched[0].name == name


def test_routes_come_from_the_model() -> None:
    assert len(routes()) == len(service_model().operation_names)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_binder_inverts_botocores_serializer(name: str) -> None:
    op = service_model().operation_model(name)
    request = create_serializer("rest-json").serialize_to_request(SAMPLES[name], op)
    query = {
        k: [str(x) for x in v] if isinstance(v, list) else [str(v)]
        for k, v in request["query_string"].items()
    }
    target = request["url_path"] + ("?" + urlencode(query, doseq=True) if query else "")
    path, _, _ = target.partition("?")
    matched = match_route(request["method"], path, query)
    assert matched is not None and matched[0].name == name
    body = request["body"] if isinstance(request["body"], bytes) else request["body"].encode()
    params = bind_input(op, matched[1], query, request["headers"], body)
    assert params == SAMPLES[name]


def test_validator_walks_nested_shapes() -> None:
    shape = service_model().operation_model("CreateHarvestJob").input_shape
    bad = dict(SAMPLES["CreateHarvestJob"], HarvestedManifests={"HlsManifests": [{}]})
    found = violations(shape, bad)
    assert [(v.subtype, v.path) for v in found] == [
        ("MEMBER_MISSING", "HarvestedManifests.HlsManifests[0].ManifestName")
    ]
    assert violations(shape, SAMPLES["CreateHarvestJob"]) == []


def test_the_serializer_names_where_an_output_does_not_fit_its_shape() -> None:
    """A handler's result that its output shape does not allow is the sandbox's bug: the
    error names the value's path, however deep, and the fitting values convert."""
    from harvest_tui.sandbox.shapes import OutputError, to_json

    shape = service_model().operation_model("ListHarvestJobs").output_shape
    assert shape is not None
    when = datetime(2026, 11, 2, 14, 30, 0, 250000, tzinfo=UTC)
    job = {
        "ChannelGroupName": "g",
        "ChannelName": "c",
        "OriginEndpointName": "e",
        "HarvestJobName": "j",
        "HarvestedManifests": {"HlsManifests": [{"ManifestName": "m"}]},
        "ScheduleConfiguration": {"StartTime": when, "EndTime": when},
        "Destination": {"S3Destination": {"BucketName": "b", "DestinationPath": "p/"}},
        "Arn": "arn",
        "CreatedAt": when,
        "ModifiedAt": when,
        "Status": "QUEUED",
    }
    body = to_json(shape, {"Items": [job], "NextToken": "t"}, shape.name)
    assert body["Items"][0]["ScheduleConfiguration"] == {
        "StartTime": 1793629800.25,
        "EndTime": 1793629800.25,
    }
    assert body["Items"][0]["HarvestedManifests"] == {"HlsManifests": [{"ManifestName": "m"}]}
    assert body["NextToken"] == "t"
    wrong = {**job, "ScheduleConfiguration": {"StartTime": "soon", "EndTime": when}}
    with pytest.raises(OutputError) as error:
        to_json(shape, {"Items": [job, wrong]}, shape.name)
    assert str(error.value) == (
        "ListHarvestJobsResponse.Items[].ScheduleConfiguration.StartTime: "
        "timestamp must be a datetime, not 'soon'"
    )
    with pytest.raises(OutputError, match=r"^ListHarvestJobsResponse.Items\[\]: no member"):
        to_json(shape, {"Items": [{**job, "Tags": {}}]}, shape.name)
    with pytest.raises(OutputError, match=r"Items\[\].Destination.S3Destination: required"):
        to_json(shape, {"Items": [{**job, "Destination": {"S3Destination": {}}}]}, shape.name)
