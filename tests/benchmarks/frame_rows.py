"""Cheap frames: a cursor key's frame against the framework's floor (run.py `--only frames`).

key → frame ÷ floor   with every node loaded, 60 cursor moves down and 60 back up
                      (a held arrow key), each key's time from the write to the pty to
                      the frame that shows it, in the real app (the detail pane follows
                      the cursor) and in the floor (tests/benchmarks/floor_app.py
                      `--tree`): a bare Textual app with the same widgets, a tree of
                      about the same shape, whose cursor moves update a Static with the
                      node's fields. Median and p95, on the demo tree and at 10,000 jobs.
CPU ms per key        the process's CPU time (time.process_time_ns, every thread) from a
                      key's arrival to its frame: what the key costs to paint, median
                      and p95 of every key. Wall times depend on the machine and its load;
                      the CPU a key costs the app against the floor's, much less. The
                      detail adds the CPU of the whole walk per key, which also holds what
                      the app does while the cursor rests (a node's Get after 150 ms, and
                      its answer drawn): on a loaded machine, where a key's frame takes
                      longer than that, the app does more of it.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from harness import BenchError, SandboxProcess, TuiRun, app_command, floor_command, ms

DOWN, UP = "\x1b[B", "\x1b[A"
KEY_GAP = 0.015  # seconds between a key's frame and the next key: a held-down arrow key
TARGET = 1.3
DEMO_SHAPE = (3, 3, 2, 3)  # groups, channels per group, endpoints per channel, jobs each


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1)]


def walk_keys(tui: TuiRun, mark: int, keys: int) -> tuple[list[float], list[float], float]:
    """`keys` cursor moves, down then back up: (key → frame ms, key → frame CPU ms, for
    each key; the CPU ms of the whole walk per key)."""
    latencies: list[float] = []
    key_cpu: list[float] = []
    cpu: list[int] = []
    lost = 0
    for n in range(keys):
        t = tui.send(DOWN if n < keys // 2 else UP)
        try:
            frame = tui.wait("key_frame", after=mark, timeout=10)
        except BenchError:
            # Under heavy load the terminal can hand over an arrow key's bytes in two
            # reads, which Textual then takes for Esc, "[" and "B": nothing to draw.
            lost += 1
            if lost > keys // 20 or tui.proc.poll() is not None:
                raise
            continue
        mark = frame["index"]
        latencies.append(ms(frame["t"] - t))
        key_cpu.append(ms(frame["cpu"] - frame["key_cpu"]))
        cpu.append(frame["cpu"])
        tui.settle(KEY_GAP)
    return latencies, key_cpu, ms(cpu[-1] - cpu[0]) / max(len(cpu) - 1, 1)


def loaded_walk(
    command: list[str], keys: int, jobs: int | None
) -> tuple[list[float], list[float], float]:
    """Start `command` with every node loaded (the app's expand_all script, the floor's
    `--tree`), then walk the cursor."""
    with TuiRun(command, script="expand_all") as tui:
        where = None if jobs is None else (lambda e: e.get("jobs") == jobs)
        done = tui.wait("all_loaded", timeout=180, where=where)
        tui.settle(0.3)  # the first frames after loading, and the first node's Get
        return walk_keys(tui, done["index"], keys)


def frame_rows(
    jobs: int, keys: int, reps: int, alternate: Callable[..., dict[str, list[Any]]]
) -> list[dict[str, Any]]:
    per_channel = jobs // 10
    big_args = ("--jobs", str(jobs), "--channels", "10", "--endpoints", "1")
    floor_demo = [*floor_command(), "--tree", ",".join(map(str, DEMO_SHAPE))]
    floor_big = [*floor_command(), "--tree", f"1,10,1,{per_channel}"]
    with SandboxProcess() as demo, SandboxProcess(*big_args) as big:
        runs = alternate(
            reps,
            app_demo=lambda: loaded_walk(app_command(demo.url), keys, None),
            floor_demo=lambda: loaded_walk(floor_demo, keys, None),
            app_big=lambda: loaded_walk(app_command(big.url), keys, jobs),
            floor_big=lambda: loaded_walk(floor_big, keys, jobs),
        )
    rows: list[dict[str, Any]] = []
    for size, tree in (("demo", "demo tree"), ("big", f"{jobs:,} jobs")):
        app = [k for r in runs[f"app_{size}"] for k in r[0]]
        floor = [k for r in runs[f"floor_{size}"] for k in r[0]]
        for label, fn in (("median", statistics.median), ("p95", p95)):
            a, f = fn(app), fn(floor)
            rows.append(
                {
                    "name": f"Frames: key → frame ÷ floor, {label}, {tree}",
                    "value": round(a / f, 2),
                    "target": f"≤ {TARGET}",
                    "met": a / f <= TARGET,
                    "detail": f"app {a:.1f} ms, floor {f:.1f} ms ({len(app)} and "
                    f"{len(floor)} keys)",
                    "extra": {"app_ms": app, "floor_ms": floor} if label == "median" else {},
                }
            )
        app_cpu = [k for r in runs[f"app_{size}"] for k in r[1]]
        floor_cpu = [k for r in runs[f"floor_{size}"] for k in r[1]]
        app_walk = statistics.median(r[2] for r in runs[f"app_{size}"])
        floor_walk = statistics.median(r[2] for r in runs[f"floor_{size}"])
        for label, fn in (("median", statistics.median), ("p95", p95)):
            a, f = fn(app_cpu), fn(floor_cpu)
            rows.append(
                {
                    "name": f"Frames: CPU ms per key, {label}, {tree} (app)",
                    "value": round(a, 1),
                    "target": f"≤ {TARGET} × floor",
                    "met": a / f <= TARGET,
                    "detail": f"floor {f:.1f} ms: app ÷ floor {a / f:.2f} (key → its frame, "
                    f"{len(app_cpu)} and {len(floor_cpu)} keys); the whole walk per key: app "
                    f"{app_walk:.1f} ms, floor {floor_walk:.1f} ms",
                    "extra": {"app_cpu_ms": app_cpu, "floor_cpu_ms": floor_cpu}
                    if label == "median"
                    else {},
                }
            )
    return rows
