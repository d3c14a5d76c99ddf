"""Plain boto3 baselines for the benchmarks: what a script would do, in one process.

    python boto3_client.py client URL          import boto3 and build a client, timed
    python boto3_client.py walk URL            the five calls to a job's detail
    python boto3_client.py jobs URL G C [E]    one paginator over a channel's jobs
    python boto3_client.py pages URL G [N]     ListHarvestJobs 100 at a time, page by page

Each prints one JSON line: "done" (time.monotonic_ns() when the answer was in hand)
and what it measured. Dummy credentials come from the environment.
"""

from __future__ import annotations

import json
import sys
import time


def client(url: str):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client("mediapackagev2", endpoint_url=url, region_name="us-east-1")


def setup(url: str) -> dict[str, object]:
    """What importing boto3 and building a client costs a process, alone."""
    start = time.monotonic_ns()
    client(url)
    done = time.monotonic_ns()
    return {"done": done, "elapsed_ns": done - start}


def walk(url: str) -> dict[str, object]:
    """The first group, its first channel, first endpoint, first job, and its Get."""
    c = client(url)
    group = min(i["ChannelGroupName"] for i in c.list_channel_groups()["Items"])
    channel = min(i["ChannelName"] for i in c.list_channels(ChannelGroupName=group)["Items"])
    endpoints = c.list_origin_endpoints(ChannelGroupName=group, ChannelName=channel)["Items"]
    endpoint = min(i["OriginEndpointName"] for i in endpoints)
    jobs = c.list_harvest_jobs(
        ChannelGroupName=group, ChannelName=channel, OriginEndpointName=endpoint
    )["Items"]
    job = min(i["HarvestJobName"] for i in jobs)
    detail = c.get_harvest_job(
        ChannelGroupName=group,
        ChannelName=channel,
        OriginEndpointName=endpoint,
        HarvestJobName=job,
    )
    return {"done": time.monotonic_ns(), "job": detail["HarvestJobName"]}


def jobs(url: str, group: str, channel: str, endpoint: str | None = None) -> dict[str, object]:
    """A warm client (one call made), then every job of the scope through a paginator."""
    c = client(url)
    c.list_channel_groups()
    params = {"ChannelGroupName": group, "ChannelName": channel}
    if endpoint:
        params["OriginEndpointName"] = endpoint
    start = time.monotonic_ns()
    items = [
        item
        for page in c.get_paginator("list_harvest_jobs").paginate(**params)
        for item in page["Items"]
    ]
    done = time.monotonic_ns()
    return {"done": done, "elapsed_ns": done - start, "jobs": len(items)}


def pages(url: str, group: str, rounds: str = "1") -> dict[str, object]:
    """Time each ListHarvestJobs page (MaxResults 100) over the whole group, `rounds` times."""
    c = client(url)
    c.list_channel_groups()
    times: list[list[int]] = []
    for _ in range(int(rounds)):
        token: str | None = None
        this: list[int] = []
        while True:
            params: dict[str, object] = {"ChannelGroupName": group, "MaxResults": 100}
            if token:
                params["NextToken"] = token
            start = time.monotonic_ns()
            answer = c.list_harvest_jobs(**params)
            this.append(time.monotonic_ns() - start)
            token = answer.get("NextToken")
            if not token:
                break
        times.append(this)
    return {"done": time.monotonic_ns(), "page_ns": times}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    result = {"client": setup, "walk": walk, "jobs": jobs, "pages": pages}[command](*args)
    print(json.dumps(result), flush=True)
