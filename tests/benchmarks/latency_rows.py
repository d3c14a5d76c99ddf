"""Hiding the network: the sandbox answers every call 150 ms late (`--latency-ms 150`),
a realistic round trip to AWS (run.py `--only latency`).

walk at 150 ms      process start → a job's detail on screen, the walk of run.py (group,
                    channel, endpoint, job, keys only, each as soon as the last answer
                    shows), against the boto3 script's five calls at the same latency
walk at a user's    the same walk by a user who reads each row for REST seconds before
pace                the next key: the time spent waiting for the app (total less the
                    rests), against the same script (which cannot use the rests)
prefetch            a scripted browse of the demo account (BROWSE, a rest after every
                    key): the speculative lists sent, used by an expand, and wasted;
                    and each expand's key → children shown
deep link           process start → the job's detail for `harvest-tui G/C/E/J`, against
                    the floor's first frame + one round trip + one frame (the lists on
                    the path go out together, so one round trip is the least)
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

from find_rows import LINK  # the find rows' deep link (a finished job)
from harness import PYTHON, SandboxProcess, TuiRun, app_command, floor_command, ms, run_script

LATENCY_MS = 150
FRAME_MS = 1000 / 120  # the app paints up to 120 frames a second
REST = 0.5  # seconds a user reads a row before the next key
CLIENT = str(Path(__file__).resolve().parent / "boto3_client.py")
# The walk, one "l" at a time: what each brings (a level's children shown, the cursor
# moved onto the first child, or the job's detail).
WALK = ("channel", "move", "endpoint", "move", "job", "detail")
PATH_LISTS = ("ListChannelGroups", "ListChannels", "ListOriginEndpoints")  # one each
# A browse of the demo account, a rest after every key: look at a group and open it, look
# at two channels and open the second, look into an endpoint's jobs, close them, open
# another channel and an endpoint of it, close them, then open the next group and its
# first channel. (key, the level whose children it shows: an expand; "" for a move.)
BROWSE = (
    ("j", ""), ("l", "channel"), ("j", ""), ("j", ""), ("l", "endpoint"), ("j", ""),
    ("l", "job"), ("j", ""), ("j", ""), ("h", ""), ("h", ""), ("h", ""), ("h", ""),
    ("j", ""), ("l", "endpoint"), ("l", ""), ("l", "job"), ("h", ""), ("h", ""), ("h", ""),
    ("k", ""), ("k", ""), ("k", ""), ("h", ""), ("j", ""), ("l", "channel"), ("j", ""),
    ("l", "endpoint"),
)  # fmt: skip


def _level(level: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("level") == level


def app_walk(
    sandbox: SandboxProcess, rest: float
) -> tuple[float, float, dict[str, int], dict[str, int]]:
    """(detail shown ms from process start, ms spent waiting for the app, prefetch counts,
    requests by operation once the job's Get is in). `rest` seconds before each key; with
    none, a move and the expand after it are typed together ("ll", as run.py's walk)."""
    sandbox.reset()
    with TuiRun(app_command(sandbox.url)) as tui:
        mark = tui.wait("groups_shown", timeout=30)["index"]
        for brings in WALK:
            tui.settle(rest)
            tui.send("l")
            if brings == "move":
                if rest:
                    mark = tui.wait("key_frame", after=mark)["index"]
            elif brings == "detail":
                shown = tui.wait("job_detail_shown", after=mark, timeout=30)
            else:
                mark = tui.wait("children_shown", after=mark, where=_level(brings))["index"]
        total = ms(shown["t"] - tui.t0)
        tui.wait("job_detail_fetched", after=shown["index"], timeout=10)
        return total, total - rest * 1000 * len(WALK), _prefetches(tui), sandbox.counts()


def _prefetches(tui: TuiRun) -> dict[str, int]:
    sent = sum(e["event"] == "prefetch_sent" for e in tui.events)
    used = sum(e["event"] == "prefetch_used" for e in tui.events)
    return {"sent": sent, "used": used, "wasted": sent - used}


def boto3_walk(url: str) -> float:
    t0, out = run_script([PYTHON, CLIENT, "walk", url])
    return ms(json.loads(out)["done"] - t0)


def browse(url: str) -> tuple[dict[str, int], list[float]]:
    """BROWSE at REST a key: (prefetch counts, each expand's key → children shown, ms)."""
    expands: list[float] = []
    with TuiRun(app_command(url)) as tui:
        mark = tui.wait("groups_shown", timeout=30)["index"]
        for key, opens in BROWSE:
            tui.settle(REST)
            t = tui.send(key)
            frame = tui.wait("key_frame", after=mark, timeout=30)
            if opens:
                shown = tui.wait("children_shown", after=mark, where=_level(opens), timeout=30)
                expands.append(ms(shown["t"] - t))
            mark = frame["index"]
        tui.settle(REST)
        return _prefetches(tui), expands


def deep_link(url: str) -> tuple[float, float]:
    """(the job's detail shown, the app's first frame), ms from process start."""
    with TuiRun([*app_command(url), "/".join(LINK)]) as tui:
        where = lambda e: e.get("name") == LINK[-1]  # noqa: E731
        shown = tui.wait("job_detail_shown", where=where, timeout=30)
        first = tui.wait("first_frame")
        return ms(shown["t"] - tui.t0), ms(first["t"] - tui.t0)


def floor_first_frame() -> float:
    with TuiRun(floor_command()) as tui:
        return ms(tui.wait("first_frame")["t"] - tui.t0)


def latency_rows(
    walk_reps: int, reps: int, alternate: Callable[..., dict[str, list[Any]]]
) -> list[dict[str, Any]]:
    with SandboxProcess("--latency-ms", str(LATENCY_MS)) as sandbox:
        walks = alternate(
            walk_reps,
            keys=lambda: app_walk(sandbox, 0.0),
            paced=lambda: app_walk(sandbox, REST),
            boto3=lambda: boto3_walk(sandbox.url),
        )
        browses = [browse(sandbox.url) for _ in range(max(1, walk_reps - 1))]
        links = alternate(reps, link=lambda: deep_link(sandbox.url), floor=floor_first_frame)
    b3 = statistics.median(walks["boto3"])
    keys = statistics.median(r[0] for r in walks["keys"])
    paced_wait = statistics.median(r[1] for r in walks["paced"])
    paced_total = statistics.median(r[0] for r in walks["paced"])
    walked = walks["paced"][-1][2]
    economy = [r[3] for r in walks["keys"]] + [r[3] for r in walks["paced"]]
    path_lists = [sum(c.get(op, 0) for op in PATH_LISTS) for c in economy]
    worst = max(economy, key=lambda c: sum(c.get(op, 0) for op in PATH_LISTS))
    sent = sum(c["sent"] for c, _ in browses)
    used = sum(c["used"] for c, _ in browses)
    expand_ms = [t for _, times in browses for t in times]
    link = statistics.median(r[0] for r in links["link"])
    own_frame = statistics.median(r[1] for r in links["link"])
    floor = statistics.median(links["floor"])
    budget = floor + LATENCY_MS + FRAME_MS
    return [
        {
            "name": f"Walk to a job at {LATENCY_MS} ms: app time ÷ boto3 script",
            "value": round(keys / b3, 2),
            "target": "≤ 1.0",
            "met": keys / b3 <= 1.0,
            "detail": f"app {keys:.0f} ms (keys as soon as each level shows), boto3 "
            f"{b3:.0f} ms (medians of {len(walks['boto3'])})",
            "extra": {"app_ms": [r[0] for r in walks["keys"]], "boto3_ms": walks["boto3"]},
        },
        {
            "name": f"Request economy: walk to a job at {LATENCY_MS} ms, lists of groups, "
            "channels and endpoints (requests)",
            "value": max(path_lists),
            "target": f"= {len(PATH_LISTS)} in every walk, prefetching or not",
            "met": set(path_lists) == {len(PATH_LISTS)},
            "detail": ", ".join(f"{op} {n}" for op, n in sorted(worst.items()))
            + " (worst of both walks; ListHarvestJobs also counts the group watcher's polls, "
            "and each node the cursor rested on has its Get)",
            "extra": {"counts": economy},
        },
        {
            "name": f"Walk to a job at {LATENCY_MS} ms, reading each row {REST:.1f} s: "
            "time waited for the app ÷ boto3 script",
            "value": round(paced_wait / b3, 2),
            "target": "≤ 1.0",
            "met": paced_wait / b3 <= 1.0,
            "detail": f"waited {paced_wait:.0f} ms of {paced_total:.0f} ms "
            f"({len(WALK)} rests), boto3 {b3:.0f} ms; prefetches {walked['sent']} sent, "
            f"{walked['used']} used (last rep)",
            "extra": {"paced": walks["paced"], "boto3_ms": walks["boto3"]},
        },
        {
            "name": f"prefetch at {LATENCY_MS} ms: share of speculative lists used "
            "(scripted browse of the demo account)",
            "value": round(used / sent, 2) if sent else 0,
            "target": "≥ 0.5",
            "met": bool(sent) and used / sent >= 0.5,
            "detail": f"{sent} sent, {used} used, {sent - used} wasted over {len(browses)} "
            f"browses of {len(BROWSE)} keys ({REST:.1f} s a key); expand key → "
            f"children shown: median {statistics.median(expand_ms):.0f} ms, worst "
            f"{max(expand_ms):.0f} ms ({len(expand_ms)} expands)",
            "extra": {"browses": [c for c, _ in browses], "expand_ms": expand_ms},
        },
        {
            "name": f"deep link to a job at {LATENCY_MS} ms: detail shown ÷ (floor's first "
            "frame + one round trip + one frame)",
            "value": round(link / budget, 2),
            "target": "≤ 1.0",
            "met": link / budget <= 1.0,
            "detail": f"deep link {link:.0f} ms, floor {floor:.0f} ms + {LATENCY_MS} ms + "
            f"{FRAME_MS:.0f} ms = {budget:.0f} ms (medians of {len(links['link'])}); the "
            f"app's own first frame {own_frame:.0f} ms, so the detail came "
            f"{link - own_frame:.0f} ms after it",
            "extra": {"link_ms": links["link"], "floor_ms": links["floor"]},
        },
    ]
