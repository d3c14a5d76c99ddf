"""Finding things fast, each against a side-by-side baseline (run.py `--only find`):

filtering        10,000 jobs loaded (10 channels × 1 endpoint × 1,000 jobs): a key
                 typed into the `/` filter → the frame that shows its matches, against
                 a cursor key → its frame in the same tree, the two taking turns in
                 the same run. The filter text is part of a job's number, typed and
                 then erased a key at a time (each key is timed: the first matches
                 about a third of the jobs, the last a handful)
deep link        process start → a job's detail on screen for `harvest-tui PATH`,
                 against process start → the channel groups shown (first data), the
                 two taking turns; and the requests the deep link made, against the
                 minimum (the lists on the path and one Get)
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

from harness import SandboxProcess, TuiRun, app_command, ms

DOWN, UP = "\x1b[B", "\x1b[A"
BACKSPACE, ENTER = "\x7f", "\r"  # not Esc: an Esc then "/" can read as Alt+/
FILTER_TEXT = "4217"  # scale-job-004217, and every other job whose number holds it
KEY_GAP = 0.015
# A finished job: an unfinished one is also polled (GetHarvestJob every 2 s), which is
# watching it, not opening it.
LINK = ("live-sports", "football-main", "cmaf-main", "football-main-highlights-20261101-1245")
LINK_MINIMUM = {
    "ListChannelGroups": 1,
    "ListChannels": 1,
    "ListOriginEndpoints": 1,
    "ListHarvestJobs": 1,  # the channel's one list: its endpoints' jobs
    "GetHarvestJob": 1,
}


def filtering_rows(jobs: int, reps: int, rounds: int) -> list[dict[str, Any]]:
    """The filter's key → frame against a cursor key's, both in the same loaded tree."""
    args = ("--jobs", str(jobs), "--channels", "10", "--endpoints", "1")
    cursor: list[float] = []
    typed: list[float] = []
    matches: list[int] = []
    with SandboxProcess(*args) as big:
        for _ in range(reps):
            with TuiRun(app_command(big.url), script="expand_all") as tui:
                done = tui.wait("all_loaded", timeout=180, where=lambda e: e.get("jobs") == jobs)
                tui.settle(0.3)
                mark = done["index"]

                def cursor_keys() -> None:
                    nonlocal mark
                    for n in range(2 * len(FILTER_TEXT)):
                        t = tui.send(DOWN if n % 2 == 0 else UP)
                        frame = tui.wait("key_frame", after=mark, timeout=10)
                        mark = frame["index"]
                        cursor.append(ms(frame["t"] - t))
                        tui.settle(KEY_GAP)

                def filter_keys() -> None:
                    nonlocal mark
                    tui.send("/")
                    mark = tui.wait("filter_opened", after=mark, timeout=10)["index"]
                    tui.settle(KEY_GAP)
                    keys = [*FILTER_TEXT, *[BACKSPACE] * (len(FILTER_TEXT) - 1)]
                    text = ""
                    for key in keys:
                        text = text[:-1] if key == BACKSPACE else text + key
                        t = tui.send(key)
                        shown = tui.wait(
                            "filter_shown",
                            after=mark,
                            timeout=30,
                            where=lambda e, text=text: e.get("text") == text,
                        )
                        mark = shown["index"]
                        typed.append(ms(shown["t"] - t))
                        matches.append(shown["count"])
                        tui.settle(KEY_GAP)
                    for key in (BACKSPACE, ENTER):  # the filter emptied; back to the tree
                        tui.send(key)
                        mark = tui.wait("key_frame", after=mark, timeout=10)["index"]
                    tui.settle(0.1)

                # Side by side: the two take turns, several times in the run.
                for i in range(rounds):
                    sides = (cursor_keys, filter_keys) if i % 2 == 0 else (filter_keys, cursor_keys)
                    for side in sides:
                        side()
    c, f = statistics.median(cursor), statistics.median(typed)
    return [
        {
            "name": f"Filtering {jobs:,} loaded jobs: key → frame ÷ cursor key → frame",
            "value": round(f / c, 2),
            "target": "≤ 2",
            "met": f / c <= 2,
            "detail": f"filter key {f:.1f} ms (worst {max(typed):.1f} ms; {min(matches):,} to "
            f"{max(matches):,} matches), cursor key {c:.1f} ms (medians of {len(typed)} and "
            f"{len(cursor)} keys)",
            "extra": {"filter_ms": typed, "cursor_ms": cursor, "matches": matches},
        }
    ]


def deep_link_rows(
    reps: int, alternate: Callable[..., dict[str, list[Any]]]
) -> list[dict[str, Any]]:
    """`harvest-tui GROUP/CHANNEL/ENDPOINT/JOB`: the job's detail against first data."""
    with SandboxProcess() as sandbox:

        def first_data() -> float:
            with TuiRun(app_command(sandbox.url)) as tui:
                return ms(tui.wait("groups_shown")["t"] - tui.t0)

        def deep_link() -> tuple[float, dict[str, int]]:
            sandbox.reset()
            with TuiRun([*app_command(sandbox.url), "/".join(LINK)]) as tui:
                where = lambda e: e.get("name") == LINK[-1]  # noqa: E731
                shown = tui.wait("job_detail_shown", where=where)
                tui.wait("job_detail_fetched", after=shown["index"], where=where, timeout=10)
                tui.settle(0.4)  # anything else the start would send
                return ms(shown["t"] - tui.t0), sandbox.counts()

        runs = alternate(reps, first=first_data, link=deep_link)
    link_ms = [r[0] for r in runs["link"]]
    counts = [r[1] for r in runs["link"]]
    a, b = statistics.median(link_ms), statistics.median(runs["first"])
    worst = max(counts, key=lambda c: sum(c.values()))
    sent, minimum = sum(worst.values()), sum(LINK_MINIMUM.values())
    return [
        {
            "name": "Deep link to a job: its detail on screen ÷ first data",
            "value": round(a / b, 2),
            "target": "≤ 1.1",
            "met": a / b <= 1.1,
            "detail": f"deep link {a:.0f} ms, channel groups shown {b:.0f} ms "
            f"(medians of {len(link_ms)}, from process start)",
            "extra": {"link_ms": link_ms, "first_data_ms": runs["first"]},
        },
        {
            "name": "Request economy: deep link to a job (requests)",
            "value": sent,
            "target": f"= {minimum} (the 4 lists on the path + 1 GetHarvestJob)",
            "met": worst == LINK_MINIMUM,
            "detail": ", ".join(f"{op} {n}" for op, n in sorted(worst.items())) + " (worst rep)",
            "extra": {"counts": counts},
        },
    ]
