"""Demo data: deterministic for a seed, realistic; the scale generator."""

from __future__ import annotations

from collections import Counter

from harvest_tui.sandbox import (
    DEMO_NOW,
    MAX_ACTIVE_JOBS_PER_GROUP,
    FrozenClock,
    Store,
    generate_scale,
    populate_demo,
)
from harvest_tui.sandbox.demo import DEMO_ACTIVE_PER_GROUP


def demo(seed: int = 7) -> Store:
    store = Store(FrozenClock(DEMO_NOW))
    populate_demo(store, seed)
    return store


def snapshot(store: Store) -> list[tuple]:
    now = store.now()
    return [
        (j.arn, j.status(now), j.created_at, j.start, j.end, j.bucket, j.description, j.etag(now))
        for j in store.all_jobs()
    ]


def test_same_seed_same_data() -> None:
    assert snapshot(demo(7)) == snapshot(demo(7))
    assert snapshot(demo(7)) != snapshot(demo(8))


def test_shape_of_the_account() -> None:
    store = demo()
    channels = [c for g in store.groups.values() for c in g.channels.values()]
    endpoints = [e for c in channels for e in c.endpoints.values()]
    jobs = list(store.all_jobs())
    assert sorted(store.groups) == ["events-popup", "live-sports", "news-24x7"]
    assert (len(channels), len(endpoints)) == (8, 20)
    assert 55 <= len(jobs) <= 65
    assert {e.container_type for e in endpoints} == {"TS", "CMAF"}
    assert all(not e.dash for e in endpoints if e.container_type == "TS")
    assert any(e.hls for e in endpoints) and any(e.ll_hls for e in endpoints)
    assert any(e.dash for e in endpoints)
    assert all(g.description and g.tags for g in store.groups.values())


def test_jobs_in_every_status() -> None:
    assert DEMO_ACTIVE_PER_GROUP < MAX_ACTIVE_JOBS_PER_GROUP  # room to create jobs
    for seed in range(30):
        store = demo(seed)
        statuses = Counter(j.status(DEMO_NOW) for j in store.all_jobs())
        assert set(statuses) == {"QUEUED", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED"}
        assert statuses["COMPLETED"] > len(list(store.all_jobs())) / 2
        for group in store.groups:
            assert (
                len(store.active_jobs(group)) <= DEMO_ACTIVE_PER_GROUP < MAX_ACTIVE_JOBS_PER_GROUP
            )


def test_realistic_details() -> None:
    store = demo()
    jobs = list(store.all_jobs())
    failed = [j for j in jobs if j.status(DEMO_NOW) == "FAILED"]
    assert all(j.fails_with for j in failed)
    assert len({j.fails_with for j in failed}) >= 1
    counts = [sum(len(v) for v in j.manifests.values()) for j in jobs]
    assert 1 in counts and max(counts) > 1
    assert sum(1 for j in jobs if j.description) > len(jobs) / 2
    assert all(j.tags for j in jobs)
    assert all(j.start < j.end and j.created_at <= DEMO_NOW for j in jobs)
    for j in jobs:
        endpoint = store.origin_endpoint(j.group, j.channel, j.endpoint)
        names = {m["ManifestName"] for m in j.manifests.get("DashManifests", [])}
        assert names <= set(endpoint.dash)


def test_named_jobs() -> None:
    store = demo(99)
    expected = {
        ("live-sports", "football-main", "cmaf-main", "cup-final-full-match"): "IN_PROGRESS",
        ("live-sports", "football-main", "cmaf-main", "cup-final-highlights"): "QUEUED",
        ("live-sports", "motorsport", "cmaf-main", "grand-prix-replay"): "COMPLETED",
        ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold"): "FAILED",
        ("events-popup", "keynote-live", "cmaf-main", "keynote-rehearsal"): "CANCELLED",
    }
    for path, status in expected.items():
        assert store.harvest_job(*path).status(DEMO_NOW) == status


def test_scale_generator() -> None:
    store = Store(FrozenClock(DEMO_NOW))
    generate_scale(store, 0, jobs=1_000, groups=2, channels=3, endpoints=4)
    assert len(store.groups) == 2
    assert sum(len(g.channels) for g in store.groups.values()) == 6
    endpoints = [
        e for g in store.groups.values() for c in g.channels.values() for e in c.endpoints.values()
    ]
    assert len(endpoints) == 24
    assert sum(len(e.jobs) for e in endpoints) == 1_000
    assert {len(e.jobs) for e in endpoints} <= {41, 42}
    statuses = Counter(j.status(DEMO_NOW) for j in store.all_jobs())
    assert statuses["COMPLETED"] > 800 and statuses["FAILED"] and statuses["CANCELLED"]
