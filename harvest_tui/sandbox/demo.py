"""Demo data: a realistic broadcast account, and a scale generator for benchmarks.

The demo account's groups, channels, endpoints and a few named jobs are fixed
(so screens and tests can name them); the other ~55 jobs come from a seeded RNG.
All instants are relative to the store clock's now, so with a FrozenClock at
DEMO_NOW the data is identical from run to run, with jobs in every status.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from harvest_tui.sandbox.store import Store

ARCHIVE_BUCKET = "acme-media-archive"
LEGAL_HOLD_BUCKET = "acme-media-legal-hold"  # unwritable: its policy lacks the grant
EU_BUCKET = "acme-media-archive-eu"  # unwritable: in another region
BUCKETS = (ARCHIVE_BUCKET, "acme-sports-highlights", "acme-news-clips", "acme-events-vod")
EU_REGION = "eu-west-1"
EU_DENIED_BUCKET = "acme-eu-archive-denied"  # its policy lacks the grant: AccessDenied
EU_MISSING_BUCKET = "acme-eu-clips-missing"  # no such bucket: NoSuchBucket

# (kind, container, HLS, LL-HLS, DASH manifest names): TS endpoints carry no DASH.
_ENDPOINT_KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "cmaf-main": ("CMAF", ("index",), ("low-latency",), ("index",)),
    "hls-ts": ("TS", ("index", "index-sd"), (), ()),
    "dash-tv": ("CMAF", (), (), ("tv", "tv-hdr")),
    "llhls-mobile": ("CMAF", (), ("mobile",), ()),
    "onboard-cams": ("CMAF", ("cam-1", "cam-2", "cam-3"), (), ()),
    "cmaf-no-startover": ("CMAF", ("index",), (), ("index",)),  # no startover window
}
_NO_STARTOVER = {"cmaf-no-startover"}

DEMO_ACCOUNT: dict[str, dict[str, Any]] = {
    "live-sports": {
        "description": "Live sport: league football, motorsport and tennis",
        "tags": {"team": "sports-ops", "env": "prod", "cost-center": "CC-4410"},
        "channels": {
            "football-main": ("CMAF", ["cmaf-main", "hls-ts", "dash-tv", "llhls-mobile"]),
            "football-alt-audio": ("HLS", ["cmaf-main", "hls-ts"]),
            "motorsport": ("CMAF", ["cmaf-main", "hls-ts", "onboard-cams"]),
            "tennis-centre-court": ("HLS", ["cmaf-main", "llhls-mobile"]),
        },
        "events": ["full-match", "highlights", "second-half", "post-match", "pre-show"],
    },
    "news-24x7": {
        "description": "Rolling news and regional opt-outs",
        "tags": {"team": "news-tech", "env": "prod", "cost-center": "CC-2100"},
        "channels": {
            "news-main": ("HLS", ["cmaf-main", "hls-ts", "dash-tv"]),
            "news-regional": ("HLS", ["cmaf-main", "hls-ts"]),
        },
        "events": ["morning-bulletin", "noon-bulletin", "evening-bulletin", "interview", "weather"],
    },
    "events-popup": {
        "description": "Short-lived channels for concerts and conferences",
        "tags": {"team": "events", "env": "prod"},
        "channels": {
            "concert-stage-a": ("CMAF", ["cmaf-main", "llhls-mobile"]),
            "keynote-live": ("HLS", ["cmaf-main", "hls-ts"]),
        },
        "events": ["headline-set", "support-act", "keynote", "panel", "rehearsal"],
    },
}

_PURPOSES = [
    ("VOD catch-up", "vod-team"),
    ("Highlights package", "promo"),
    ("Compliance recording", "legal"),
    ("Partner syndication", "distribution"),
    ("Social clips", "social"),
    (None, "vod-team"),
]
_ACTIVE_KINDS = ("QUEUED", "IN_PROGRESS", "SCHEDULED")
DEMO_ACTIVE_PER_GROUP = 6  # of the service's 10: room to create jobs in a demo
_WINDOWS_MIN = (15, 30, 45, 60, 90, 120, 180, 240, 360, 720, 1440)


DEMO_ACCOUNT_EU: dict[str, dict[str, Any]] = {
    "eu-broadcast": {
        "description": "European playout: football and news (eu-west-1)",
        "tags": {"team": "eu-playout", "env": "prod"},
        "channels": {
            "sport-eu": ("CMAF", ["cmaf-main", "hls-ts"]),
            "news-eu": ("HLS", ["cmaf-main", "cmaf-no-startover"]),
        },
    },
}


def populate_demo(store: Store, seed: int = 7) -> None:
    """Fill `store` with the demo account (3 groups, 8 channels, 20 endpoints, ~60 jobs)."""
    rng = random.Random(seed)
    now = store.now()
    store.mark_unwritable(LEGAL_HOLD_BUCKET)
    store.mark_unwritable(
        EU_BUCKET,
        f"The S3 bucket '{EU_BUCKET}' is in eu-west-1, but harvest jobs can only write to "
        "buckets in the channel's region (us-east-1). Choose a bucket in us-east-1.",
    )
    _resources(store, DEMO_ACCOUNT, now)
    _named_jobs(store, now, _NAMED)
    _random_jobs(store, rng, now)


def populate_demo_eu(store: Store, seed: int = 7) -> None:
    """The demo account's smaller eu-west-1 set: 1 group, 2 channels, 4 endpoints (one
    without a startover window), 5 named jobs: COMPLETED, IN_PROGRESS, CANCELLED, and
    FAILED twice (bucket access denied; no such bucket). Fixed for any seed."""
    now = store.now()
    _resources(store, DEMO_ACCOUNT_EU, now)
    _named_jobs(store, now, _NAMED_EU)


def _resources(store: Store, account: dict[str, dict[str, Any]], now: datetime) -> None:
    for g_index, (group, spec) in enumerate(account.items()):
        created = now - timedelta(days=400 - 60 * g_index, hours=g_index * 3)
        store.add_channel_group(
            group,
            description=spec["description"],
            tags=dict(spec["tags"]),
            created_at=created,
            modified_at=created + timedelta(days=30),
        )
        for c_index, (channel, (input_type, endpoints)) in enumerate(spec["channels"].items()):
            c_created = created + timedelta(days=2 + 9 * c_index, minutes=17 * c_index)
            store.add_channel(
                group,
                channel,
                input_type=input_type,
                created_at=c_created,
                modified_at=c_created + timedelta(days=3, hours=c_index),
                description=f"{channel.replace('-', ' ').title()} ({input_type} ingest)",
                tags={**spec["tags"], "channel": channel},
            )
            for e_index, endpoint in enumerate(endpoints):
                container, hls, ll_hls, dash = _ENDPOINT_KINDS[endpoint]
                e_created = c_created + timedelta(hours=2 + e_index)
                store.add_origin_endpoint(
                    group,
                    channel,
                    endpoint,
                    container_type=container,
                    hls=hls,
                    ll_hls=ll_hls,
                    dash=dash,
                    segment_seconds=2 if (ll_hls and not hls) else 6,
                    created_at=e_created,
                    modified_at=e_created + timedelta(days=1 + e_index),
                    description=f"{container} origin for {channel}",
                    tags={"player": "web" if e_index % 2 == 0 else "tv"},
                    **({"startover_window_seconds": None} if endpoint in _NO_STARTOVER else {}),
                )


class _Named(NamedTuple):
    path: tuple[str, str, str, str]
    age: timedelta  # created this long before now
    window: timedelta
    bucket: str
    manifests: dict[str, list[str]]
    cancel_after: float | None = None  # seconds after creation


_H, _S = timedelta(hours=1), timedelta(seconds=1)
_NAMED = (
    _Named(("live-sports", "football-main", "cmaf-main", "cup-final-full-match"), 40 * _S,
           3 * _H, ARCHIVE_BUCKET, {"HlsManifests": ["index"], "DashManifests": ["index"]}),
    _Named(("live-sports", "football-main", "cmaf-main", "cup-final-highlights"), 3 * _S,
           _H / 2, "acme-sports-highlights", {"HlsManifests": ["index"]}),
    _Named(("live-sports", "motorsport", "cmaf-main", "grand-prix-replay"), 48 * _H, 2 * _H,
           ARCHIVE_BUCKET, {"HlsManifests": ["index"], "LowLatencyHlsManifests": ["low-latency"]}),
    _Named(("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold"), 5 * _H, _H,
           LEGAL_HOLD_BUCKET, {"HlsManifests": ["index"]}),
    _Named(("events-popup", "keynote-live", "cmaf-main", "keynote-rehearsal"), 20 * _H, _H,
           "acme-events-vod", {"HlsManifests": ["index"]}, cancel_after=12),
)  # fmt: skip
_NAMED_EU = (
    _Named(("eu-broadcast", "sport-eu", "cmaf-main", "derby-full-match"), 30 * _H, 2 * _H,
           EU_BUCKET, {"HlsManifests": ["index"], "DashManifests": ["index"]}),
    _Named(("eu-broadcast", "sport-eu", "cmaf-main", "derby-highlights"), 40 * _S, 3 * _H,
           EU_BUCKET, {"HlsManifests": ["index"]}),
    _Named(("eu-broadcast", "sport-eu", "hls-ts", "derby-archive-denied"), 5 * _H, _H,
           EU_DENIED_BUCKET, {"HlsManifests": ["index"]}),
    _Named(("eu-broadcast", "news-eu", "cmaf-main", "evening-news-missing-bucket"), 6 * _H,
           _H / 2, EU_MISSING_BUCKET, {"HlsManifests": ["index"]}),
    _Named(("eu-broadcast", "news-eu", "cmaf-main", "morning-news"), 20 * _H, _H,
           EU_BUCKET, {"DashManifests": ["index"]}, cancel_after=12),
)  # fmt: skip


def _named_jobs(store: Store, now: datetime, jobs: tuple[_Named, ...]) -> None:
    """A few jobs that keep their names and states for any seed (see the package doc)."""
    for named in jobs:
        created = now - named.age
        end = created - timedelta(minutes=5)
        kinds = named.manifests
        job = store.add_harvest_job(
            *named.path,
            start=end - named.window,
            end=end,
            bucket=named.bucket,
            path=f"{named.path[0]}/{named.path[1]}/{named.path[3]}/",
            created_at=created,
            manifests={k: [{"ManifestName": n} for n in v] for k, v in kinds.items()},
            description=f"Demo: {named.path[3].replace('-', ' ')}",
            tags={"requested-by": "demo"},
        )
        if named.cancel_after is not None:
            job.cancelled_at = created + timedelta(seconds=named.cancel_after)


def _random_jobs(store: Store, rng: random.Random, now: datetime) -> None:
    """~55 seeded jobs: mostly COMPLETED, then FAILED, CANCELLED and a few active ones."""
    plan = ["COMPLETED"] * 33 + ["FAILED"] * 7 + ["CANCELLED"] * 7 + ["QUEUED"] * 3
    plan += ["IN_PROGRESS"] * 5 + ["SCHEDULED"] * 1  # SCHEDULED: window ends in the future
    rng.shuffle(plan)
    endpoints = [
        (g.name, c.name, e)
        for g in store.groups.values()
        for c in g.channels.values()
        for e in c.endpoints.values()
    ]
    for i, kind in enumerate(plan):
        group, channel, ep = rng.choice(endpoints)
        while kind in _ACTIVE_KINDS and len(store.active_jobs(group)) >= DEMO_ACTIVE_PER_GROUP:
            group, channel, ep = rng.choice(endpoints)
        window = timedelta(minutes=rng.choice(_WINDOWS_MIN))
        if kind in ("COMPLETED", "FAILED", "CANCELLED"):
            created = now - timedelta(minutes=rng.uniform(60, 14 * 24 * 60))
        elif kind == "QUEUED":
            created = now - timedelta(seconds=rng.uniform(0, 8))
        elif kind == "IN_PROGRESS":
            window = max(window, timedelta(hours=2))  # long enough to still be running
            created = now - timedelta(seconds=rng.uniform(15, 50))
        else:
            created = now - timedelta(minutes=rng.uniform(1, 30))
        end = created - timedelta(minutes=rng.uniform(2, 90))
        if kind == "SCHEDULED":
            end = now + timedelta(minutes=rng.uniform(10, 40))
        start = end - window
        bucket = rng.choice(BUCKETS)
        if kind == "FAILED":
            bucket = LEGAL_HOLD_BUCKET if rng.random() < 0.7 else EU_BUCKET
        event = rng.choice(DEMO_ACCOUNT[group]["events"])
        name = f"{channel}-{event}-{start:%Y%m%d-%H%M}"
        purpose, team = rng.choice(_PURPOSES)
        manifests = _pick_manifests(rng, ep.hls, ep.ll_hls, ep.dash)
        if name in store.groups[group].channels[channel].job_names:
            name = f"{name}-{i}"
        job = store.add_harvest_job(
            group,
            channel,
            ep.name,
            name,
            start=start,
            end=end,
            bucket=bucket,
            path=f"{group}/{channel}/{start:%Y/%m/%d}/{name}/",
            created_at=created,
            manifests=manifests,
            description=f"{purpose}: {event.replace('-', ' ')}" if purpose else None,
            tags={"requested-by": team, "ticket": f"MEDIA-{rng.randint(1000, 9999)}"},
        )
        if kind == "CANCELLED":
            run = (job.finishes_at - job.created_at).total_seconds()
            job.cancelled_at = job.created_at + timedelta(seconds=rng.uniform(1, run - 1))
            store.groups[group].active.discard(job)


def _pick_manifests(
    rng: random.Random, hls: tuple[str, ...], ll_hls: tuple[str, ...], dash: tuple[str, ...]
) -> dict[str, list[dict[str, str]]]:
    """One manifest most of the time, sometimes several of several kinds."""
    kinds = {"HlsManifests": hls, "LowLatencyHlsManifests": ll_hls, "DashManifests": dash}
    available = [(kind, name) for kind, names in kinds.items() for name in names]
    count = 1 if rng.random() < 0.6 else rng.randint(1, len(available))
    picked: dict[str, list[dict[str, str]]] = {}
    for kind, name in rng.sample(available, count):
        picked.setdefault(kind, []).append({"ManifestName": name})
    return picked


def generate_scale(
    store: Store,
    seed: int = 0,
    *,
    jobs: int = 10_000,
    groups: int = 1,
    channels: int = 1,
    endpoints: int = 10,
) -> None:
    """N finished jobs spread round-robin over groups × channels × endpoints (for benchmarks).

    `channels` is per group and `endpoints` per channel; jobs are one minute apart,
    newest an hour ago; one in ten FAILED or CANCELLED, the rest COMPLETED.
    """
    rng = random.Random(seed)
    now = store.now()
    store.mark_unwritable(LEGAL_HOLD_BUCKET)
    paths = []
    for g in range(1, groups + 1):
        group = f"scale-group-{g:02d}"
        store.add_channel_group(
            group, created_at=now - timedelta(days=30), description="Scale test"
        )
        for c in range(1, channels + 1):
            channel = f"scale-channel-{c:02d}"
            store.add_channel(group, channel, created_at=now - timedelta(days=29))
            for e in range(1, endpoints + 1):
                name = f"scale-endpoint-{e:02d}"
                store.add_origin_endpoint(
                    group,
                    channel,
                    name,
                    hls=("index",),
                    dash=("index",),
                    created_at=now - timedelta(days=28),
                )
                paths.append((group, channel, name))
    for n in range(jobs):
        group, channel, endpoint = paths[n % len(paths)]
        created = now - timedelta(hours=1, minutes=jobs - n)
        end = created - timedelta(minutes=5)
        roll = rng.random()
        job = store.add_harvest_job(
            group,
            channel,
            endpoint,
            f"scale-job-{n + 1:06d}",
            start=end - timedelta(hours=1),
            end=end,
            created_at=created,
            bucket=LEGAL_HOLD_BUCKET if roll < 0.05 else ARCHIVE_BUCKET,
            path=f"scale/{n + 1:06d}/",
        )
        if 0.05 <= roll < 0.1:
            job.cancelled_at = job.starts_at  # cancelled as it left the queue


def scale(**options: int) -> Callable[[Store, int], None]:
    """A `data=` argument for Sandbox: `Sandbox(data=scale(jobs=10_000, endpoints=10))`."""

    def populate(store: Store, seed: int) -> None:
        generate_scale(store, seed, **options)

    return populate
