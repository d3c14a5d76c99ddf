"""Make the README's screenshots: the real app on the frozen sandbox, saved as SVG.

    python screenshots/make.py

Each picture walks the tree as a user would and saves what the terminal shows; the
last, browser-1280x800.png, is `harvest-tui serve` in headless Chromium (skipped, saying
why, where Chromium is not installed: apt-get install chromium chromium-driver).
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

from pilotkit import (  # noqa: E402
    TEAM_CONFIG,
    TEST_SETTINGS,
    explorer,
    make_app,
    open_path,
    settle,
    wait_for,
)

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
    ("jobs-table-120x40", (120, 40), ("live-sports",), ("J",)),
    ("create-form-120x40", (120, 40), ("live-sports", "football-main", "cmaf-main"), ("n",)),
    ("help-80x24", (80, 24), (), ("question_mark",)),
    ("profile-switcher-120x40", (120, 40), (), ("p",)),
]


async def shoot(
    name: str, size: tuple[int, int], path: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)) as sandbox:
        app = make_app(sandbox, settings=STILL, config=TEAM_CONFIG)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            # Each group's active jobs, as the app's first group poll lists them: the quota
            # meters and the watching strip (the poll itself is held off, for still shots).
            screen = explorer(app)
            groups = screen.resource_tree.root.children
            for group in groups:
                screen.group_watcher.poll_soon("us-east-1", group.data.name)
            await wait_for(pilot, lambda: all("active" in str(g.label) for g in groups))
            await open_path(pilot, *path)
            for key in keys:
                await pilot.press(key)
            await settle(pilot)
            app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"screenshots/{name}.svg")


def browser_shot() -> None:
    """The app served to headless Chromium, walked to a job, as the browser shows it."""
    from browser import chromium, missing, served, walk_to_first_job

    if (why := missing()) is not None:
        print(f"screenshots/browser-1280x800.png skipped: {why}")
        return
    env = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
    with Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)) as sandbox:
        args = ("--endpoint-url", sandbox.endpoint_url, "--region", "us-east-1")
        with served(*args, env=env) as url, chromium(url) as page:
            walk_to_first_job(page, sandbox)
            page.wait_for(lambda t: "Harvest job" in t and "ETag" in t, "the job")
            page.driver.save_screenshot(str(HERE / "browser-1280x800.png"))
    print("screenshots/browser-1280x800.png")


async def main() -> None:
    for shot in SHOTS:
        await shoot(*shot)
    browser_shot()


if __name__ == "__main__":
    asyncio.run(main())
