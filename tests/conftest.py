"""Shared fixtures: a sandbox on a frozen clock, and the real app pointed at it.

Determinism: the sandbox's clock is frozen at DEMO_NOW and the app reads the same
clock; animations are off; terminal sizes are fixed by each test.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
# The tests must not depend on the developer's AWS setup.
for var in (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_MEDIAPACKAGEV2",
):
    os.environ.pop(var, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
# The warm start's cache: never the user's (apps run as `harvest-tui` write one on quit).
os.environ["HARVEST_TUI_CACHE_DIR"] = tempfile.mkdtemp(prefix="harvest-tui-test-cache-")

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox  # noqa: E402
from harvest_tui.ui.textual_private import share_css_parses  # noqa: E402
from harvest_tui.worker.client import ServiceWorker  # noqa: E402

# Hundreds of apps per test process parse the same CSS: once each is enough.
share_css_parses()

# Property tests run beside 7 other test processes on 2 cores: hypothesis's 200 ms per
# example is a timed assertion there (a config round trip once exceeded it). No deadline
# for any of them; their sizes are bounded by max_examples instead.
hypothesis.settings.register_profile("loaded-machine", deadline=None)
hypothesis.settings.load_profile("loaded-machine")


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)) as sb:
        yield sb


@pytest.fixture
def snap_compare(snap_compare: Any) -> Any:
    """pytest-textual-snapshot's, with every text input's cursor held still before the
    picture: a blink phase (every 0.5 s) would make it depend on how long the steps
    before it took, as it did on a loaded machine."""
    from textual.widgets import Input

    def compare(app: Any, *args: Any, run_before: Any = None, **kwargs: Any) -> bool:
        async def before(pilot: Any) -> None:
            if run_before is not None:
                await run_before(pilot)
            for screen in pilot.app.screen_stack:
                for box in screen.query(Input):
                    box.cursor_blink = False  # shown steadily, no more blinking
            await pilot.pause()

        return bool(snap_compare(app, *args, run_before=before, **kwargs))

    return compare


@pytest.fixture
def service_worker() -> Iterator[ServiceWorker]:
    """A real service worker process (`python -m harvest_tui.service_worker`)."""
    started = ServiceWorker.start()
    assert started is not None
    yield started
    started.close()
    started.proc.wait(10)


def pytest_configure(config: pytest.Config) -> None:
    """Where PYTHONDONTWRITEBYTECODE is set, the bytecode goes to a cache of its own, out
    of the source tree (as tests/benchmarks/harness.py does), rather than nowhere:
    otherwise every test process compiles every test module (assertion rewriting) and
    every subprocess the app's modules again, on each run."""
    import sys
    import tempfile

    if sys.dont_write_bytecode:
        cache = os.path.join(tempfile.gettempdir(), "harvest-tui-tests-pycache")
        sys.dont_write_bytecode = False
        sys.pycache_prefix = cache
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = cache


def pytest_collection_finish(session: pytest.Session) -> None:
    from pilotkit import collect_by_hand, freeze_heap

    freeze_heap()
    collect_by_hand()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    from pilotkit import after_test

    try:
        return (yield)
    finally:
        after_test()


def pytest_sessionfinish(session: pytest.Session) -> None:
    from pilotkit import end_of_session

    end_of_session()
