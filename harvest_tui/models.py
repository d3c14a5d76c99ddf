"""The domain: frozen dataclasses for MediaPackage v2 resources.

They exist so that the UI and the tests speak of channel groups and jobs, not of
botocore's dictionaries. This module imports neither boto3 nor textual. Every
timestamp is a tz-aware UTC datetime.
"""

from __future__ import annotations

import copyreg
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from operator import attrgetter
from sys import intern
from types import MappingProxyType
from typing import Any

EMPTY_TAGS: Mapping[str, str] = MappingProxyType({})


# Models cross from the service worker as pickles (worker/); their read-only
# mappings go as a copy of their contents.
def _read_only(contents: dict[Any, Any]) -> Mapping[Any, Any]:
    return MappingProxyType(contents)


def _reduce_read_only(proxy: MappingProxyType[Any, Any]) -> Any:
    return (_read_only, (dict(proxy),))


copyreg.pickle(MappingProxyType, _reduce_read_only)


class JobStatus(StrEnum):
    """HarvestJobStatus from the service model."""

    QUEUED = "QUEUED"
    IN_PROGRESS = "IN_PROGRESS"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.CANCELLED, JobStatus.COMPLETED, JobStatus.FAILED)

    @classmethod
    def parse(cls, value: str) -> JobStatus | str:
        """The status, or the raw string when the service sends one we do not know."""
        try:
            return cls(value)
        except ValueError:
            return value


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.IN_PROGRESS)


def utc(value: datetime | None) -> datetime | None:
    """A tz-aware UTC datetime (naive values are taken to be UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _tags(raw: Mapping[str, str] | None) -> Mapping[str, str] | None:
    return None if raw is None else MappingProxyType(dict(raw))


@dataclass(frozen=True, slots=True)
class ChannelGroup:
    """A channel group: the top of the tree, and the scope of one ListHarvestJobs chain."""

    name: str
    arn: str
    created_at: datetime
    modified_at: datetime
    description: str | None = None
    egress_domain: str | None = None
    etag: str | None = None
    tags: Mapping[str, str] | None = None  # None: not fetched yet

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> ChannelGroup:
        return cls(
            name=d["ChannelGroupName"],
            arn=d["Arn"],
            created_at=utc(d["CreatedAt"]),  # type: ignore[arg-type]
            modified_at=utc(d["ModifiedAt"]),  # type: ignore[arg-type]
            description=d.get("Description"),
            egress_domain=d.get("EgressDomain"),
            etag=d.get("ETag"),
            tags=_tags(d.get("Tags")),
        )


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel of a group: where a live stream comes in."""

    group_name: str
    name: str
    arn: str
    created_at: datetime
    modified_at: datetime
    description: str | None = None
    input_type: str | None = None
    etag: str | None = None
    tags: Mapping[str, str] | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> Channel:
        return cls(
            group_name=d["ChannelGroupName"],
            name=d["ChannelName"],
            arn=d["Arn"],
            created_at=utc(d["CreatedAt"]),  # type: ignore[arg-type]
            modified_at=utc(d["ModifiedAt"]),  # type: ignore[arg-type]
            description=d.get("Description"),
            input_type=d.get("InputType"),
            etag=d.get("ETag"),
            tags=_tags(d.get("Tags")),
        )


@dataclass(frozen=True, slots=True)
class EndpointManifest:
    """A manifest that an origin endpoint serves (HLS, LL-HLS or DASH)."""

    kind: str  # "HLS" | "LL-HLS" | "DASH"
    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class OriginEndpoint:
    """An origin endpoint of a channel: the packaging whose window a harvest job cuts."""

    group_name: str
    channel_name: str
    name: str
    arn: str
    container_type: str
    created_at: datetime | None = None
    modified_at: datetime | None = None
    description: str | None = None
    manifests: tuple[EndpointManifest, ...] = ()
    segment_duration_seconds: int | None = None
    startover_window_seconds: int | None = None
    etag: str | None = None
    tags: Mapping[str, str] | None = None

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> OriginEndpoint:
        manifests: list[EndpointManifest] = []
        for key, kind in (
            ("HlsManifests", "HLS"),
            ("LowLatencyHlsManifests", "LL-HLS"),
            ("DashManifests", "DASH"),
        ):
            for m in d.get(key) or ():
                manifests.append(EndpointManifest(kind, m["ManifestName"], m.get("Url")))
        segment = d.get("Segment") or {}
        return cls(
            group_name=d["ChannelGroupName"],
            channel_name=d["ChannelName"],
            name=d["OriginEndpointName"],
            arn=d["Arn"],
            container_type=d["ContainerType"],
            created_at=utc(d.get("CreatedAt")),
            modified_at=utc(d.get("ModifiedAt")),
            description=d.get("Description"),
            manifests=tuple(manifests),
            segment_duration_seconds=segment.get("SegmentDurationSeconds"),
            startover_window_seconds=d.get("StartoverWindowSeconds"),
            etag=d.get("ETag"),
            tags=_tags(d.get("Tags")),
        )


@dataclass(frozen=True, slots=True)
class Schedule:
    """The window of the live stream a job harvests, in UTC."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a job writes its VOD asset: an S3 bucket and path."""

    bucket: str
    path: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.path.lstrip('/')}"


@dataclass(frozen=True, slots=True)
class HarvestedManifests:
    """The manifests a job harvests, by type (HLS, low-latency HLS, DASH)."""

    hls: tuple[str, ...] = ()
    low_latency_hls: tuple[str, ...] = ()
    dash: tuple[str, ...] = ()

    def by_type(self) -> list[tuple[str, tuple[str, ...]]]:
        """(label, names) for each manifest type, in display order."""
        return [("HLS", self.hls), ("LL-HLS", self.low_latency_hls), ("DASH", self.dash)]

    @property
    def count(self) -> int:
        return len(self.hls) + len(self.low_latency_hls) + len(self.dash)

    @classmethod
    def from_api(cls, d: Mapping[str, Any] | None) -> HarvestedManifests:
        d = d or {}

        def names(key: str) -> tuple[str, ...]:
            return tuple(m["ManifestName"] for m in d.get(key) or ())

        return cls(names("HlsManifests"), names("LowLatencyHlsManifests"), names("DashManifests"))

    def to_api(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for key, names in (
            ("HlsManifests", self.hls),
            ("LowLatencyHlsManifests", self.low_latency_hls),
            ("DashManifests", self.dash),
        ):
            if names:
                out[key] = [{"ManifestName": n} for n in names]
        return out


@dataclass(frozen=True, slots=True)
class HarvestJob:
    """A harvest job, from a list (no tags) or from GetHarvestJob (tags and all)."""

    group_name: str
    channel_name: str
    endpoint_name: str
    name: str
    arn: str
    status: JobStatus | str
    destination: Destination
    manifests: HarvestedManifests
    schedule: Schedule
    created_at: datetime
    modified_at: datetime
    description: str | None = None
    error_message: str | None = None
    etag: str | None = None
    tags: Mapping[str, str] | None = None  # None: not fetched yet (list items carry no tags)

    @property
    def finished(self) -> bool:
        return isinstance(self.status, JobStatus) and self.status.finished

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What identifies the job within a region."""
        return (self.group_name, self.channel_name, self.endpoint_name, self.name)

    @classmethod
    def from_api(cls, d: Mapping[str, Any]) -> HarvestJob:
        s3 = (d.get("Destination") or {}).get("S3Destination") or {}
        sched = d.get("ScheduleConfiguration") or {}
        return cls(
            # The names every job of a list repeats are one string each, not one a job:
            # the pages the worker sends then carry each once (pickle shares them).
            group_name=intern(d["ChannelGroupName"]),
            channel_name=intern(d["ChannelName"]),
            endpoint_name=intern(d["OriginEndpointName"]),
            name=d["HarvestJobName"],
            arn=d["Arn"],
            status=JobStatus.parse(d["Status"]),
            destination=Destination(
                intern(s3.get("BucketName", "")), s3.get("DestinationPath", "")
            ),
            manifests=HarvestedManifests.from_api(d.get("HarvestedManifests")),
            schedule=Schedule(utc(sched["StartTime"]), utc(sched["EndTime"])),  # type: ignore[arg-type]
            created_at=utc(d["CreatedAt"]),  # type: ignore[arg-type]
            modified_at=utc(d["ModifiedAt"]),  # type: ignore[arg-type]
            description=d.get("Description"),
            error_message=d.get("ErrorMessage"),
            etag=d.get("ETag"),
            tags=_tags(d.get("Tags")),
        )

    def to_json_dict(self) -> dict[str, Any]:
        """The job in GetHarvestJob's shape, with ISO-8601 timestamps, for copying as JSON."""
        out: dict[str, Any] = {
            "Arn": self.arn,
            "ChannelGroupName": self.group_name,
            "ChannelName": self.channel_name,
            "OriginEndpointName": self.endpoint_name,
            "HarvestJobName": self.name,
            "Status": str(self.status),
            "Destination": {
                "S3Destination": {
                    "BucketName": self.destination.bucket,
                    "DestinationPath": self.destination.path,
                }
            },
            "HarvestedManifests": self.manifests.to_api(),
            "ScheduleConfiguration": {
                "StartTime": self.schedule.start.isoformat(),
                "EndTime": self.schedule.end.isoformat(),
            },
            "CreatedAt": self.created_at.isoformat(),
            "ModifiedAt": self.modified_at.isoformat(),
        }
        if self.description is not None:
            out["Description"] = self.description
        if self.error_message is not None:
            out["ErrorMessage"] = self.error_message
        if self.etag is not None:
            out["ETag"] = self.etag
        if self.tags is not None:
            out["Tags"] = dict(self.tags)
        return out


@dataclass(frozen=True, slots=True)
class Observation:
    """A status this session saw a job take, stamped with when the poll saw it."""

    status: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class JobCounts:
    """How many jobs an endpoint (or any scope) has, per status."""

    counts: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, jobs: list[HarvestJob]) -> JobCounts:
        counts: dict[str, int] = {}
        for job in jobs:
            counts[str(job.status)] = counts.get(str(job.status), 0) + 1
        return cls(MappingProxyType(counts))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _pickle_as_values(cls: type[Any]) -> None:
    """Pickle `cls` as its constructor and its field values, taken in C. A slotted
    dataclass otherwise pickles through dataclasses' `__getstate__`, which calls
    `fields()` for every object: 16 % of the service worker's CPU in a fleet load, for
    the thousands of jobs a page chain carries."""
    values = attrgetter(*(f.name for f in fields(cls)))
    if len(fields(cls)) == 1:
        copyreg.pickle(cls, lambda obj: (cls, (values(obj),)))
    else:
        copyreg.pickle(cls, lambda obj: (cls, values(obj)))


for _model in (
    ChannelGroup, Channel, EndpointManifest, OriginEndpoint, Schedule, Destination,
    HarvestedManifests, HarvestJob, Observation, JobCounts,
):  # fmt: skip
    _pickle_as_values(_model)

Resource = ChannelGroup | Channel | OriginEndpoint | HarvestJob
