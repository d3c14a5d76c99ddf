"""The soak test's short form: one minute of the real app under a scripted user and live
job traffic, on a sandbox that throttles, fails and drops requests (tests/soak.py).

It runs by default; `pytest -m "not soak"` leaves it out. The long form is by hand:
`python tests/soak.py --minutes 30`.
"""

from __future__ import annotations

import pytest
from soak import SHORT_RUN_GROWTH_KIB, run_soak


@pytest.mark.soak
def test_a_minute_of_use_under_faults_leaves_the_app_correct_and_lean() -> None:
    """Still running, no traceback, every job on screen in a status the API gave during
    the final check, no unexplained error, and memory flat from 20 s on (growth under
    10 MiB is the warm-up of a short run: reported, not failed)."""
    result = run_soak(60, baseline_at=20, min_growth_kib=SHORT_RUN_GROWTH_KIB)
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
