"""Helpers for Pilot tests: wait for the workers, find and open tree nodes."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import io
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets.tree import TreeNode

from harvest_tui.config import ActiveProfile, Config, Profile, Settings
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.service import RetryPolicy
from harvest_tui.ui.app import HarvestApp
from harvest_tui.ui.builder import build_app
from harvest_tui.ui.screens.explorer import ExplorerScreen
from harvest_tui.ui.widgets.tree_nodes import NodeData
from harvest_tui.view_cache import ViewCache
from harvest_tui.worker.client import ServiceWorker

# A profiles file like a media-ops team's: for the switcher's snapshot and screenshot.
TEAM_CONFIG = Config(
    path=None,
    default_profile="prod",
    profiles={
        "prod": Profile(
            "prod",
            aws_profile="media-prod",
            regions=("us-east-1", "eu-west-1"),
            read_only=True,
            production=True,
        ),
        "staging": Profile("staging", aws_profile="media-staging", regions=("us-west-2",)),
    },
)

# Group polling off: tests of other features count their own requests exactly.
TEST_SETTINGS = Settings(
    poll_interval_seconds=0.2, poll_max_interval_seconds=0.5, bell=True, poll_groups=False
)


def freeze_heap() -> None:
    """Freeze what lives now for the rest of the test process, as `harvest-tui` freezes
    what its startup made (ui/app.end_startup_gc): the collector's full passes then skip
    the modules, collected tests and caches (unfrozen, they cost a sixth of the suite's
    CPU time). Called by conftest once collection has imported every test module."""
    gc.collect()
    gc.freeze()


# The collector's full passes, by hand (conftest's hooks). Left to itself, a test process
# ran one every four tests or so (each time the oldest generation had grown by a quarter),
# and each pass walked every object alive: the running test's app with Textual's line
# caches, 100,000 to 200,000 objects, 0.1 s a pass, to free a tenth of that. Those passes
# were a fifth of the suite's CPU time. The young generations collect as usual.
FULL_COLLECTION_EVERY = 20  # tests
_tests_since_full_collection = 0


def collect_by_hand() -> None:
    """From now on, full collections happen only in after_test and at the session's end."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000_000)


def after_test() -> None:
    global _tests_since_full_collection
    _tests_since_full_collection += 1
    if _tests_since_full_collection >= FULL_COLLECTION_EVERY:
        _tests_since_full_collection = 0
        gc.collect()


def end_of_session() -> None:
    """One last full pass, then freeze what is left: pytest's own closing passes (five
    in a row, for unraisable exceptions) then have nothing to walk, not 0.25 s each."""
    gc.collect()
    gc.freeze()


def sandbox_profile(sandbox: Sandbox, name: str = "sandbox", **kw: Any) -> ActiveProfile:
    return ActiveProfile(
        name=name,
        regions=kw.pop("regions", ("us-east-1",)),
        endpoint_url=sandbox.endpoint_url,
        source="tests",
        **kw,
    )


# Retries as the SDK's standard mode makes them, with their backoff a thousand times
# shorter: a retry test takes milliseconds, not botocore's real seconds.
FAST_RETRY = RetryPolicy(backoff_scale=0.001)
_shared_worker: ServiceWorker | None = None
SHARED = object()  # make_app's default: the tests' one shared service worker


def shared_worker() -> ServiceWorker:
    """One real service worker process for every app test that doesn't need its own."""
    global _shared_worker
    if _shared_worker is None or not _shared_worker.alive:
        _shared_worker = ServiceWorker.start()
        assert _shared_worker is not None
    return _shared_worker


@contextlib.contextmanager
def own_worker() -> Iterator[ServiceWorker]:
    """A service worker of the test's own, started now: it sees the environment as the
    test has set it (the shared one was started with the environment of its time)."""
    worker = ServiceWorker.start()
    assert worker is not None
    try:
        yield worker
    finally:
        worker.close()
        worker.proc.wait(10)


def make_app(
    sandbox: Sandbox,
    *,
    active: ActiveProfile | None = None,
    config: Config | None = None,
    settings: Settings = TEST_SETTINGS,
    worker: Any = SHARED,
    retry: RetryPolicy = FAST_RETRY,
    deadline: float | None = None,
    view_cache: ViewCache | None = None,
) -> HarvestApp:
    """The real app on the sandbox, as `harvest-tui --sandbox` builds it: calls go through
    a service worker process unless `worker=None` (in this process) is asked for. The
    warm start's cache is off unless a `view_cache` is given."""
    profile = sandbox_profile(sandbox)
    return build_app(
        active or profile,
        worker=shared_worker() if worker is SHARED else worker,
        config=config,
        settings=settings,
        clock=sandbox.clock.now,
        sandbox_url=sandbox.endpoint_url,
        retry=retry,
        deadline=deadline,
        extra_profiles=(profile,),
        view_cache=view_cache,
    )


# How often settle and wait_for look. Between looks the app's own loop runs (the test
# shares it); Pilot.pause would also post a message to every widget and force a screen
# update each time, a tenth of an app test's CPU when it was the poll.
POLL_SECONDS = 0.02


async def settle(pilot: Pilot[Any], timeout: float = 15.0) -> None:
    """Wait until no worker runs and no call is in flight (debounce timers included) for
    three looks in a row, then until the app has handled what is queued."""
    deadline = time.monotonic() + timeout
    quiet_rounds = 0
    await pilot.pause()
    while quiet_rounds < 3:
        await asyncio.sleep(POLL_SECONDS)
        quiet_rounds = 0 if explorer(pilot.app).busy else quiet_rounds + 1
        if time.monotonic() > deadline:
            raise AssertionError("the app did not settle in time")
    await pilot.pause()


def explorer(app: Any) -> ExplorerScreen:
    assert isinstance(app, HarvestApp)
    return app.explorer


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(POLL_SECONDS)
    await pilot.pause()  # what the condition's change queued (a repaint...) is handled


def wait_until(
    condition: Callable[[], object], timeout: float = 30, what: str = "condition not met in time"
) -> None:
    """Wait, outside an app's loop, until `condition()` is true (looking every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(POLL_SECONDS)


def child(node: TreeNode[NodeData], name: str) -> TreeNode[NodeData]:
    for c in node.children:
        if c.data is not None and c.data.name == name:
            return c
    names = [c.data.name if c.data else "?" for c in node.children]
    raise AssertionError(f"{name!r} not among {names}")


async def open_path(pilot: Pilot[Any], *names: str) -> TreeNode[NodeData]:
    """Expand the tree along `names` (group, channel, endpoint[, job]) and put the cursor on
    the last one, as a user would with the keyboard."""
    tree = explorer(pilot.app).resource_tree
    await settle(pilot)
    node = tree.root
    for name in names:
        node = child(node, name)
        tree.move_cursor(node)
        if node.allow_expand and not node.is_expanded:
            node.expand()
        await settle(pilot)
    return node


def labels(node: TreeNode[NodeData]) -> list[str]:
    return [str(c.label) for c in node.children]


def plain(renderable: Any, width: int = 200) -> str:
    """A Rich renderable (or a Static's content) as plain text, for assertions."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()  # type: ignore[attr-defined]


def widget_text(app: Any, selector: str, width: int = 200) -> str:
    return plain(app.query_one(selector).content, width)


def terminal(app: Any) -> tuple[str, str]:
    """(raw, text): the bytes Textual would write for the whole screen, as its driver
    does (CompositorUpdate.render_segments), and the screen's plain text."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    raw = update.render_segments(console)
    console.print(update)
    return raw, console.export_text(styles=False)


def add_jobs(sandbox: Sandbox, n: int, prefix: str = "many") -> None:
    """`n` finished jobs on events-popup/keynote-live/hls-ts, for paging tests."""
    for i in range(n):
        sandbox.store.add_harvest_job(
            "events-popup",
            "keynote-live",
            "hls-ts",
            f"{prefix}-{i:03d}",
            start=DEMO_NOW - timedelta(days=2, hours=2),
            end=DEMO_NOW - timedelta(days=2, hours=1),
            bucket="acme-media-archive",
            path=f"{prefix}/{i}/",
            created_at=DEMO_NOW - timedelta(days=2),
        )


__all__ = [
    "PtyApp",
    "add_jobs",
    "asyncio",
    "child",
    "explorer",
    "labels",
    "open_path",
    "own_worker",
    "plain",
    "settle",
    "terminal",
    "wait_for",
    "wait_until",
    "widget_text",
]


def _default_signals() -> None:
    for number in (signal.SIGHUP, signal.SIGINT, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)


class PtyApp:
    """The real `harvest-tui` command in a pseudo-terminal (Textual's real driver), on
    the sandbox: what it writes is collected in `out`; keys are bytes written to it."""

    def __init__(
        self,
        sandbox: Sandbox,
        size: tuple[int, int] = (200, 50),
        args: tuple[str, ...] = (),
        *,
        cache: bool = False,
        env: dict[str, str] | None = None,
    ) -> None:
        """`cache`: with the warm start (off by default: each test starts cold); `env`:
        more environment variables."""
        self.master, slave = pty.openpty()
        cols, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        env = {
            **os.environ,
            "TERM": "xterm-256color",
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            "TEXTUAL_ANIMATIONS": "none",
            **(env or {}),
        }
        command = [sys.executable, "-m", "harvest_tui.cli", "--endpoint-url"]
        command += [sandbox.endpoint_url, "--region", "us-east-1"]
        command += [*(() if cache else ("--no-cache",)), *args]
        self.proc = subprocess.Popen(
            command,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            # As a terminal's shell starts it. Under `nohup pytest` (or in a background job)
            # the app would inherit SIGHUP (and SIGINT, SIGQUIT) ignored, and rightly leave a
            # hangup alone.
            preexec_fn=_default_signals,
        )
        os.close(slave)
        self.out = bytearray()

    def pump(self, seconds: float) -> None:
        """Collect what the app writes for `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.out.extend(os.read(self.master, 65536))
                except OSError:
                    return

    def wait_for(self, text: bytes, seconds: float = 15) -> None:
        deadline = time.monotonic() + seconds
        while text not in self.out:
            assert time.monotonic() < deadline, f"{text!r} never written"
            self.pump(0.1)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def exit_code(self, seconds: float = 10) -> int | None:
        """The app's exit code once it has quit (None if it has not in `seconds`), reading
        what it writes meanwhile: an app whose output nobody reads blocks on its last frame."""
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.05)
        return self.proc.poll()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
