"""The one place that builds an app: for the CLI, the tests, the screenshots and the
benchmarks alike, so that each runs what users run.

By default calls go through the service worker (worker/), as `harvest-tui` makes
them; `worker=None` makes them in this process, the explicit exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from harvest_tui.backend import Backend
from harvest_tui.config import ActiveProfile, Config, Profile, Settings
from harvest_tui.deep_link import Target
from harvest_tui.service import RetryPolicy, connections_for
from harvest_tui.ui.app import HarvestApp
from harvest_tui.ui.screens.explorer import Connected
from harvest_tui.view_cache import ViewCache
from harvest_tui.worker.client import ServiceWorker, WorkerBackend
from harvest_tui.worker.pool import WorkerPool, fleet_worker_count


def backends_for(
    active: ActiveProfile,
    *,
    worker: ServiceWorker | None,
    sandbox_url: str | None = None,
    retry: RetryPolicy | None = None,
    deadline: float | None = None,
) -> dict[str, Backend]:
    """One backend per region of `active` ("default" when it names none). `deadline`:
    how long a call through the worker may show no sign of life (default: beyond every
    retry botocore could make)."""
    connections = connections_for(active, sandbox_url=sandbox_url, retry=retry)
    if worker is not None:
        return {
            region: WorkerBackend(c, worker, deadline=deadline) for region, c in connections.items()
        }
    from harvest_tui.service import MediaPackageService

    return {region: MediaPackageService(c) for region, c in connections.items()}


def build_app(
    active: ActiveProfile,
    *,
    worker: ServiceWorker | None,
    config: Config | None = None,
    settings: Settings | None = None,
    clock: Callable[[], datetime] | None = None,
    sandbox_url: str | None = None,
    retry: RetryPolicy | None = None,
    deadline: float | None = None,
    extra_profiles: Iterable[ActiveProfile] = (),
    target: Target | None = None,
    fleet: bool = False,
    on_close: Callable[[], None] | None = None,
    view_cache: ViewCache | None = None,
) -> HarvestApp:
    """The app for `active`. `sandbox_url`: the built-in sandbox's endpoint, which gets
    fixed credentials and is named so in the header. `on_close`: called as the app ends.
    `view_cache`: the warm start's cached views (None: off)."""

    def endpoint_label(profile: Profile) -> str | None:
        if sandbox_url is not None and profile.endpoint_url == sandbox_url:
            return "built-in sandbox"
        return profile.endpoint_url

    settings = settings or (config.settings if config else Settings())
    # The fleet view's workers: this one, and more started when the fleet first loads.
    pool = None
    if worker is not None:
        size = fleet_worker_count(settings.fleet_workers)
        pool = WorkerPool(worker, size=size, debug_log=settings.debug_log)

    def connect(profile: ActiveProfile, *, share: int | None = None) -> Connected:
        """`share`: the fleet's `share`-th profile-region, whose calls the pool's workers
        take in turn (None: the explorer's, on the app's own worker)."""
        chosen = worker if pool is None or share is None else pool.worker(share)
        backends = backends_for(
            profile, worker=chosen, sandbox_url=sandbox_url, retry=retry, deadline=deadline
        )
        return Connected(profile, backends, endpoint_label(profile))

    def close() -> None:
        if pool is not None:
            pool.close()
        if on_close is not None:
            on_close()

    return HarvestApp(
        active=active,
        connect=connect,
        config=config,
        settings=settings,
        clock=clock,
        extra_profiles=extra_profiles,
        endpoint_label=endpoint_label,
        target=target,
        fleet=fleet,
        on_close=close,
        view_cache=view_cache,
    )
