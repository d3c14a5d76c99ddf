"""One account's resources in one region: channel groups → channels → endpoints → jobs.

It exists so that handlers, demo data and tests share one consistent, locked
state; the server keeps one Store per account and region, as the service does.
Tests may add or delete any resource at any moment (e.g. between a list and a
get) with the add_*/delete_* methods; lookups raise the 404 the service would
answer, naming the first missing level along the path.
"""

from __future__ import annotations

import bisect
import hashlib
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from harvest_tui.sandbox.clock import Clock
from harvest_tui.sandbox.errors import not_found
from harvest_tui.sandbox.pagination import Tokens, bad_token, page
from harvest_tui.sandbox.records import (
    ACCOUNT_ID,
    ACTIVE,
    REGION,
    ChannelGroupRec,
    ChannelRec,
    EndpointRec,
    JobRec,
    default_schedule,
)

MAX_ACTIVE_JOBS_PER_GROUP = 10


def _micros(instant: datetime) -> int:
    return round(instant.timestamp() * 1_000_000)


def job_key(job: JobRec) -> tuple[int, int]:
    return (_micros(job.created_at), job.seq)


class Store:
    """All resources, under one re-entrant lock (the server is multi-threaded)."""

    def __init__(
        self,
        clock: Clock,
        *,
        secret: bytes = b"harvest-tui-sandbox",
        region: str = REGION,
        account: str = ACCOUNT_ID,
    ) -> None:
        self.clock = clock
        self.region = region
        self.account = account
        self.lock = threading.RLock()
        self.groups: dict[str, ChannelGroupRec] = {}
        self.tokens = Tokens(secret)
        self.unwritable_buckets: dict[str, str] = {}  # bucket → why jobs writing there fail
        # (operation, ClientToken) → (the request's fingerprint, the path it created)
        self.idempotency: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
        self.page_scans: list[int] = []  # items examined per list page, for tests
        self._seq = 0

    def now(self) -> datetime:
        return self.clock.now()

    # -- lookups: the first missing level answers 404 -------------------------

    def channel_group(self, group: str) -> ChannelGroupRec:
        found = self.groups.get(group)
        if found is None:
            raise not_found("CHANNEL_GROUP", f"Channel group {group} doesn't exist.")
        return found

    def channel(self, group: str, channel: str) -> ChannelRec:
        found = self.channel_group(group).channels.get(channel)
        if found is None:
            raise not_found("CHANNEL", f"Channel {channel} doesn't exist in {group}.")
        return found

    def origin_endpoint(self, group: str, channel: str, endpoint: str) -> EndpointRec:
        found = self.channel(group, channel).endpoints.get(endpoint)
        if found is None:
            raise not_found(
                "ORIGIN_ENDPOINT", f"Origin endpoint {endpoint} doesn't exist in {group}/{channel}."
            )
        return found

    def harvest_job(self, group: str, channel: str, endpoint: str, name: str) -> JobRec:
        found = self.origin_endpoint(group, channel, endpoint).jobs.get(name)
        if found is None:
            raise not_found(
                "HARVEST_JOB",
                f"Harvest job {name} doesn't exist in {group}/{channel}/{endpoint}.",
            )
        return found

    def by_arn(self, arn: str) -> Any:
        """The resource an ARN names (for the tag operations), or a 404; an ARN of
        another account or region names nothing here."""
        prefix, _, path = arn.partition(":channelGroup/")
        parts = path.split("/")
        names = [parts[0], *parts[2::2]]
        kinds = ["channel", "originEndpoint", "harvestJob"][: len(parts) // 2]
        if prefix != f"arn:aws:mediapackagev2:{self.region}:{self.account}" or (
            parts[1::2] != kinds
        ):
            path = ""
        lookups: list[Callable[..., Any]] = [
            self.channel_group,
            self.channel,
            self.origin_endpoint,
            self.harvest_job,
        ]
        if not path or len(parts) % 2 != 1 or len(names) > len(lookups):
            raise not_found("CHANNEL_GROUP", f"No resource has the ARN {arn}.")
        return lookups[len(names) - 1](*names)

    # -- population -------------------------------------------------------------

    def add_channel_group(self, name: str, **fields: Any) -> ChannelGroupRec:
        with self.lock:
            created = fields.pop("created_at", None) or self.now()
            domain = fields.pop("egress_domain", None) or domain_for(name, "egress", self.region)
            modified = fields.pop("modified_at", created)
            rec = ChannelGroupRec(
                name, created, modified, domain, **fields, region=self.region, account=self.account
            )
            self.groups[name] = rec
            return rec

    def add_channel(self, group: str, name: str, **fields: Any) -> ChannelRec:
        with self.lock:
            parent = self.channel_group(group)
            created = fields.pop("created_at", None) or self.now()
            modified = fields.pop("modified_at", created)
            rec = ChannelRec(
                group, name, created, modified, **fields, region=self.region, account=self.account
            )
            parent.channels[name] = rec
            return rec

    def add_origin_endpoint(
        self, group: str, channel: str, name: str, **fields: Any
    ) -> EndpointRec:
        with self.lock:
            parent = self.channel(group, channel)
            created = fields.pop("created_at", None) or self.now()
            modified = fields.pop("modified_at", created)
            rec = EndpointRec(
                group,
                channel,
                name,
                created,
                modified,
                **fields,
                region=self.region,
                account=self.account,
            )
            parent.endpoints[name] = rec
            return rec

    def add_harvest_job(
        self,
        group: str,
        channel: str,
        endpoint: str,
        name: str,
        *,
        start: datetime,
        end: datetime,
        bucket: str,
        path: str,
        manifests: dict[str, list[dict[str, str]]] | None = None,
        created_at: datetime | None = None,
        starts_at: datetime | None = None,
        finishes_at: datetime | None = None,
        **fields: Any,
    ) -> JobRec:
        """Insert a job as-is (no service rules: for demo data and test setup)."""
        with self.lock:
            ep = self.origin_endpoint(group, channel, endpoint)
            created = created_at or self.now()
            default_start, default_finish = default_schedule(created, start, end)
            if manifests is None:  # the endpoint's first manifest
                kinds: list[tuple[str, tuple[str, ...]]] = [
                    ("HlsManifests", ep.hls),
                    ("LowLatencyHlsManifests", ep.ll_hls),
                    ("DashManifests", ep.dash),
                ]
                kind, names = next(((k, n) for k, n in kinds if n), ("HlsManifests", ()))
                manifests = {kind: [{"ManifestName": n} for n in names[:1]]}
            if fields.get("fails_with") is None:
                fields["fails_with"] = self.unwritable_buckets.get(bucket) or bucket_failure(
                    bucket, self.region
                )
            self._seq += 1
            job = JobRec(
                group=group,
                channel=channel,
                endpoint=endpoint,
                name=name,
                seq=self._seq,
                created_at=created,
                start=start,
                end=end,
                bucket=bucket,
                path=path,
                manifests=manifests,
                starts_at=starts_at or default_start,
                finishes_at=finishes_at or default_finish,
                **fields,
                region=self.region,
                account=self.account,
            )
            self._insert(job)
            return job

    def _insert(self, job: JobRec) -> None:
        group = self.groups[job.group]
        chan = group.channels[job.channel]
        chan.endpoints[job.endpoint].jobs[job.name] = job
        chan.job_names.add(job.name)
        if not group.jobs or job_key(group.jobs[-1]) < job_key(job):
            group.jobs.append(job)
        else:
            bisect.insort(group.jobs, job, key=job_key)
        if job.status(self.now()) in ACTIVE:
            group.active.add(job)

    def mark_unwritable(self, bucket: str, message: str | None = None) -> None:
        """Jobs created from now on that write to `bucket` end FAILED with `message`."""
        with self.lock:
            self.unwritable_buckets[bucket] = message or unwritable_message(bucket)

    def generated_job_name(self, salt: str | None) -> str:
        """A name for a job created without HarvestJobName: time-stamped and unique."""
        digest = hashlib.sha256(f"{salt}|{self._seq}".encode()).hexdigest()[:8]
        return f"harvest-{self.now():%Y%m%dT%H%M%S}-{digest}"

    # -- deletion (for tests: resources may vanish at any moment) ---------------

    def delete_channel_group(self, group: str) -> None:
        with self.lock:
            self.channel_group(group)
            del self.groups[group]

    def delete_channel(self, group: str, channel: str) -> None:
        with self.lock:
            for endpoint in list(self.channel(group, channel).endpoints):
                self.delete_origin_endpoint(group, channel, endpoint)
            del self.groups[group].channels[channel]

    def delete_origin_endpoint(self, group: str, channel: str, endpoint: str) -> None:
        with self.lock:
            for name in list(self.origin_endpoint(group, channel, endpoint).jobs):
                self.delete_harvest_job(group, channel, endpoint, name)
            del self.groups[group].channels[channel].endpoints[endpoint]

    def delete_harvest_job(self, group: str, channel: str, endpoint: str, name: str) -> None:
        with self.lock:
            job = self.harvest_job(group, channel, endpoint, name)
            rec = self.groups[group]
            del rec.channels[channel].endpoints[endpoint].jobs[name]
            rec.channels[channel].job_names.discard(name)
            rec.active.discard(job)
            rec.jobs.remove(job)

    # -- queries ----------------------------------------------------------------

    def all_jobs(self) -> Iterable[JobRec]:
        with self.lock:
            return [job for group in self.groups.values() for job in group.jobs]

    def active_jobs(self, group: str) -> list[JobRec]:
        """Jobs of the group that are QUEUED or IN_PROGRESS now (pruning the rest)."""
        with self.lock:
            rec = self.channel_group(group)
            now = self.now()
            finished = {job for job in rec.active if job.status(now) not in ACTIVE}
            rec.active -= finished
            return sorted(rec.active, key=job_key)

    def page_of(
        self,
        scope: str,
        items: list[Any],
        key: Any,
        max_results: int | None,
        next_token: str | None,
        keep: Any = None,
    ) -> tuple[list[Any], str | None]:
        """One page of a sorted list and the token for the next, counting the scan."""
        after = None if next_token is None else self.tokens.decode(next_token, scope)
        if isinstance(after, list):
            after = tuple(after)
        if after is not None and items and type(after) is not type(key(items[0])):
            raise bad_token()  # a forged token: a key of another kind of list
        limit = max_results or 100
        found, more, scanned = page(items, key, after, limit, keep or (lambda _: True))
        self.page_scans.append(scanned)
        token = self.tokens.encode(scope, key(found[-1])) if more and found else None
        return found, token


def domain_for(group: str, kind: str, region: str = REGION) -> str:
    """A stable, realistic service domain for a channel group ("egress" or "ingest")."""
    digest = hashlib.sha256(group.encode()).hexdigest()
    return f"{digest[:6]}.{kind}.{digest[6:12]}.mediapackagev2.{region}.amazonaws.com"


def unwritable_message(bucket: str) -> str:
    return (
        f"MediaPackage could not write to the S3 bucket '{bucket}': Access Denied "
        "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied). Update the "
        "bucket policy to grant s3:PutObject and s3:GetBucketLocation to the service "
        "principal mediapackagev2.amazonaws.com."
    )


def bucket_failure(bucket: str, region: str) -> str | None:
    """Why a job writing to `bucket` fails, for buckets whose name says so: "denied"
    (the bucket policy lacks the grant) or "missing" (no such bucket); else None."""
    if "denied" in bucket:
        return unwritable_message(bucket)
    if "missing" in bucket:
        return (
            f"MediaPackage could not write to the S3 bucket '{bucket}': The specified bucket "
            "does not exist (Service: Amazon S3; Status Code: 404; Error Code: NoSuchBucket). "
            f"Create the bucket in {region}, or choose an existing one."
        )
    return None
