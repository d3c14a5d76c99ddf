"""The reads and the harvest jobs: what the service *does* for each of those operations.

Routing, binding, validation and serialization are generic (model.py, shapes.py);
what is left here is behaviour. Adding an operation means adding a function
decorated with @handler("OperationName") (registry.py); changes.py holds the
operations that create, update and delete the other resources.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from harvest_tui.sandbox import changes
from harvest_tui.sandbox.errors import ApiError, conflict, validation
from harvest_tui.sandbox.records import FINISHED, ChannelGroupRec, ChannelRec, EndpointRec, JobRec
from harvest_tui.sandbox.registry import (
    HANDLERS,
    MISSING_OVERRIDES,
    check_etag,
    handler,
    remember,
    replayed,
)
from harvest_tui.sandbox.store import MAX_ACTIVE_JOBS_PER_GROUP, Store, job_key
from harvest_tui.sandbox.views import (
    channel_summary,
    channel_view,
    endpoint_summary,
    endpoint_view,
    group_summary,
    group_view,
    job_view,
)

__all__ = ["HANDLERS", "MISSING_OVERRIDES", "changes", "channel_group_of"]
MAX_WINDOW = timedelta(hours=24)


def _page(
    store: Store, scope: str, items: list[Any], key: Any, p: dict[str, Any], keep: Any = None
) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` and the NextToken member, if there are more."""
    found, token = store.page_of(scope, items, key, p.get("MaxResults"), p.get("NextToken"), keep)
    return found, {"NextToken": token} if token else {}


def _name(item: ChannelGroupRec | ChannelRec | EndpointRec) -> str:
    return item.name


@handler("ListChannelGroups")
def list_channel_groups(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    groups = sorted(store.groups.values(), key=_name)
    found, more = _page(store, "ListChannelGroups", groups, _name, p)
    return {"Items": [group_summary(g) for g in found], **more}


@handler("GetChannelGroup")
def get_channel_group(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return group_view(store.channel_group(p["ChannelGroupName"]))


@handler("ListChannels")
def list_channels(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group = store.channel_group(p["ChannelGroupName"])
    channels = sorted(group.channels.values(), key=_name)
    found, more = _page(store, f"ListChannels|{group.name}", channels, _name, p)
    return {"Items": [channel_summary(c) for c in found], **more}


@handler("GetChannel")
def get_channel(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return channel_view(store.channel(p["ChannelGroupName"], p["ChannelName"]))


@handler("ListOriginEndpoints")
def list_origin_endpoints(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    channel = store.channel(p["ChannelGroupName"], p["ChannelName"])
    egress = store.groups[channel.group].egress_domain
    endpoints = sorted(channel.endpoints.values(), key=_name)
    scope = f"ListOriginEndpoints|{channel.group}|{channel.name}"
    found, more = _page(store, scope, endpoints, _name, p)
    return {"Items": [endpoint_summary(e, egress) for e in found], **more}


@handler("GetOriginEndpoint")
def get_origin_endpoint(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    args = p["ChannelGroupName"], p["ChannelName"], p["OriginEndpointName"]
    return endpoint_view(store.origin_endpoint(*args), store.groups[args[0]].egress_domain)


@handler("ListHarvestJobs")
def list_harvest_jobs(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group = store.channel_group(p["ChannelGroupName"])
    channel, endpoint, status = p.get("ChannelName"), p.get("OriginEndpointName"), p.get("Status")
    if channel is not None:
        store.channel(group.name, channel)
        if endpoint is not None:
            store.origin_endpoint(group.name, channel, endpoint)
    now = store.now()

    def keep(job: JobRec) -> bool:
        return (
            (channel is None or job.channel == channel)
            and (endpoint is None or job.endpoint == endpoint)
            and (status is None or job.status(now) == status)
        )

    scope = f"ListHarvestJobs|{group.name}|{channel}|{endpoint}|{status}"
    found, more = _page(store, scope, group.jobs, job_key, p, keep)
    return {"Items": [job_view(j, now, tags=False) for j in found], **more}


@handler("GetHarvestJob")
def get_harvest_job(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    job = store.harvest_job(*_job_path(p))
    return job_view(job, store.now())


def _job_path(p: dict[str, Any]) -> tuple[str, str, str, str]:
    return p["ChannelGroupName"], p["ChannelName"], p["OriginEndpointName"], p["HarvestJobName"]


@handler(
    "CreateHarvestJob",
    missing={"Destination": "HARVEST_JOB_S3_DESTINATION_MISSING_OR_INCOMPLETE"},
)
def create_harvest_job(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group, channel, name = p["ChannelGroupName"], p["ChannelName"], p.get("HarvestJobName")
    endpoint = store.origin_endpoint(group, channel, p["OriginEndpointName"])
    now = store.now()
    again = replayed(store, "CreateHarvestJob", p, store.harvest_job)
    if again is not None:
        return job_view(again, now)
    if name is None:
        name = store.generated_job_name(p.get("ClientToken"))
    if name in store.channel(group, channel).job_names:
        raise conflict(
            "RESOURCE_ALREADY_EXISTS",
            f"A harvest job named {name} already exists in channel {channel}.",
        )
    _check_manifests(endpoint, p["HarvestedManifests"])
    start = p["ScheduleConfiguration"]["StartTime"]
    end = p["ScheduleConfiguration"]["EndTime"]
    _check_schedule(endpoint, start, end, now)
    if len(store.active_jobs(group)) >= MAX_ACTIVE_JOBS_PER_GROUP:
        raise ApiError(
            "ServiceQuotaExceededException",
            f"Channel group {group} already has {MAX_ACTIVE_JOBS_PER_GROUP} harvest jobs "
            "queued or in progress (the quota of active harvest jobs per channel group). "
            "Wait for one to finish, or cancel one.",
        )
    s3 = p["Destination"]["S3Destination"]
    job = store.add_harvest_job(
        group,
        channel,
        endpoint.name,
        name,
        start=start,
        end=end,
        bucket=s3["BucketName"],
        path=s3["DestinationPath"],
        manifests=p["HarvestedManifests"],
        created_at=now,
        description=p.get("Description"),
        tags=p.get("Tags") or {},
    )
    remember(store, "CreateHarvestJob", p, (group, channel, endpoint.name, name))
    return job_view(job, now)


_MANIFEST_KINDS = {
    "HlsManifests": "hls",
    "LowLatencyHlsManifests": "ll_hls",
    "DashManifests": "dash",
}


def _check_manifests(endpoint: EndpointRec, asked: dict[str, list[dict[str, str]]]) -> None:
    if not any(asked.get(kind) for kind in _MANIFEST_KINDS):
        raise validation("NUM_MANIFESTS_LOW", "Specify at least one manifest to harvest.")
    for kind, attr in _MANIFEST_KINDS.items():
        present: tuple[str, ...] = getattr(endpoint, attr)
        for item in asked.get(kind, []):
            if item["ManifestName"] not in present:
                raise validation(
                    "HARVESTED_MANIFEST_NOT_FOUND_ON_ENDPOINT",
                    f"{kind} manifest {item['ManifestName']} is not on origin endpoint "
                    f"{endpoint.name} (it has: {', '.join(present) or 'none'}).",
                )


def _check_schedule(endpoint: EndpointRec, start: Any, end: Any, now: Any) -> None:
    if end <= start:
        raise validation(
            "END_TIME_EARLIER_THAN_START_TIME",
            "ScheduleConfiguration.EndTime must be later than ScheduleConfiguration.StartTime.",
        )
    if end - start > MAX_WINDOW:
        raise validation(
            "INVALID_HARVEST_JOB_DURATION",
            "The harvest window (EndTime - StartTime) must not be longer than 24 hours.",
        )
    if start > now:
        raise validation(
            "MEMBER_INVALID",
            "ScheduleConfiguration.StartTime must not be in the future: harvest jobs "
            "export content that the origin endpoint has already received.",
        )
    window = endpoint.startover_window_seconds
    if window is None or start < now - timedelta(seconds=window):
        raise validation(
            "MEMBER_INVALID",
            "ScheduleConfiguration.StartTime is outside the origin endpoint's startover "
            f"window ({window or 0} seconds): that content is no longer available.",
        )


@handler("CancelHarvestJob")
def cancel_harvest_job(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    job = store.harvest_job(*_job_path(p))
    now = store.now()
    status = job.status(now)
    if status in FINISHED:
        raise validation(
            "HARVEST_JOB_INELIGIBLE_FOR_CANCELLATION",
            f"Harvest job {job.name} is {status} and can no longer be cancelled.",
        )
    check_etag(p.get("ETag"), job.etag(now), f"Harvest job {job.name} (now {status})")
    job.cancelled_at = now
    store.groups[job.group].active.discard(job)
    return {}


def channel_group_of(p: dict[str, Any]) -> str | None:
    """The channel group a request touches (for deny_groups), if any."""
    if "ChannelGroupName" in p:
        return str(p["ChannelGroupName"])
    arn = str(p.get("ResourceArn", ""))
    return arn.partition(":channelGroup/")[2].split("/")[0] or None
