"""Region and account come from the request's SigV4 signature, as the service reads them."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from sandbox_helpers import error_of

from harvest_tui.sandbox import ACCOUNT_ID, Sandbox
from harvest_tui.sandbox.demo import EU_DENIED_BUCKET, EU_MISSING_BUCKET
from harvest_tui.sandbox.server import caller_of

OTHER_KEY = "AKIAEXAMPLE123456789012"


def _groups(client) -> list[str]:
    return [g["ChannelGroupName"] for g in client.list_channel_groups()["Items"]]


def test_the_region_comes_from_the_credential_scope(sandbox: Sandbox) -> None:
    eu = sandbox.client(region="eu-west-1")
    assert _groups(eu) == ["eu-broadcast"]
    group = eu.get_channel_group(ChannelGroupName="eu-broadcast")
    assert (
        group["Arn"] == f"arn:aws:mediapackagev2:eu-west-1:{ACCOUNT_ID}:channelGroup/eu-broadcast"
    )
    assert ".mediapackagev2.eu-west-1.amazonaws.com" in group["EgressDomain"]
    assert error_of(eu.get_channel_group, ChannelGroupName="live-sports")["Error"]["Code"] == (
        "ResourceNotFoundException"
    )
    assert _groups(sandbox.client()) == ["events-popup", "live-sports", "news-24x7"]
    assert _groups(sandbox.client(region="ap-south-1")) == []


def test_regions_keep_their_own_changes(sandbox: Sandbox) -> None:
    eu = sandbox.client(region="eu-west-1")
    sandbox.store_for(ACCOUNT_ID, "eu-west-1").add_channel_group("eu-only")
    assert "eu-only" in _groups(eu)
    assert "eu-only" not in _groups(sandbox.client())


def test_eu_demo_jobs_fail_for_bucket_problems(sandbox: Sandbox) -> None:
    eu = sandbox.client(region="eu-west-1")
    failed = eu.list_harvest_jobs(ChannelGroupName="eu-broadcast", Status="FAILED")["Items"]
    messages = {j["Destination"]["S3Destination"]["BucketName"]: j["ErrorMessage"] for j in failed}
    assert "AccessDenied" in messages[EU_DENIED_BUCKET]
    assert "NoSuchBucket" in messages[EU_MISSING_BUCKET]
    statuses = {j["Status"] for j in eu.list_harvest_jobs(ChannelGroupName="eu-broadcast")["Items"]}
    assert statuses == {"COMPLETED", "IN_PROGRESS", "FAILED", "CANCELLED"}


def test_an_access_key_ending_in_12_digits_names_the_account(sandbox: Sandbox) -> None:
    other = sandbox.client(access_key=OTHER_KEY)
    group = other.get_channel_group(ChannelGroupName="live-sports")
    assert group["Arn"] == "arn:aws:mediapackagev2:us-east-1:123456789012:channelGroup/live-sports"
    demo_jobs = sandbox.client().list_harvest_jobs(ChannelGroupName="live-sports")["Items"]
    other_jobs = other.list_harvest_jobs(ChannelGroupName="live-sports")["Items"]
    assert {j["HarvestJobName"] for j in demo_jobs} != {j["HarvestJobName"] for j in other_jobs}
    # Another account's ARN names nothing in this one.
    response = error_of(sandbox.client().list_tags_for_resource, ResourceArn=group["Arn"])
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_unsigned_requests_are_the_demo_account_in_us_east_1(sandbox: Sandbox) -> None:
    url = urlsplit(sandbox.endpoint_url)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
    conn.request("GET", "/channelGroup/live-sports")
    body = json.loads(conn.getresponse().read())
    conn.close()
    assert body["Arn"] == f"arn:aws:mediapackagev2:us-east-1:{ACCOUNT_ID}:channelGroup/live-sports"


def test_caller_of_reads_the_authorization_header() -> None:
    scope = "20261103/eu-west-1/mediapackagev2/aws4_request"
    header = f"AWS4-HMAC-SHA256 Credential=AKID/{scope}, SignedHeaders=host, Signature=ab"
    assert caller_of({"Authorization": header}) == (ACCOUNT_ID, "eu-west-1")
    header = header.replace("AKID", OTHER_KEY)
    assert caller_of({"authorization": header}) == ("123456789012", "eu-west-1")
    assert caller_of({}) == (ACCOUNT_ID, "us-east-1")
    assert caller_of({"Authorization": "Credential=AKID/x/../y"}) == (ACCOUNT_ID, "us-east-1")
