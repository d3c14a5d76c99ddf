"""The fleet view's load (harvest_tui/fleet.py `load_fleet`, as the fleet table runs it)
through real service workers (worker.pool.WorkerPool: one per core, up to 4), against
one sandbox at 150 ms per call serving 20 accounts (one access key each) in 3 regions,
every region with the demo account's groups (`--every-region`). Run by run.py (`--only
fleet`).

- the whole fleet, every target at once, against the slowest single profile-region
  loaded alone: the target is 1.5×;
- the same with the default pool of 8 at once (its rounds: ⌈60 / 8⌉);
- the requests: one ListChannelGroups per target and one ListHarvestJobs page chain
  per group, counted by the sandbox and compared with the pages the data holds;
- with one profile denied (every call 403) and one timing out (an endpoint that never
  answers), every other target still loads in full.
"""

from __future__ import annotations

import math
import socket
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from harness import FROZEN_AT, SandboxProcess, ms, now

from harvest_tui.backend import Backend
from harvest_tui.fleet import FleetJob, FleetTarget, TargetResult, load_fleet
from harvest_tui.profiles import Profile, Settings
from harvest_tui.sandbox import FrozenClock, Sandbox
from harvest_tui.service import Connection, RetryPolicy
from harvest_tui.worker.client import ServiceWorker, WorkerBackend
from harvest_tui.worker.pool import WorkerPool, fleet_worker_count

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
LATENCY_MS = 150
DENIED = "999999999999"
DEFAULT_POOL = Settings().fleet_concurrency


def account(i: int) -> str:
    return f"{210000000000 + i:012d}"


def target(i: int, region: str, url: str) -> tuple[FleetTarget, Connection]:
    acct = account(i) if i >= 0 else DENIED
    name = f"p{i:02d}" if i >= 0 else "denied"
    profile = Profile(name, regions=REGIONS, endpoint_url=url)
    creds = (f"AKIDFLEET{acct}", "fleet")
    return FleetTarget(profile, region), Connection(
        region=region, endpoint_url=url, static_credentials=creds
    )


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers (the kernel completes the
    handshake from the backlog): a profile that times out."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def expected_pages(profiles: int) -> int:
    """ListHarvestJobs pages the data holds (100 jobs a page, as the sandbox answers with no
    MaxResults), read from a sandbox made as the measured one is (same seed, frozen clock,
    every region alike)."""
    frozen = datetime.fromisoformat(FROZEN_AT.replace("Z", "+00:00"))
    sandbox = Sandbox(seed=7, clock=FrozenClock(frozen), every_region=True)
    per_region = 0
    for i in range(profiles):
        store = sandbox.store_for(account(i), REGIONS[0])
        per_region += sum(max(1, math.ceil(len(g.jobs) / 100)) for g in store.groups.values())
    return per_region * len(REGIONS)


def timed_load(
    targets: list[tuple[FleetTarget, Backend]], concurrency: int
) -> tuple[float, dict[str, TargetResult]]:
    """(ms, each target's result) of one load_fleet."""
    results: dict[str, TargetResult] = {}

    def ignore(_: FleetTarget, __: list[FleetJob]) -> None:
        pass

    def done(result: TargetResult) -> None:
        results[result.target.key] = result

    t0 = now()
    load_fleet(targets, concurrency=concurrency, on_jobs=ignore, on_done=done)
    return ms(now() - t0), results


def rows(profiles: int, reps: int, singles: int) -> list[dict[str, Any]]:
    """run.py's rows. `singles`: how many targets are also loaded alone (the slowest of
    them is the reference), spread over the fleet."""
    args = ("--latency-ms", str(LATENCY_MS), "--every-region", "--deny-account", DENIED)
    worker = ServiceWorker.start()
    assert worker is not None
    # As the app's fleet view spreads its calls, with the default settings.
    pool = WorkerPool(worker, size=fleet_worker_count(Settings().fleet_workers))
    try:
        with SandboxProcess(*args) as sandbox, silent_endpoint() as silent:

            def backend(connection: Connection, share: int) -> Backend:
                return WorkerBackend(connection, pool.worker(share))

            fleet = [target(i, r, sandbox.url) for i in range(profiles) for r in REGIONS]
            targets = [(t, backend(c, i)) for i, (t, c) in enumerate(fleet)]
            n = len(targets)
            # Cold: the pool starts its workers, and they make a boto3 client per
            # profile-region (~0.05 s of CPU each, one at a time per worker); every
            # figure below is then warm, as on a reload (r).
            cold, _ = timed_load(targets, DEFAULT_POOL)
            step = max(1, n // singles)
            alone = [timed_load([targets[i]], 1)[0] for i in range(0, n, step)]
            slowest = max(alone)
            sandbox.reset()
            whole = [timed_load(targets, n) for _ in range(reps)]
            counts = sandbox.reset()
            pooled = statistics.median(timed_load(targets, DEFAULT_POOL)[0] for _ in range(reps))
            # One profile denied (3 regions), one timing out (1 region), the pool of 8.
            denied = [target(-1, r, sandbox.url) for r in REGIONS]
            hung_target = FleetTarget(Profile("hung", regions=("us-east-1",)), "us-east-1")
            hung = Connection(
                region="us-east-1",
                endpoint_url=silent,
                static_credentials=("AKIDHUNG", "x"),
                retry=RetryPolicy(max_attempts=1, connect_timeout=2, read_timeout=3),
            )
            broken = [
                (t, backend(c, n + i)) for i, (t, c) in enumerate([*denied, (hung_target, hung)])
            ]
            _, results = timed_load([*broken, *targets], DEFAULT_POOL)
    finally:
        pool.close()
        worker.close()

    whole_ms = statistics.median(t for t, _ in whole)
    pages = expected_pages(profiles)
    jobs_each = {key: r.jobs for key, r in whole[0][1].items()}
    per_round = math.ceil(n / DEFAULT_POOL)
    healthy_ok = all(
        results[t.key].error is None and results[t.key].jobs == jobs_each[t.key] for t, _ in fleet
    )
    codes = [results[t.key].error for t, _ in broken]
    broken_ok = all(e is not None for e in codes) and all(
        e is not None and e.code == "AccessDeniedException" for e in codes[:3]
    )
    where = f"{profiles} profiles × {len(REGIONS)} regions, {LATENCY_MS} ms per call"
    return [
        {
            "name": f"Fleet: all {n} profile-regions at once vs the slowest alone ({where})",
            "value": round(whole_ms / slowest, 2),
            "target": "≤ 1.5×",
            "met": whole_ms / slowest <= 1.5,
            "detail": f"fleet {whole_ms:.0f} ms, slowest single {slowest:.0f} ms "
            f"(of {len(alone)} loaded alone); {pool.size} service worker(s)",
        },
        {
            "name": f"Fleet: the default pool ({DEFAULT_POOL} at once) vs the slowest alone",
            "value": round(pooled / slowest, 2),
            "target": f"≤ 1.5 × {per_round} rounds",
            "met": pooled / slowest <= 1.5 * per_round,
            "detail": f"fleet {pooled:.0f} ms; the first load, making {n} clients: {cold:.0f} ms",
        },
        {
            "name": f"Fleet: requests for {n} profile-regions (ListChannelGroups + pages)",
            "value": sum(counts.values()) // reps,
            "target": f"= {n} + {pages} (one group list per target, one page chain per group)",
            "met": counts == {"ListChannelGroups": n * reps, "ListHarvestJobs": pages * reps},
            "detail": ", ".join(f"{op} {c}" for op, c in sorted(counts.items()))
            + (f" over {reps} loads" if reps > 1 else ""),
        },
        {
            "name": "Fleet: one profile denied (3 regions) and one timing out",
            "value": f"{sum(results[t.key].error is None for t, _ in fleet)} of {n} loaded",
            "target": f"all {n} others in full; the 4 failures shown",
            "met": healthy_ok and broken_ok,
            "detail": "; ".join(
                f"{t.profile.name}/{t.region}: {e.code if e else 'no error'}"
                for (t, _), e in zip(broken, codes, strict=True)
            ),
        },
    ]
