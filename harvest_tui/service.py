"""The MediaPackage v2 service layer: the only module that makes AWS calls, with boto3's
client (botocore's, built as boto3 builds it).

It exists so that the rest of the app deals in frozen dataclasses and one error
type. It owns sessions and clients (one per connection, shared by every worker
thread), walks every page of every list, and turns every failure into a
ServiceError that says what went wrong and what to do about it.

botocore is imported lazily, inside `connect()`, so that the first frame of the UI
never waits for it: the app calls `connect()` from a worker thread.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from harvest_tui import __version__
from harvest_tui.backend import Request, RetryListener, jobs_by_name
from harvest_tui.errors import translate
from harvest_tui.models import (
    Channel,
    ChannelGroup,
    HarvestedManifests,
    HarvestJob,
    JobStatus,
    OriginEndpoint,
)
from harvest_tui.server_clock import skew_from_date

if TYPE_CHECKING:
    from botocore.client import BaseClient

    from harvest_tui.config import ActiveProfile

T = TypeVar("T")

# Off unless the debug log is on (harvest_tui.debug_log). Records name operations,
# resource names, codes and request ids; never credentials, parameters' values beyond
# resource names, or response bodies.
logger = logging.getLogger(__name__)

SERVICE_NAME = "mediapackagev2"
DEFAULT_POOL = 16


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a call tries: the AWS SDK's standard mode, with its numbers made explicit
    so that tests can make retries take milliseconds instead of seconds."""

    max_attempts: int = 5  # 1 call + 4 retries with jittered backoff
    connect_timeout: float = 5
    read_timeout: float = 20
    backoff_scale: float = 1.0  # multiplies botocore's backoff; tests use a tiny one

    @property
    def longest_call(self) -> float:
        """An upper bound on one call's time, every attempt and backoff included."""
        per_attempt = self.connect_timeout + self.read_timeout
        backoff = 20.0 * self.backoff_scale  # botocore's longest single backoff
        return self.max_attempts * per_attempt + (self.max_attempts - 1) * backoff


@dataclass(frozen=True)
class Connection:
    """What one client is for: the key of the session and client cache."""

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # Only for the sandbox, which accepts any signature: a fixed key pair so that
    # `--sandbox` needs no AWS credentials. Never read from or written to config.
    static_credentials: tuple[str, str] | None = field(default=None, repr=False)
    retry: RetryPolicy = RetryPolicy()

    def describe(self) -> str:
        parts = [f"profile {self.profile or '(default chain)'}"]
        parts.append(f"region {self.region or '(default)'}")
        if self.endpoint_url:
            parts.append(f"endpoint {self.endpoint_url}")
        return ", ".join(parts)


def preload() -> None:
    """Import botocore now (the service worker does, at once: its first call needs it)."""
    import botocore.client
    import botocore.config
    import botocore.session  # noqa: F401


SANDBOX_CREDENTIALS = ("sandbox", "sandbox")


def connections_for(
    active: ActiveProfile, *, sandbox_url: str | None = None, retry: RetryPolicy | None = None
) -> dict[str, Connection]:
    """The connection for each of a profile's regions, by region ("default" for none).

    The built-in sandbox (`sandbox_url`) gets fixed keys, so `--sandbox` needs no AWS
    credentials.
    """
    endpoint = active.endpoint_url
    creds = SANDBOX_CREDENTIALS if sandbox_url and endpoint == sandbox_url else None
    return {
        (region or "default"): Connection(
            profile=active.aws_profile,
            region=region,
            endpoint_url=endpoint,
            static_credentials=creds,
            retry=retry or RetryPolicy(),
        )
        for region in tuple(active.regions) or (None,)
    }


# Errors of the credential or config setup rather than of the call (see _forget_client).
_CLIENT_SETUP_CODES = frozenset(
    {
        "NoCredentials",
        "SSOTokenExpired",
        "SSOTokenMissing",
        "SSOTokenInvalid",
        "CredentialRetrievalError",
        "InvalidAWSConfig",
    }
)
_CLIENTS: dict[Connection, BaseClient] = {}
_CLIENTS_LOCK = threading.RLock()  # re-entered when a failed Connect forgets the client
_SKEWS: dict[Connection, float] = {}  # per connection: the last clock skew its answers showed


class MediaPackageService:
    """MediaPackage v2 calls for one connection. Thread-safe: workers share it."""

    def __init__(self, connection: Connection, *, pool_size: int = DEFAULT_POOL) -> None:
        self.connection = connection
        self.pool_size = pool_size
        self._local = threading.local()
        self._region: str | None = connection.region

    @property
    def region(self) -> str | None:
        """The region in use: the one asked for, or the one the AWS config resolved."""
        return self._region

    @property
    def profile(self) -> str | None:
        return self.connection.profile

    @property
    def clock_skew(self) -> float | None:
        """Seconds the local clock is ahead of the service's, from the last response's Date
        header (server_clock.skew_from_date); None before any answer."""
        return _SKEWS.get(self.connection)

    def connect(self) -> BaseClient:
        """The shared client, created on first use: one per connection, under a lock.

        Creating it imports botocore (about 0.2 s), so the app calls this from a worker.
        """
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(self.connection)
            if client is None:
                client = self._guard("Connect", self._create_client)
                _CLIENTS[self.connection] = client
                logger.debug("client created: %s", self.connection.describe())
        self._region = client.meta.region_name
        return client

    def _create_client(self) -> BaseClient:
        """The client boto3's `Session(...).client("mediapackagev2", ...)` would build, made
        as boto3 makes it: on a botocore session, with the profile, region and keys set on
        it. boto3's own Session is left out because importing it also imports s3transfer,
        ~25 ms before the service worker's first call; the client is botocore's either way."""
        import botocore.session
        from botocore.config import Config

        from harvest_tui.service_loader import (
            builtin_hooks,
            fast_timestamp,
            planned_parsers,
            quick_loader,
        )

        c = self.connection
        session_vars = None
        if c.static_credentials and c.profile is None:
            # The sandbox's fixed keys must not depend on AWS_PROFILE naming a real profile.
            session_vars = {"profile": (None, None, None, None)}
        session = botocore.session.Session(
            session_vars=session_vars,
            event_hooks=copy.copy(builtin_hooks()),
            include_builtin_handlers=False,
        )
        session.register_component(
            "data_loader", quick_loader(session.get_config_variable("data_path"))
        )
        session.register_component("response_parser_factory", planned_parsers(fast_timestamp))
        if c.profile is not None:
            session.set_config_variable("profile", c.profile)
        if c.static_credentials:
            session.set_credentials(*c.static_credentials)
        if c.region is not None:
            session.set_config_variable("region", c.region)
        policy = c.retry
        config = Config(
            retries={"mode": "standard", "total_max_attempts": policy.max_attempts},
            connect_timeout=policy.connect_timeout,
            read_timeout=policy.read_timeout,
            max_pool_connections=self.pool_size,
            user_agent_extra=f"harvest-tui/{__version__}",
        )
        client = session.create_client(SERVICE_NAME, endpoint_url=c.endpoint_url, config=config)
        client.meta.events.register(f"request-created.{SERVICE_NAME}", self._on_request)
        client.meta.events.register(f"after-call.{SERVICE_NAME}", self._on_response)
        if policy.backoff_scale != 1.0:
            _scale_backoff(client, policy)
        return client

    def _on_request(self, request: Any, operation_name: str, **_: Any) -> None:
        attempt = (getattr(request, "context", None) or {}).get("retries", {}).get("attempt", 1)
        listener: RetryListener | None = getattr(self._local, "listener", None)
        if attempt > 1:
            most = self.connection.retry.max_attempts
            logger.debug("%s: retrying, attempt %d/%d", operation_name, attempt, most)
            if listener is not None:
                listener(operation_name, attempt, most)

    def _on_response(self, parsed: Any = None, **_: Any) -> None:
        """Every answer, error or not: note the clock skew its Date header shows."""
        meta = parsed.get("ResponseMetadata") if isinstance(parsed, dict) else None
        headers = meta.get("HTTPHeaders") if isinstance(meta, dict) else None
        if isinstance(headers, dict):
            skew = skew_from_date(headers.get("date"), time.time())
            if skew is not None:
                _SKEWS[self.connection] = skew

    @contextmanager
    def retries_reported_to(self, listener: RetryListener) -> Iterator[None]:
        """Report each retry made by calls from this thread to `listener`."""
        previous = getattr(self._local, "listener", None)
        self._local.listener = listener
        try:
            yield
        finally:
            self._local.listener = previous

    def _guard(self, operation: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            error = translate(
                exc, operation=operation, profile=self.connection.profile, region=self._region
            )
            if error.code in _CLIENT_SETUP_CODES:
                self._forget_client()
            logger.debug(
                "%s failed after %.2f s: %s (HTTP %s, request id %s) [%s]",
                operation,
                time.monotonic() - started,
                error.title,
                error.http_status,
                error.request_id,
                self.connection.describe(),
            )
            raise error from exc
        logger.debug("%s ok in %.2f s", operation, time.monotonic() - started)
        return result

    def _forget_client(self) -> None:
        """Drop the cached client, so that the next call (r) re-reads the AWS config and
        credentials: a failure of setup, not of the call, must not stick once it is fixed."""
        with _CLIENTS_LOCK:
            _CLIENTS.pop(self.connection, None)

    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        client = self.connect()
        logger.debug("call %s %s", operation, _names(params))
        method = getattr(client, _snake(operation))
        return self._guard(operation, method, **params)

    def _pages(self, operation: str, **params: Any) -> Iterator[list[dict[str, Any]]]:
        client = self.connect()
        logger.debug("list %s %s", operation, _names(params))
        paginator = client.get_paginator(_snake(operation))
        pages = paginator.paginate(**params)
        iterator = iter(pages)
        while True:
            page = self._guard(operation, next, iterator, None)
            if page is None:
                return
            yield page.get("Items") or []

    def begin(self, request: Request[T]) -> Callable[[], T]:
        """Start `request`; the returned function waits for its result.

        Here the call is only deferred, to run in the thread that waits (the UI's thread
        workers). Through the service worker (worker.client.WorkerBackend) it is sent at
        once, so a call begun on the UI thread is on its way before a worker thread starts.
        """
        return lambda: request.run(self)

    # Listing: every page, sorted by name.

    def list_channel_groups(self) -> list[ChannelGroup]:
        items = [ChannelGroup.from_api(d) for p in self._pages("ListChannelGroups") for d in p]
        return sorted(items, key=lambda g: g.name)

    def list_channels(self, group: str) -> list[Channel]:
        pages = self._pages("ListChannels", ChannelGroupName=group)
        return sorted((Channel.from_api(d) for p in pages for d in p), key=lambda c: c.name)

    def list_origin_endpoints(self, group: str, channel: str) -> list[OriginEndpoint]:
        pages = self._pages("ListOriginEndpoints", ChannelGroupName=group, ChannelName=channel)
        items = (OriginEndpoint.from_api(d) for p in pages for d in p)
        return sorted(items, key=lambda e: e.name)

    def iter_harvest_job_pages(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> Iterator[list[HarvestJob]]:
        """Pages of jobs, as they arrive: one ListHarvestJobs page chain for the scope."""
        params: dict[str, Any] = {"ChannelGroupName": group}
        if channel:
            params["ChannelName"] = channel
        if endpoint:
            params["OriginEndpointName"] = endpoint
        if status:
            params["Status"] = str(status)
        for page in self._pages("ListHarvestJobs", **params):
            yield [HarvestJob.from_api(d) for d in page]

    def list_harvest_jobs(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> list[HarvestJob]:
        """Every job in the scope. A whole group's jobs take one page chain, not one per
        endpoint."""
        pages = self.iter_harvest_job_pages(
            group, channel=channel, endpoint=endpoint, status=status
        )
        return jobs_by_name(pages)

    # Single resources.

    def get_channel_group(self, group: str) -> ChannelGroup:
        return ChannelGroup.from_api(self._call("GetChannelGroup", ChannelGroupName=group))

    def get_channel(self, group: str, channel: str) -> Channel:
        d = self._call("GetChannel", ChannelGroupName=group, ChannelName=channel)
        return Channel.from_api(d)

    def get_origin_endpoint(self, group: str, channel: str, endpoint: str) -> OriginEndpoint:
        d = self._call(
            "GetOriginEndpoint",
            ChannelGroupName=group,
            ChannelName=channel,
            OriginEndpointName=endpoint,
        )
        return OriginEndpoint.from_api(d)

    def get_harvest_job(self, group: str, channel: str, endpoint: str, name: str) -> HarvestJob:
        d = self._call(
            "GetHarvestJob",
            ChannelGroupName=group,
            ChannelName=channel,
            OriginEndpointName=endpoint,
            HarvestJobName=name,
        )
        return HarvestJob.from_api(d)

    def list_tags(self, arn: str) -> dict[str, str]:
        return dict(self._call("ListTagsForResource", ResourceArn=arn).get("Tags") or {})

    # Changes.

    def cancel_harvest_job(self, job: HarvestJob) -> None:
        """Cancel `job`, guarded by its ETag: a stale one answers ConflictException."""
        params: dict[str, Any] = {
            "ChannelGroupName": job.group_name,
            "ChannelName": job.channel_name,
            "OriginEndpointName": job.endpoint_name,
            "HarvestJobName": job.name,
        }
        if job.etag:
            params["ETag"] = job.etag
        self._call("CancelHarvestJob", **params)

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
        params: dict[str, Any] = {
            "ChannelGroupName": group,
            "ChannelName": channel,
            "OriginEndpointName": endpoint,
            "HarvestedManifests": manifests.to_api(),
            "ScheduleConfiguration": {"StartTime": start, "EndTime": end},
            "Destination": {"S3Destination": {"BucketName": bucket, "DestinationPath": path}},
        }
        if name:
            params["HarvestJobName"] = name
        if description is not None:
            params["Description"] = description
        if tags:
            params["Tags"] = dict(tags)
        if client_token:
            params["ClientToken"] = client_token
        return HarvestJob.from_api(self._call("CreateHarvestJob", **params))


def _scale_backoff(client: BaseClient, policy: RetryPolicy) -> None:
    """Replace the client's standard retry handler by the same handler with its delays
    scaled by `policy.backoff_scale` (botocore offers no setting for it)."""
    from botocore.retries import standard

    event = f"needs-retry.{SERVICE_NAME}"
    unique_id = f"retry-config-{SERVICE_NAME}"
    client.meta.events.unregister(event, unique_id=unique_id)
    handler = standard.register_retry_handler(client, max_attempts=policy.max_attempts)
    client.meta.events.unregister(event, unique_id=unique_id)

    def needs_retry(**kwargs: Any) -> float | None:
        delay = handler.needs_retry(**kwargs)
        return None if delay is None else delay * policy.backoff_scale

    client.meta.events.register(
        event, cast("Callable[..., None]", needs_retry), unique_id=unique_id
    )


def _names(params: Mapping[str, Any]) -> str:
    """The resource names among a call's parameters, for the debug log (nothing else)."""
    return " ".join(f"{k}={v!r}" for k, v in params.items() if k.endswith("Name") or k == "Status")


def _snake(operation: str) -> str:
    out = []
    for i, ch in enumerate(operation):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
