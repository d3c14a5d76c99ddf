"""Records → output dicts shaped like the model's output shapes.

Only long-standing members are filled, so the serializer (which rejects members
its botocore model lacks) works with any botocore the package allows; what a
client set at creation (settings, manifest options) is shown through `fit`, so
members this botocore lacks are dropped rather than sent.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from botocore.model import ListShape, Shape

from harvest_tui.sandbox.model import service_model
from harvest_tui.sandbox.records import ChannelGroupRec, ChannelRec, EndpointRec, JobRec
from harvest_tui.sandbox.shapes import fit
from harvest_tui.sandbox.store import domain_for

_EXT = {"hls": "m3u8", "ll_hls": "m3u8", "dash": "mpd", "mss": "ism/manifest"}
MANIFEST_KINDS = {  # output member → EndpointRec attribute
    "HlsManifests": "hls",
    "LowLatencyHlsManifests": "ll_hls",
    "DashManifests": "dash",
    "MssManifests": "mss",
}


@functools.cache
def _member(operation: str, name: str) -> Shape | None:
    """The output member shape `name` of `operation`, if this botocore has it."""
    output = service_model().operation_model(operation).output_shape
    assert output is not None
    return output.members.get(name)


def _settings(operation: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Stored members that `operation`'s output has, fitted to its shapes."""
    out = {}
    for name, value in settings.items():
        shape = _member(operation, name)
        if shape is not None:
            out[name] = fit(shape, value)
    return out


def _some(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def group_summary(g: ChannelGroupRec) -> dict[str, Any]:
    return _some(
        ChannelGroupName=g.name,
        Arn=g.arn,
        CreatedAt=g.created_at,
        ModifiedAt=g.modified_at,
        Description=g.description,
    )


def group_view(g: ChannelGroupRec) -> dict[str, Any]:
    return {**group_summary(g), "EgressDomain": g.egress_domain, "ETag": g.etag, "Tags": g.tags}


def channel_summary(c: ChannelRec) -> dict[str, Any]:
    return _some(
        Arn=c.arn,
        ChannelName=c.name,
        ChannelGroupName=c.group,
        CreatedAt=c.created_at,
        ModifiedAt=c.modified_at,
        Description=c.description,
        InputType=c.input_type,
    )


def channel_view(c: ChannelRec) -> dict[str, Any]:
    ingest = domain_for(c.group, "ingest", c.region)
    endpoints = [
        {
            "Id": str(i),
            "Url": f"https://{ingest.replace('.', f'-{i}.', 1)}/in/v1/{c.group}/{i}/{c.name}/index",
        }
        for i in (1, 2)
    ]
    return {
        **channel_summary(c),
        **_settings("GetChannel", c.settings),
        "IngestEndpoints": endpoints,
        "ETag": c.etag,
        "Tags": c.tags,
        **_some(ResetAt=c.reset_at),
    }


def _url(e: EndpointRec, egress: str, kind: str, manifest: str) -> str:
    return f"https://{egress}/out/v1/{e.group}/{e.channel}/{e.name}/{manifest}.{_EXT[kind]}"


def endpoint_summary(e: EndpointRec, egress: str) -> dict[str, Any]:
    def hls(kind: str) -> list[dict[str, Any]] | None:
        names: tuple[str, ...] = getattr(e, kind)
        return [
            {"ManifestName": n, "ChildManifestName": f"{n}_1", "Url": _url(e, egress, kind, n)}
            for n in names
        ] or None

    dash = [{"ManifestName": n, "Url": _url(e, egress, "dash", n)} for n in e.dash]
    mss = [{"ManifestName": n, "Url": _url(e, egress, "mss", n)} for n in e.mss]
    return _some(
        Arn=e.arn,
        ChannelGroupName=e.group,
        ChannelName=e.channel,
        OriginEndpointName=e.name,
        ContainerType=e.container_type,
        Description=e.description,
        CreatedAt=e.created_at,
        ModifiedAt=e.modified_at,
        HlsManifests=hls("hls"),
        LowLatencyHlsManifests=hls("ll_hls"),
        DashManifests=dash or None,
        MssManifests=mss or None,
    )


def endpoint_view(e: EndpointRec, egress: str) -> dict[str, Any]:
    view = endpoint_summary(e, egress)
    for key in ("HlsManifests", "LowLatencyHlsManifests"):
        for item in view.get(key, []):
            item.update(
                ManifestWindowSeconds=60,
                ProgramDateTimeIntervalSeconds=60,
                ScteHls={"AdMarkerHls": "DATERANGE"},
            )
    for item in view.get("DashManifests", []):
        item.update(
            ManifestWindowSeconds=60,
            MinUpdatePeriodSeconds=e.segment_seconds,
            MinBufferTimeSeconds=30,
            SuggestedPresentationDelaySeconds=12,
            SegmentTemplateFormat="NUMBER_WITH_TIMELINE",
            PeriodTriggers=["AVAILS"],
        )
    for kind in MANIFEST_KINDS:
        shape = _member("GetOriginEndpoint", kind)
        if shape is None:
            continue
        assert isinstance(shape, ListShape)
        for item in view.get(kind, []):
            item.update(fit(shape.member, e.manifest_settings.get(item["ManifestName"], {})))
    segment = {
        "SegmentDurationSeconds": e.segment_seconds,
        "SegmentName": "segment",
        "TsUseAudioRenditionGroup": e.container_type == "TS",
        "IncludeIframeOnlyStreams": False,
        "TsIncludeDvbSubtitles": False,
        "Scte": {"ScteFilter": ["SPLICE_INSERT", "BREAK"]},
    }
    settings = _settings("GetOriginEndpoint", e.settings)
    segment.update(settings.pop("Segment", {}))
    return _some(
        **view,
        **settings,
        Segment=segment,
        StartoverWindowSeconds=e.startover_window_seconds,
        ETag=e.etag,
        Tags=e.tags,
        ResetAt=e.reset_at,
    )


def job_view(j: JobRec, now: datetime, *, tags: bool = True) -> dict[str, Any]:
    """A Get/Create response; list items (the HarvestJob shape) carry no Tags."""
    status, modified = j.state(now)
    return _some(
        ChannelGroupName=j.group,
        ChannelName=j.channel,
        OriginEndpointName=j.endpoint,
        Destination={"S3Destination": {"BucketName": j.bucket, "DestinationPath": j.path}},
        HarvestJobName=j.name,
        HarvestedManifests=j.manifests,
        Description=j.description,
        ScheduleConfiguration={"StartTime": j.start, "EndTime": j.end},
        Arn=j.arn,
        CreatedAt=j.created_at,
        ModifiedAt=modified,
        Status=status,
        ErrorMessage=j.fails_with if status == "FAILED" else None,
        ETag=j.etag(now),
        Tags=j.tags if tags else None,
    )
