"""Pagination with botocore's paginators, filters, and the cost of each page."""

from __future__ import annotations

import pytest
from sandbox_helpers import JOB, boto3_client

from harvest_tui.sandbox import FrozenClock, Sandbox, scale

STATUSES = ("QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED")


def pages(mp, operation: str, size: int, **kwargs) -> list[list[dict]]:
    paginator = mp.get_paginator(operation)
    config = {"PageSize": size}
    return [p["Items"] for p in paginator.paginate(**kwargs, PaginationConfig=config)]


@pytest.mark.parametrize(
    ("operation", "kwargs", "key"),
    [
        ("list_channel_groups", {}, "ChannelGroupName"),
        ("list_channels", {"ChannelGroupName": "live-sports"}, "ChannelName"),
        (
            "list_origin_endpoints",
            {"ChannelGroupName": JOB[0], "ChannelName": JOB[1]},
            "OriginEndpointName",
        ),
        ("list_harvest_jobs", {"ChannelGroupName": "live-sports"}, "Arn"),
    ],
)
def test_paginators_walk_every_list(mp, operation: str, kwargs: dict, key: str) -> None:
    everything = getattr(mp, operation)(**kwargs, MaxResults=100)
    assert "NextToken" not in everything
    expected = [item[key] for item in everything["Items"]]
    size = 1 if operation != "list_harvest_jobs" else 5
    walked = pages(mp, operation, size, **kwargs)
    assert len(walked) >= 3
    assert all(len(p) == size for p in walked[:-1])
    assert [item[key] for page in walked for item in page] == expected
    assert len(set(expected)) == len(expected)


def test_lists_are_sorted(mp) -> None:
    jobs = mp.list_harvest_jobs(ChannelGroupName="live-sports", MaxResults=100)["Items"]
    created = [j["CreatedAt"] for j in jobs]
    assert created == sorted(created)
    channels = mp.list_channels(ChannelGroupName="live-sports")["Items"]
    assert [c["ChannelName"] for c in channels] == sorted(c["ChannelName"] for c in channels)


def test_include_status_filter(mp) -> None:
    everything = {
        j["Arn"] for p in pages(mp, "list_harvest_jobs", 100, ChannelGroupName=JOB[0]) for j in p
    }
    union = set()
    for status in STATUSES:
        found = [
            j
            for p in pages(mp, "list_harvest_jobs", 2, ChannelGroupName=JOB[0], Status=status)
            for j in p
        ]
        assert found, status
        assert {j["Status"] for j in found} == {status}
        union |= {j["Arn"] for j in found}
    assert union == everything


def test_channel_and_endpoint_filters(mp) -> None:
    by_channel = [
        j
        for p in pages(mp, "list_harvest_jobs", 3, ChannelGroupName=JOB[0], ChannelName=JOB[1])
        for j in p
    ]
    assert by_channel and {j["ChannelName"] for j in by_channel} == {JOB[1]}
    by_endpoint = [
        j
        for p in pages(
            mp,
            "list_harvest_jobs",
            3,
            ChannelGroupName=JOB[0],
            ChannelName=JOB[1],
            OriginEndpointName=JOB[2],
        )
        for j in p
    ]
    assert by_endpoint and {j["OriginEndpointName"] for j in by_endpoint} == {JOB[2]}
    assert {j["Arn"] for j in by_endpoint} < {j["Arn"] for j in by_channel}
    names = {j["HarvestJobName"] for j in by_endpoint}
    assert {"cup-final-full-match", "cup-final-highlights"} <= names


def test_deleting_between_pages_neither_skips_nor_repeats(sandbox: Sandbox, mp) -> None:
    everything = mp.list_harvest_jobs(ChannelGroupName="live-sports", MaxResults=100)["Items"]
    first = mp.list_harvest_jobs(ChannelGroupName="live-sports", MaxResults=5)
    assert first["Items"] == everything[:5]
    for job in everything[4:6]:  # the last of this page and the first of the next
        sandbox.store.delete_harvest_job(
            job["ChannelGroupName"],
            job["ChannelName"],
            job["OriginEndpointName"],
            job["HarvestJobName"],
        )
    second = mp.list_harvest_jobs(
        ChannelGroupName="live-sports", MaxResults=5, NextToken=first["NextToken"]
    )
    assert [j["Arn"] for j in second["Items"]] == [j["Arn"] for j in everything[6:11]]


def test_no_empty_last_page(mp) -> None:
    everything = mp.list_channels(ChannelGroupName="live-sports")["Items"]
    page = mp.list_channels(ChannelGroupName="live-sports", MaxResults=len(everything))
    assert "NextToken" not in page


@pytest.fixture(scope="module")
def big() -> Sandbox:
    data = scale(jobs=10_000, groups=1, channels=1, endpoints=10)
    with Sandbox(seed=1, clock=FrozenClock(), data=data) as running:
        yield running


def test_pagination_is_linear_over_10000_jobs(big: Sandbox) -> None:
    mp = boto3_client(big)
    big.store.page_scans.clear()
    walked = pages(mp, "list_harvest_jobs", 100, ChannelGroupName="scale-group-01")
    assert sum(len(p) for p in walked) == 10_000
    assert len(walked) == 100
    scans = big.store.page_scans
    assert len(scans) == 100
    assert scans[0] == scans[50] == scans[-2] == 101  # a page plus one peek, wherever it is
    assert sum(scans) <= 10_000 + 100


def test_filtered_pagination_stays_linear(big: Sandbox) -> None:
    mp = boto3_client(big)
    big.store.page_scans.clear()
    found = [
        j
        for p in pages(
            mp, "list_harvest_jobs", 20, ChannelGroupName="scale-group-01", Status="FAILED"
        )
        for j in p
    ]
    assert found and {j["Status"] for j in found} == {"FAILED"}
    assert sum(big.store.page_scans) <= 2 * 10_000  # each item seen at most twice in all
    big.store.page_scans.clear()
    by_endpoint = [
        j
        for p in pages(
            mp,
            "list_harvest_jobs",
            100,
            ChannelGroupName="scale-group-01",
            ChannelName="scale-channel-01",
            OriginEndpointName="scale-endpoint-03",
        )
        for j in p
    ]
    assert len(by_endpoint) == 1_000
    assert sum(big.store.page_scans) <= 2 * 10_000
