"""The typed interface every caller uses to reach MediaPackage v2: `Backend`.

Two implementations:
- `service.MediaPackageService`: in this process, through boto3;
- `worker.client.WorkerBackend`: through the service worker process (worker/).

The app starts calls on the UI thread and waits for them in thread workers, so a
call through the worker is on its way before any thread has started. That is
`begin(request)`: a `Request` is a frozen dataclass naming one operation and its
arguments (it also travels to the worker as it is), and `begin` returns the function
that waits for its typed answer. Every method raises `errors.ServiceError` (and only
that) when the call fails.

This module imports neither boto3 nor textual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestedManifests,
    HarvestJob,
    JobStatus,
    OriginEndpoint,
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

RetryListener = Callable[[str, int, int], None]
"""Called as (operation, attempt, max_attempts) before each retry of a call."""


class Backend(Protocol):
    """MediaPackage v2 for one profile and region. Thread-safe: workers share it.

    Lists return every page, sorted by name. Raises: `ServiceError` for any failure
    (its code, message, request id and a hint say what went wrong and what to do).
    """

    @property
    def region(self) -> str | None:
        """The region in use: the one asked for, or the one the AWS config resolved."""

    @property
    def profile(self) -> str | None:
        """The AWS profile the calls use (None: the default chain)."""

    @property
    def clock_skew(self) -> float | None:
        """Seconds the local clock is ahead of the service's (negative: behind), from the
        last answer's Date header; None until one has come."""

    def begin(self, request: Request[T]) -> Callable[[], T]:
        """Start `request`; the function returned waits for its answer (or raises). It
        may also have `ready()`, true once waiting takes no time (see `answered`)."""

    def retries_reported_to(self, listener: RetryListener) -> AbstractContextManager[None]:
        """Report each retry of the calls begun or waited for in this thread."""

    def list_channel_groups(self) -> list[ChannelGroup]:
        """Returns: every channel group of the region."""

    def list_channels(self, group: str) -> list[Channel]:
        """Returns: the channels of `group`."""

    def list_origin_endpoints(self, group: str, channel: str) -> list[OriginEndpoint]:
        """Returns: the origin endpoints of `channel`."""

    def list_harvest_jobs(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> list[HarvestJob]:
        """Returns: every job in the scope (one ListHarvestJobs page chain)."""

    def iter_harvest_job_pages(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> Iterator[list[HarvestJob]]:
        """Yields: the scope's jobs a page at a time, as the pages arrive."""

    def get_channel_group(self, group: str) -> ChannelGroup:
        """Returns: the group, with its tags."""

    def get_channel(self, group: str, channel: str) -> Channel:
        """Returns: the channel, with its tags."""

    def get_origin_endpoint(self, group: str, channel: str, endpoint: str) -> OriginEndpoint:
        """Returns: the endpoint, with its manifests and tags."""

    def get_harvest_job(self, group: str, channel: str, endpoint: str, name: str) -> HarvestJob:
        """Returns: the job, with its tags and current ETag."""

    def list_tags(self, arn: str) -> dict[str, str]:
        """Returns: the tags of the resource `arn`."""

    def cancel_harvest_job(self, job: HarvestJob) -> None:
        """Cancel `job`, guarded by its ETag. Raises: ConflictException if it is stale."""

    def create_harvest_job(
        self,
        group: str,
        channel: str,
        endpoint: str,
        *,
        manifests: HarvestedManifests,
        start: datetime,
        end: datetime,
        bucket: str,
        path: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        client_token: str | None = None,
    ) -> HarvestJob:
        """Create a harvest job. Returns: the new job (QUEUED)."""


@dataclass(frozen=True)
class JobSpec:
    """What CreateHarvestJob needs: where, what, when, and to which bucket."""

    group: str
    channel: str
    endpoint: str
    manifests: HarvestedManifests
    start: datetime
    end: datetime
    bucket: str
    path: str
    name: str | None = None
    description: str | None = None
    tags: Mapping[str, str] | None = None
    client_token: str | None = None


# -- requests: one frozen dataclass per operation --------------------------------------


class Request(Generic[T_co]):
    """One call and its arguments. `run` makes it on a backend; the service worker
    receives the request itself (a picklable dataclass), never a method name."""

    operation: ClassVar[str]
    reads: ClassVar[bool] = True  # changes nothing: safe to make again

    def run(self, backend: Backend) -> T_co:
        raise NotImplementedError


class PagedRequest(Request[T_co]):
    """A request whose answer the worker sends page by page, as the pages arrive."""

    def pages(self, backend: Backend) -> Iterable[object]:
        raise NotImplementedError

    def combine(self, pages: Iterable[object]) -> T_co:
        raise NotImplementedError


@dataclass(frozen=True)
class ListChannelGroups(Request[list[ChannelGroup]]):
    operation: ClassVar[str] = "ListChannelGroups"

    def run(self, backend: Backend) -> list[ChannelGroup]:
        return backend.list_channel_groups()


@dataclass(frozen=True)
class ListChannels(Request[list[Channel]]):
    group: str
    operation: ClassVar[str] = "ListChannels"

    def run(self, backend: Backend) -> list[Channel]:
        return backend.list_channels(self.group)


@dataclass(frozen=True)
class ListOriginEndpoints(Request[list[OriginEndpoint]]):
    group: str
    channel: str
    operation: ClassVar[str] = "ListOriginEndpoints"

    def run(self, backend: Backend) -> list[OriginEndpoint]:
        return backend.list_origin_endpoints(self.group, self.channel)


@dataclass(frozen=True)
class ListHarvestJobs(PagedRequest[list[HarvestJob]]):
    group: str
    channel: str | None = None
    endpoint: str | None = None
    status: JobStatus | None = None
    operation: ClassVar[str] = "ListHarvestJobs"

    def run(self, backend: Backend) -> list[HarvestJob]:
        return backend.list_harvest_jobs(
            self.group, channel=self.channel, endpoint=self.endpoint, status=self.status
        )

    def pages(self, backend: Backend) -> Iterator[list[HarvestJob]]:
        return backend.iter_harvest_job_pages(
            self.group, channel=self.channel, endpoint=self.endpoint, status=self.status
        )

    def combine(self, pages: Iterable[object]) -> list[HarvestJob]:
        return jobs_by_name(p for p in pages if isinstance(p, list))


@dataclass(frozen=True)
class GetChannelGroup(Request[ChannelGroup]):
    group: str
    operation: ClassVar[str] = "GetChannelGroup"

    def run(self, backend: Backend) -> ChannelGroup:
        return backend.get_channel_group(self.group)


@dataclass(frozen=True)
class GetChannel(Request[Channel]):
    group: str
    channel: str
    operation: ClassVar[str] = "GetChannel"

    def run(self, backend: Backend) -> Channel:
        return backend.get_channel(self.group, self.channel)


@dataclass(frozen=True)
class GetOriginEndpoint(Request[OriginEndpoint]):
    group: str
    channel: str
    endpoint: str
    operation: ClassVar[str] = "GetOriginEndpoint"

    def run(self, backend: Backend) -> OriginEndpoint:
        return backend.get_origin_endpoint(self.group, self.channel, self.endpoint)


@dataclass(frozen=True)
class GetHarvestJob(Request[HarvestJob]):
    key: tuple[str, str, str, str]  # group, channel, endpoint, name
    operation: ClassVar[str] = "GetHarvestJob"

    def run(self, backend: Backend) -> HarvestJob:
        return backend.get_harvest_job(*self.key)


@dataclass(frozen=True)
class ListTags(Request[dict[str, str]]):
    arn: str
    operation: ClassVar[str] = "ListTagsForResource"

    def run(self, backend: Backend) -> dict[str, str]:
        return backend.list_tags(self.arn)


@dataclass(frozen=True)
class CancelHarvestJob(Request[None]):
    job: HarvestJob
    operation: ClassVar[str] = "CancelHarvestJob"
    reads: ClassVar[bool] = False

    def run(self, backend: Backend) -> None:
        backend.cancel_harvest_job(self.job)


@dataclass(frozen=True)
class CreateHarvestJob(Request[HarvestJob]):
    spec: JobSpec
    operation: ClassVar[str] = "CreateHarvestJob"
    reads: ClassVar[bool] = False

    def run(self, backend: Backend) -> HarvestJob:
        s = self.spec
        return backend.create_harvest_job(
            s.group,
            s.channel,
            s.endpoint,
            manifests=s.manifests,
            start=s.start,
            end=s.end,
            bucket=s.bucket,
            path=s.path,
            name=s.name,
            description=s.description,
            tags=s.tags,
            client_token=s.client_token,
        )


def get_at(names: tuple[str, ...]) -> Request[Any] | None:
    """The Get of the node at `names` (group, channel, endpoint, job: 1 to 4 names), as
    the detail pane asks for it; None for no names."""
    match names:
        case (group,):
            return GetChannelGroup(group)
        case (group, channel):
            return GetChannel(group, channel)
        case (group, channel, endpoint):
            return GetOriginEndpoint(group, channel, endpoint)
        case (group, channel, endpoint, job):
            return GetHarvestJob((group, channel, endpoint, job))
    return None


def answered(finish: Callable[[], object]) -> bool:
    """Whether a begun call (`Backend.begin`) has its answer in already, so that waiting
    for it takes no time: a call whose prefetched twin has been answered. Calls that
    cannot tell (in-process calls only start when waited for) are not."""
    ready = getattr(finish, "ready", None)
    return bool(ready is not None and ready())


def in_flight(finish: Callable[[], object]) -> bool:
    """Whether a begun call (`Backend.begin`) is on its way already (through the service
    worker), not deferred until it is waited for (in-process)."""
    return hasattr(finish, "ready")


def jobs_by_name(pages: Iterable[list[HarvestJob]]) -> list[HarvestJob]:
    return sorted((j for p in pages for j in p), key=lambda j: j.name)
