"""Runs harvest-tui with a memory probe: what the soak uses to find what grows.

    python tests/memprobe.py OUT_DIR [harvest-tui arguments...]
    python tests/soak.py --minutes 10 --probe OUT_DIR     (the same, under the soak)

A daemon thread in the app's process writes, every MEMPROBE_PERIOD seconds (60), a line
to OUT_DIR/probe.jsonl: RSS; glibc's heap (obtained, in use, free); pymalloc's blocks;
the objects the collector tracks, by type (not those frozen at startup); the modules
imported since the last line; the entries of
Textual's and Rich's bounded lru_caches; and pymalloc's arenas to pymalloc-NNNN.txt
(sys._debugmallocstats, from a forked copy: the app's stderr is its terminal).

MEMPROBE_FRAMES=12 also traces allocations (tracemalloc, 12 frames deep) and writes a
snapshot to snap-NNNN.tm each time; compare two with `--compare EARLY LATE`. It slows the
app and adds its own memory: the RSS it reports is not the app's then (taking a snapshot
allocates tens of MiB), but what tracemalloc counts is. MEMPROBE_RECLAIM=1 also runs a
full collection and malloc_trim(0) each time and notes what they gave back;
MEMPROBE_COLLECT=10 runs a full collection every 10 s (does garbage drive the growth?).
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import runpy
import sys
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from harvest_tui.ui.textual_private import bounded_render_caches

PERIOD = float(os.environ.get("MEMPROBE_PERIOD", "60"))
FRAMES = int(os.environ.get("MEMPROBE_FRAMES", "0"))  # 0: no tracemalloc


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
            "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


LIBC = ctypes.CDLL(None)
LIBC.mallinfo2.restype = MallInfo2


def malloc_kib() -> dict[str, int]:
    """glibc's heap, all arenas: obtained from the system (sbrk'd + mmapped), in use, free."""
    info = LIBC.mallinfo2()
    return {
        "heap": (info.arena + info.hblkhd) // 1024,
        "in_use": (info.uordblks + info.hblkhd) // 1024,
        "free": info.fordblks // 1024,
    }


def pymalloc_stats(path: Path) -> None:
    """sys._debugmallocstats() (which writes to stderr, the app's terminal) to `path`,
    from a forked copy of the process: the app's own stderr is left alone."""
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
            sys._debugmallocstats()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


_modules_seen: set[str] = set()


def sample(out: Path, started: float) -> None:
    at = int(time.monotonic() - started)
    traced, peak = tracemalloc.get_traced_memory()  # peak: since the last sample
    counts = Counter(type(o).__qualname__ for o in gc.get_objects())  # not the frozen ones
    line = {
        "t": at,
        "rss_kib": rss_kib(),
        "malloc_kib": malloc_kib(),
        "pymalloc_blocks": sys.getallocatedblocks(),
        "traced": traced,
        "peak": peak,
        "objects": dict(counts.most_common(120)),
        "modules": len(sys.modules),
        "imported": sorted(set(sys.modules) - _modules_seen),  # since the last sample
        "caches": {
            f"{cache.__module__}.{cache.__qualname__}": cache.cache_info().currsize
            for cache in bounded_render_caches()
        },
    }
    if os.environ.get("MEMPROBE_RECLAIM"):  # what a full collection and malloc_trim give back
        line["collected"] = gc.collect()
        line["pyblocks_after_gc"] = sys.getallocatedblocks()
        line["rss_after_gc"] = rss_kib()
        LIBC.malloc_trim(0)
        line["rss_after_trim"] = rss_kib()
        line["malloc_after_trim"] = malloc_kib()
    _modules_seen.update(sys.modules)
    with (out / "probe.jsonl").open("a") as f:
        f.write(json.dumps(line) + "\n")
    pymalloc_stats(out / f"pymalloc-{at:04d}.txt")
    if tracemalloc.is_tracing():
        tracemalloc.take_snapshot().dump(str(out / f"snap-{at:04d}.tm"))
        tracemalloc.reset_peak()  # what the snapshot made is not the app's


COLLECT = float(os.environ.get("MEMPROBE_COLLECT", "0"))  # a full collection this often (s)


def probe(out: Path) -> None:
    started = time.monotonic()
    next_sample = started + PERIOD
    while True:
        time.sleep(min(COLLECT or PERIOD, PERIOD))
        try:
            if COLLECT:
                gc.collect()
            if time.monotonic() >= next_sample:
                next_sample += PERIOD
                sample(out, started)
        except Exception as exc:  # the probe must never take the app down
            with (out / "probe-errors.txt").open("a") as f:
                f.write(f"{exc!r}\n")


def compare(early: str, late: str, top: int = 25, key: str = "traceback") -> None:
    a = tracemalloc.Snapshot.load(early)
    b = tracemalloc.Snapshot.load(late)
    noise = [
        tracemalloc.Filter(False, tracemalloc.__file__),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
        tracemalloc.Filter(False, "<frozen importlib._bootstrap_external>"),
    ]
    a, b = a.filter_traces(noise), b.filter_traces(noise)
    total = sum(s.size_diff for s in b.compare_to(a, "filename"))
    print(f"traced growth: {total / 1024:+.0f} KiB")
    for group in ("filename", "lineno"):
        print(f"-- by {group}")
        for stat in b.compare_to(a, group)[:top]:
            print(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}  {stat.traceback[0]}")
    if key == "traceback":
        print("-- by traceback")
        for stat in b.compare_to(a, "traceback")[:8]:
            print(f"{stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7d}")
            for frame in stat.traceback.format(limit=FRAMES, most_recent_first=True):
                print("    " + frame)


def main() -> None:
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
        return
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    if FRAMES:
        tracemalloc.start(FRAMES)
    threading.Thread(target=probe, args=(out,), name="memprobe", daemon=True).start()
    sys.argv = ["harvest-tui", *sys.argv[2:]]
    runpy.run_module("harvest_tui.cli", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
