"""The soak test's short form: one minute of the real app under a scripted user and live
job traffic, on a sandbox that throttles, fails and drops requests (tests/soak.py).

It runs by default; `pytest -m "not soak"` leaves it out. The long form is by hand:
`python tests/soak.py --minutes 30`.
"""

from __future__ import annotations

import gc
import weakref

import pytest
from pilotkit import make_app, open_path, settle, wait_for
from soak import run_soak
from textual.widget import Widget

from harvest_tui.sandbox import Sandbox


@pytest.mark.soak
def test_a_minute_of_use_under_faults_leaves_the_app_correct_and_lean() -> None:
    """Still running, no traceback, every job on screen in a status the API gave during
    the final check, no unexplained error, and the app's and the service worker's memory
    grown by less than 10 % after the first 20 s (the warm-up of a one-minute run)."""
    result = run_soak(60)
    print(result.report())
    assert not result.problems(), result.report() + "\n" + result.final_screen


def test_a_name_cut_at_the_pane_edge_is_matched_to_the_one_job_it_begins() -> None:
    from soak import full_path

    known = {"g/c/e/panel-20261128-0405": "FAILED", "g/c/e/panel-20261129-0101": "DONE"}
    assert full_path("g/c/e/panel-20261128", known) == "g/c/e/panel-20261128-0405"
    assert full_path("g/c/e/panel-2026112", known) is None  # both fit: not compared
    assert full_path("g/c/e/panel-20261129-0101", known) == "g/c/e/panel-20261129-0101"


def test_a_name_cut_in_the_middle_is_matched_to_the_one_job_it_stands_for() -> None:
    from soak import full_path

    known = {"g/c/e/panel-20261128-0405": "FAILED", "g/c/e/panel-20261129-0101": "DONE"}
    assert full_path("g/c/e/pan…28-0405", known) == "g/c/e/panel-20261128-0405"
    assert full_path("g/c/e/pan…0101", known) == "g/c/e/panel-20261129-0101"
    assert full_path("g/c/e/pan…", known) is None  # both fit: not compared


async def test_the_copy_screen_lets_its_widgets_go_once_closed(sandbox: Sandbox) -> None:
    """The old copy screen's text areas each watched the app's theme, and Textual kept them
    for as long as the app (textual#6666). The screen shows plain lines now; every v (copy
    text) must still leave nothing of its screen alive."""
    from harvest_tui.ui.screens.copy_screen import CopyScreen

    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "cmaf-main", "cup-final-full-match")
        shown: list[weakref.ref[Widget]] = []
        for _ in range(3):
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, CopyScreen))
            shown += [weakref.ref(app.screen)]
            shown += [weakref.ref(w) for w in app.screen.walk_children(Widget)]
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, CopyScreen))
        await settle(pilot)
        gc.collect()
        assert len(shown) >= 6
        assert [ref() for ref in shown if ref() is not None] == []


def test_memory_growth_counts_from_the_baseline_for_the_app_and_the_worker() -> None:
    from soak import SoakResult

    def growth_problems(app: list[int], worker: list[int]) -> list[str]:
        result = SoakResult(seconds=300, baseline_at=60)
        times = [0.0, 30.0, 60.0, 180.0, 300.0]
        result.rss = {
            "app": list(zip(times, app, strict=True)),
            "service worker": list(zip(times, worker, strict=True)),
        }
        return [p for p in result.problems() if "RSS" in p]

    flat = [100, 100, 100, 100, 100]
    # What the first minute does is warm-up: doubling before it is no growth.
    assert growth_problems([40, 80, 100, 105, 109], flat) == []
    assert growth_problems([40, 80, 100, 105, 110], flat) == [
        "the app's RSS grew 10.0 % (100 → 110 KiB)"
    ]
    assert growth_problems(flat, [100, 100, 100, 130, 120]) == [
        "the service worker's RSS grew 20.0 % (100 → 120 KiB)"
    ]
    early = SoakResult(seconds=300, baseline_at=60, rss={"app": [(0, 40), (30, 80)]})
    assert "no memory samples of the app after 60 s" in early.problems()
