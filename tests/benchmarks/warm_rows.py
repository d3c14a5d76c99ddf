"""The warm start (run.py `--only warm`): the last view, cached, on screen at once.

One session first walks to a job and quits with q (the view is cached as the app ends,
in a cache directory of its own); then, taking turns in the same run:

warm        `harvest-tui` with that cache: process start → the cached tree on screen
            (its groups_shown), the frame the last job's detail is on, and process
            start → the refreshed view (every open list read again)
floor       the bare Textual app's first frame (tests/benchmarks/floor_app.py)
cold        `harvest-tui --no-cache`: process start → the channel groups shown, one
            round trip of one list

Every call waits LATENCY_MS at the sandbox, so lists read level by level would show
as one round trip per level; read at once, the warm refresh lands within the round
trip of the cold start's one list.
"""

from __future__ import annotations

import statistics
import tempfile
from collections.abc import Callable
from typing import Any

from harness import BenchError, SandboxProcess, TuiRun, app_command, ms

LATENCY_MS = 150


def _level(level: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("level") == level


def cache_a_walk(url: str, env: dict[str, str]) -> str:
    """Walk to the first job with keys, then q: the name of the job in the cached view."""
    with TuiRun(app_command(url), env=env) as tui:
        mark = tui.wait("groups_shown")["index"]
        tui.send("l")
        mark = tui.wait("children_shown", after=mark, where=_level("channel"))["index"]
        tui.send("ll")
        mark = tui.wait("children_shown", after=mark, where=_level("endpoint"))["index"]
        tui.send("ll")
        mark = tui.wait("children_shown", after=mark, where=_level("job"))["index"]
        tui.send("l")
        name = str(tui.wait("job_detail_shown", after=mark)["name"])
        tui.wait("job_detail_fetched", after=mark, timeout=10)
        tui.send("q")  # the view is cached as the app ends
        for _ in range(300):
            if tui.proc.poll() is not None:
                return name
            tui.settle(0.1)  # drain the terminal meanwhile: a full pty would block it
        raise BenchError("q did not end the app within 30 s")


def warm_rows(
    reps: int, alternate: Callable[..., dict[str, list[Any]]], floor: list[str]
) -> list[dict[str, Any]]:
    cache = tempfile.mkdtemp(prefix="harvest-tui-bench-cache-")
    env = {"HARVEST_TUI_CACHE_DIR": cache}
    with SandboxProcess("--latency-ms", str(LATENCY_MS)) as sandbox:
        job = cache_a_walk(sandbox.url, env)

        def warm() -> tuple[float, int, float, int]:
            """(cached tree shown, the frame of the job's detail, fresh view shown, frames
            from the refresh's last answer to the fresh view)."""
            with TuiRun(app_command(sandbox.url), env=env) as tui:
                shown = tui.wait("groups_shown")
                detail = tui.wait("job_detail_shown", where=lambda e: e.get("name") == job)
                answered = tui.wait("view_answered", timeout=30)
                fresh = tui.wait("view_refreshed", after=answered["index"], timeout=30)
                return (
                    ms(shown["t"] - tui.t0),
                    int(detail["frame"]),
                    ms(fresh["t"] - tui.t0),
                    int(fresh["frame"]) - int(answered["frame"]),
                )

        def floor_frame() -> float:
            with TuiRun(floor) as tui:
                return ms(tui.wait("first_frame")["t"] - tui.t0)

        def cold() -> tuple[float, float]:
            """(first frame, channel groups shown) of a start without the cache."""
            with TuiRun([*app_command(sandbox.url), "--no-cache"], env=env) as tui:
                frame = tui.wait("first_frame")
                return ms(frame["t"] - tui.t0), ms(tui.wait("groups_shown")["t"] - tui.t0)

        runs = alternate(reps, warm=warm, floor=floor_frame, cold=cold)
    shown = [r[0] for r in runs["warm"]]
    frames = [r[1] for r in runs["warm"]]
    fresh = [r[2] for r in runs["warm"]]
    after = [r[3] for r in runs["warm"]]
    w, f = statistics.median(shown), statistics.median(runs["floor"])
    cold_frame = statistics.median(r[0] for r in runs["cold"])
    refreshed, first = statistics.median(fresh), statistics.median(r[1] for r in runs["cold"])
    return [
        {
            "name": "warm start: the cached tree on screen (× the floor's first frame)",
            "value": round(w / f, 2),
            "target": "≤ 1.05",
            "met": w / f <= 1.05,
            "detail": f"cached tree {w:.0f} ms, floor's first frame {f:.0f} ms; the cold "
            f"start's empty first frame {cold_frame:.0f} ms ({cold_frame / f:.2f}× the floor); "
            f"medians of {len(shown)}, from process start",
            "extra": {"warm_ms": shown, "floor_ms": runs["floor"], "cold": runs["cold"]},
        },
        {
            "name": "warm start: the last job's detail on screen (frame)",
            "value": max(frames),
            "target": "= 1 (the first frame)",
            "met": max(frames) == 1,
            "detail": f"{job} in frame {', '.join(map(str, frames))} of the runs",
            "extra": {"frames": frames},
        },
        {
            "name": "warm start: fresh data on screen, frames after the refresh's last answer",
            "value": max(after),
            "target": "= 1 (the next frame)",
            "met": max(after) == 1,
            "detail": f"frames {', '.join(map(str, after))} in the runs",
            "extra": {"frames_after": after},
        },
        {
            "name": "warm start: fresh data, every open list read again − cold first data (ms)",
            "value": round(refreshed - first),
            "target": f"< one round trip ({LATENCY_MS} ms a call)",
            "met": refreshed - first < LATENCY_MS,
            "detail": f"refreshed {refreshed:.0f} ms (its 4 lists at once), cold start's "
            f"channel groups {first:.0f} ms (1 list), medians of {len(fresh)} from process "
            "start",
            "extra": {"fresh_ms": fresh},
        },
    ]
