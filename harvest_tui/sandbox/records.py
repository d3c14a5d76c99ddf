"""The sandbox's resources and the harvest job lifecycle.

A job stores only what was asked of it and when; its status, ModifiedAt and ETag
are a pure function of the clock's now: QUEUED until `starts_at`, IN_PROGRESS
until `finishes_at`, then COMPLETED (or FAILED when `fails_with` is set), or
CANCELLED from `cancelled_at` on. Tests move a FrozenClock to see transitions.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

REGION = "us-east-1"  # the region of a request that names none (no SigV4 signature)
ACCOUNT_ID = "111122223333"  # the demo account: any access key not ending in 12 digits
QUEUED_SECONDS = 10.0
MIN_RUN_SECONDS = 20.0
RUN_FRACTION = 1 / 120  # a harvest runs for window/120: a 1 h window takes 30 s
ACTIVE = ("QUEUED", "IN_PROGRESS")
FINISHED = ("COMPLETED", "FAILED", "CANCELLED")


def arn(*path: str, region: str = REGION, account: str = ACCOUNT_ID) -> str:
    """arn:aws:mediapackagev2:…:channelGroup/g/channel/c/… from (kind, name) pairs."""
    return f"arn:aws:mediapackagev2:{region}:{account}:" + "/".join(path)


def etag(*parts: Any) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return base64.b64encode(digest).decode()


@dataclass
class _Versioned:
    """A record whose ETag follows from its ARN, when it was last modified and how many
    times (so two updates within one frozen instant still change it)."""

    region: str = field(default=REGION, kw_only=True)
    account: str = field(default=ACCOUNT_ID, kw_only=True)
    version: int = field(default=0, kw_only=True)

    def touch(self, now: datetime) -> None:
        """Record an update: ModifiedAt is now, and the ETag changes."""
        self.modified_at = now
        self.version += 1

    def _arn(self, *path: str) -> str:
        return arn(*path, region=self.region, account=self.account)

    @property
    def etag(self) -> str:
        modified = self.modified_at.isoformat()
        if self.version == 0:  # as before versions existed: the demo's ETags stay put
            return etag(self.arn, modified)  # type: ignore[attr-defined]
        return etag(self.arn, modified, self.version)  # type: ignore[attr-defined]


def run_seconds(start: datetime, end: datetime) -> float:
    """How long harvesting a window takes once the job leaves the queue."""
    return max(MIN_RUN_SECONDS, (end - start).total_seconds() * RUN_FRACTION)


@dataclass
class ChannelGroupRec(_Versioned):
    name: str
    created_at: datetime
    modified_at: datetime
    egress_domain: str
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    channels: dict[str, ChannelRec] = field(default_factory=dict)
    jobs: list[JobRec] = field(default_factory=list)  # sorted by JobRec.sort_key
    active: set[JobRec] = field(default_factory=set)  # may still be QUEUED/IN_PROGRESS

    @property
    def arn(self) -> str:
        return self._arn(f"channelGroup/{self.name}")


@dataclass
class ChannelRec(_Versioned):
    group: str
    name: str
    created_at: datetime
    modified_at: datetime
    input_type: str = "HLS"
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    endpoints: dict[str, EndpointRec] = field(default_factory=dict)
    job_names: set[str] = field(default_factory=set)  # unique within the channel
    settings: dict[str, Any] = field(default_factory=dict)  # other members, as created
    policy: str | None = None
    reset_at: datetime | None = None

    @property
    def arn(self) -> str:
        return self._arn(f"channelGroup/{self.group}", f"channel/{self.name}")


@dataclass
class EndpointRec(_Versioned):
    group: str
    channel: str
    name: str
    created_at: datetime
    modified_at: datetime
    container_type: str = "CMAF"
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    segment_seconds: int = 6
    startover_window_seconds: int | None = 1_209_600
    hls: tuple[str, ...] = ()
    ll_hls: tuple[str, ...] = ()
    dash: tuple[str, ...] = ()
    mss: tuple[str, ...] = ()
    jobs: dict[str, JobRec] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # Segment etc., as created
    manifest_settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    policy: str | None = None
    cdn_auth: dict[str, Any] | None = None
    reset_at: datetime | None = None

    @property
    def arn(self) -> str:
        return self._arn(
            f"channelGroup/{self.group}", f"channel/{self.channel}", f"originEndpoint/{self.name}"
        )


@dataclass(eq=False)
class JobRec:
    group: str
    channel: str
    endpoint: str
    name: str
    seq: int
    created_at: datetime
    start: datetime
    end: datetime
    bucket: str
    path: str
    manifests: dict[str, list[dict[str, str]]]  # the HarvestedManifests shape
    starts_at: datetime  # QUEUED → IN_PROGRESS
    finishes_at: datetime  # IN_PROGRESS → COMPLETED / FAILED
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    fails_with: str | None = None
    cancelled_at: datetime | None = None
    region: str = REGION
    account: str = ACCOUNT_ID
    # The last ETag made, with the (Status, ModifiedAt) it was made for: every list of
    # the job's group makes it again, and it changes only when the job's state does.
    _etag: tuple[tuple[str, datetime], str] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.created_at, self.seq)

    @property
    def arn(self) -> str:
        return arn(
            f"channelGroup/{self.group}",
            f"channel/{self.channel}",
            f"originEndpoint/{self.endpoint}",
            f"harvestJob/{self.name}",
            region=self.region,
            account=self.account,
        )

    def state(self, now: datetime) -> tuple[str, datetime]:
        """(Status, ModifiedAt) at `now`; ModifiedAt is the last transition's instant."""
        if self.cancelled_at is not None and now >= self.cancelled_at:
            return "CANCELLED", self.cancelled_at
        if now < self.starts_at:
            return "QUEUED", self.created_at
        if now < self.finishes_at:
            return "IN_PROGRESS", self.starts_at
        return ("FAILED" if self.fails_with else "COMPLETED"), self.finishes_at

    def status(self, now: datetime) -> str:
        return self.state(now)[0]

    def etag(self, now: datetime) -> str:
        state = self.state(now)
        if self._etag is None or self._etag[0] != state:
            status, modified = state
            self._etag = (state, etag(self.arn, status, modified.isoformat()))
        return self._etag[1]


def default_schedule(
    created_at: datetime, start: datetime, end: datetime
) -> tuple[datetime, datetime]:
    """(starts_at, finishes_at): queued for a while (and until the window has ended)."""
    starts_at = max(created_at, end) + timedelta(seconds=QUEUED_SECONDS)
    return starts_at, starts_at + timedelta(seconds=run_seconds(start, end))
