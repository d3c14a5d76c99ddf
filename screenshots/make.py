"""Make the README's screenshots: the real app on the frozen sandbox, saved as SVG.

    python screenshots/make.py

Each picture walks the tree as a user would and saves what the terminal shows.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from pilotkit import TEAM_CONFIG, TEST_SETTINGS, make_app, open_path, settle  # noqa: E402

from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox  # noqa: E402

STILL = TEST_SETTINGS.__class__(poll_interval_seconds=3600, poll_max_interval_seconds=3600)

SHOTS = [
    (
        "failed-job-120x40",
        (120, 40),
        ("news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold"),
        (),
    ),
    (
        "in-progress-job-120x40",
        (120, 40),
        ("live-sports", "football-main", "cmaf-main", "cup-final-full-match"),
        (),
    ),
    (
        "completed-job-80x24",
        (80, 24),
        ("live-sports", "motorsport", "cmaf-main", "grand-prix-replay"),
        (),
    ),
    ("help-80x24", (80, 24), (), ("question_mark",)),
    ("profile-switcher-120x40", (120, 40), (), ("p",)),
]


async def shoot(
    name: str, size: tuple[int, int], path: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)) as sandbox:
        app = make_app(sandbox, settings=STILL, config=TEAM_CONFIG)
        async with app.run_test(size=size) as pilot:
            await open_path(pilot, *path)
            for key in keys:
                await pilot.press(key)
            await settle(pilot)
            app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"screenshots/{name}.svg")


async def main() -> None:
    for shot in SHOTS:
        await shoot(*shot)


if __name__ == "__main__":
    asyncio.run(main())
