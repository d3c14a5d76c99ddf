"""harvest-tui's performance measurements: `python tests/benchmarks/run.py [--quick] [--json F]`.

Every figure is a ratio (or a count) measured side by side in this one run: A and
B alternate over several repetitions and the medians are compared, because the
machines this runs on are shared and noisy. Every program runs as a whole
process (the real `harvest-tui` in a pseudo-terminal, keys typed into it) against
a standalone `harvest-tui sandbox` in another process.

    first frame       process start → first frame, against a bare Textual app with the
                      same widgets (tests/benchmarks/floor_app.py): the framework's floor
    first data        process start → the tree lists the channel groups, same floor
    walk to a job     process start → a job's detail on screen (group, channel, endpoint,
                      job, keys only) with 20 ms added to every call; against the AWS CLI
                      (five processes) and a plain boto3 script (one process, five calls)
    request economy   requests the sandbox received for the walk, beyond what it needed
                      (a Get of a node counts as needed only if the cursor rested on it
                      longer than the detail pane's debounce: waste, not speed), and for
                      loading every job of a 1-channel, 10-endpoint group, against the
                      minimum
    scale             10,000 jobs in one group (10 channels × 1 endpoint × 1,000 jobs, so a
                      channel's one job list is exactly its endpoint's 1,000 jobs):
                      expanding to 1,000 job nodes against a boto3 paginator fetching them;
                      cursor key → frame latency with every job loaded against the demo
                      tree; peak memory per job above the demo tree
    frames            cursor key → frame and CPU ms per key, demo tree and 10,000 jobs,
                      against a bare Textual floor with the same widgets (frame_rows.py)
    find              the `/` filter over 10,000 loaded jobs against a cursor move, and a
                      deep link to a job against first data (find_rows.py)
    sandbox paging    ListHarvestJobs over 10,000 jobs, 100 a page: last page / first page
    sandbox load      500 concurrent connections, 20,000 requests (sandbox_load.py):
                      requests/second and p99 latency; every request answered 200

`--quick` runs small sizes and few repetitions (for CI: it checks the suite works;
nothing asserts timings). `--burn` runs one busy-looping process (`while True: pass`)
beside the whole run: the machine under load, as a shared CI runner is. The exit
status is 0 whether or not targets are met, and 1 only if a measurement could not be
taken.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from find_rows import deep_link_rows, filtering_rows
from fleet_load import rows as fleet_rows
from frame_rows import frame_rows
from harness import (
    HERE,
    PYTHON,
    BenchError,
    SandboxProcess,
    TuiRun,
    app_command,
    child_env,
    floor_command,
    ms,
    now,
    run_script,
)
from jobs_list import rows as jobs_list_rows
from latency_rows import latency_rows
from sandbox_load import run_load
from warm_rows import warm_rows

from harvest_tui.ui.widgets.detail_pane import DETAIL_DEBOUNCE

CLIENT = str(HERE / "boto3_client.py")
DOWN, UP = "\x1b[B", "\x1b[A"
KEY_GAP = 0.015  # seconds between a key's frame and the next key: a held-down arrow key


@dataclass
class Sizes:
    reps: int  # alternations for the cheap startup figures
    walk_reps: int
    scale_reps: int
    jobs: int  # jobs in the scale account
    keys: int  # cursor moves per key-latency run
    page_rounds: int
    connections: int = 500  # sandbox load
    load_requests: int = 20_000
    fleet_profiles: int = 20  # × 3 regions
    fleet_singles: int = 60  # profile-regions of the fleet also loaded alone
    # The deep link's two start-up times differ by a few per cent, and each moves by a
    # tenth from run to run here: medians of 9 put the ratio anywhere from 1.0 to 1.2.
    link_reps: int = 21


FULL = Sizes(reps=9, walk_reps=5, scale_reps=5, jobs=10_000, keys=120, page_rounds=3)
QUICK = Sizes(reps=2, walk_reps=2, scale_reps=2, jobs=1_000, keys=20, page_rounds=1,
              connections=50, load_requests=1_000, fleet_profiles=5, fleet_singles=5,
              link_reps=2)  # fmt: skip


@dataclass
class Row:
    name: str
    value: float | int | str
    target: str
    met: bool
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def alternate(reps: int, **sides: Callable[[], Any]) -> dict[str, list[Any]]:
    """Each side's results over `reps` repetitions, the sides taking turns (A B, B A, ...)
    after one unrecorded warm-up run of each (bytecode and page caches, as on a machine
    where the programs have run before)."""
    results: dict[str, list[Any]] = {name: [] for name in sides}
    for side in sides.values():
        side()
    names = list(sides)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else names[::-1]:
            results[name].append(sides[name]())
    return results


def log(message: str) -> None:
    print(f"  · {message}", file=sys.stderr, flush=True)


# -- 1, 2: first frame and first data ------------------------------------------------


def startup(sizes: Sizes) -> list[Row]:
    def run(command: list[str]) -> tuple[float, float]:
        """(first frame, groups shown), ms from process start."""
        with TuiRun(command) as tui:
            ff = tui.wait("first_frame")
            gs = tui.wait("groups_shown")
            return ms(ff["t"] - tui.t0), ms(gs["t"] - tui.t0)

    def boto3_setup(url: str) -> float:
        _, out = run_script([PYTHON, CLIENT, "client", url])
        return ms(json.loads(out)["elapsed_ns"])

    with SandboxProcess() as sandbox:
        runs = alternate(
            sizes.reps,
            floor=lambda: run(floor_command()),
            app=lambda: run(app_command(sandbox.url)),
            boto3=lambda: boto3_setup(sandbox.url),
        )
    setup = median(runs["boto3"])
    rows = []
    for i, name, target in (
        (0, "First frame (× floor)", 1.15),
        (1, "First data: channel groups shown (× floor)", 1.4),
    ):
        app = [r[i] for r in runs["app"]]
        floor = [r[i] for r in runs["floor"]]
        a, f = median(app), median(floor)
        rows.append(
            Row(
                name,
                round(a / f, 2),
                f"≤ {target}",
                a / f <= target,
                f"app {a:.0f} ms, floor {f:.0f} ms (medians of {len(app)})"
                + (
                    f"; importing boto3 and building a client take {setup:.0f} ms "
                    f"({setup / f:.2f}× the floor) in a process of their own"
                    if i == 1
                    else ""
                ),
                {"app_ms": app, "floor_ms": floor}
                | ({"boto3_setup_ms": runs["boto3"]} if i == 1 else {}),
            )
        )
    return rows


# -- 3, 4a: the walk to a job -------------------------------------------------------


def find_aws_cli(given: str | None) -> str | None:
    path = given or os.environ.get("HARVEST_TUI_AWS_CLI") or shutil.which("aws")
    if not path:
        return None
    if "/shims/" in path and shutil.which("pyenv"):
        # A pyenv shim is a shell script that re-resolves the command on every run;
        # time the AWS CLI itself.
        found = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip():
            return found.stdout.strip()
        return None
    return path if os.access(path, os.X_OK) else None


def app_walk(url: str) -> tuple[float, float, dict[str, float]]:
    """Keys only: l expands, l again steps into the first child. (shown ms, fetched ms,
    the longest the cursor can have rested on each level's node, ms)."""
    with TuiRun(app_command(url)) as tui:
        mark = tui.wait("groups_shown")["index"]
        tui.send("l")  # expand the first group
        mark = tui.wait("children_shown", after=mark, where=_level("channel"))["index"]
        onto_channel = tui.send("ll")  # its first channel; expand it
        mark = tui.wait("children_shown", after=mark, where=_level("endpoint"))["index"]
        onto_endpoint = tui.send("ll")  # its first endpoint; expand it
        mark = tui.wait("children_shown", after=mark, where=_level("job"))["index"]
        tui.send("l")  # its first job
        shown = tui.wait("job_detail_shown", after=mark)
        fetched = tui.wait("job_detail_fetched", after=mark, timeout=10)
        frames = {e["n"]: e["t"] for e in tui.events if e["event"] == "key_frame"}
        # From before the cursor came (process start, the key's write) to the frame after
        # the key that took it away (keys 2, 4 and 6 step down a level): at least as long
        # as the app saw it rest there.
        rests = {
            "group": ms(frames[2] - tui.t0),
            "channel": ms(frames[4] - onto_channel),
            "endpoint": ms(frames[6] - onto_endpoint),
        }
        return ms(shown["t"] - tui.t0), ms(fetched["t"] - tui.t0), rests


def _level(level: str, count: int | None = None) -> Callable[[dict[str, Any]], bool]:
    return lambda e: e.get("level") == level and (count is None or e.get("count") == count)


def cli_walk(aws: str, url: str) -> float:
    """The same walk with the AWS CLI: five commands, each a new process."""
    env = child_env()

    def call(*args: str) -> dict[str, Any]:
        done = subprocess.run(
            [aws, "mediapackagev2", *args, "--endpoint-url", url, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        if done.returncode != 0:
            raise BenchError(f"aws {args[0]} failed: {done.stderr[-400:]}")
        return json.loads(done.stdout)

    t0 = now()
    group = min(i["ChannelGroupName"] for i in call("list-channel-groups")["Items"])
    items = call("list-channels", "--channel-group-name", group)["Items"]
    channel = min(i["ChannelName"] for i in items)
    where = ("--channel-group-name", group, "--channel-name", channel)
    items = call("list-origin-endpoints", *where)["Items"]
    endpoint = min(i["OriginEndpointName"] for i in items)
    where = (*where, "--origin-endpoint-name", endpoint)
    job = min(i["HarvestJobName"] for i in call("list-harvest-jobs", *where)["Items"])
    call("get-harvest-job", *where, "--harvest-job-name", job)
    return ms(now() - t0)


def boto3_walk(url: str) -> float:
    t0, out = run_script([PYTHON, CLIENT, "walk", url])
    return ms(json.loads(out)["done"] - t0)


WALK_MINIMUM = {
    "ListChannelGroups": 1,
    "ListChannels": 1,
    "ListOriginEndpoints": 1,
    "ListHarvestJobs": 1,  # the demo channel's jobs fit one page
}
WALK_GETS = {"group": "GetChannelGroup", "channel": "GetChannel", "endpoint": "GetOriginEndpoint"}


def walk_waste(counts: dict[str, int], rests: dict[str, float]) -> tuple[int, dict[str, int]]:
    """Requests the walk did not need, and the Gets it did: one list per level, the job's
    GetHarvestJob, and the Get of a group, channel or endpoint only if the cursor rested
    on it longer than the detail pane's debounce (on a slow machine it does, waiting for
    the children: that Get is what the pane is for, not waste)."""
    allowed = dict(WALK_MINIMUM, GetHarvestJob=1)
    for level, rest in rests.items():
        if rest > DETAIL_DEBOUNCE * 1000:
            allowed[WALK_GETS[level]] = 1
    waste = sum(max(0, n - allowed.get(op, 0)) for op, n in counts.items())
    return waste, {op: n for op, n in allowed.items() if op.startswith("Get")}


def walk(sizes: Sizes, aws: str | None) -> list[Row]:
    with SandboxProcess("--latency-ms", "20") as sandbox:

        def app_side() -> tuple[float, float, dict[str, int], dict[str, float]]:
            sandbox.reset()
            shown, fetched, rests = app_walk(sandbox.url)
            return shown, fetched, sandbox.counts(), rests

        sides: dict[str, Callable[[], Any]] = {
            "app": app_side,
            "boto3": lambda: boto3_walk(sandbox.url),
        }
        if aws:
            sides["cli"] = lambda: cli_walk(aws, sandbox.url)
        runs = alternate(sizes.walk_reps, **sides)

    app_ms = [r[0] for r in runs["app"]]
    fetched_ms = [r[1] for r in runs["app"]]
    economy = [r[2] for r in runs["app"]]
    b3_ms, cli_ms = runs["boto3"], runs.get("cli", [])
    app, b3 = median(app_ms), median(b3_ms)
    rows = []
    if aws:
        cli = median(cli_ms)
        rows.append(
            Row(
                "Walk to a job: AWS CLI time ÷ app time",
                round(cli / app, 2),
                "≥ 3",
                cli / app >= 3,
                f"AWS CLI {cli:.0f} ms, app {app:.0f} ms (medians of {len(app_ms)})",
                {"cli_ms": cli_ms, "app_ms": app_ms},
            )
        )
    else:
        rows.append(
            Row(
                "Walk to a job: AWS CLI time ÷ app time",
                "skipped",
                "≥ 3",
                False,
                "no AWS CLI (pass --aws-cli PATH)",
                {"skipped": True},
            )
        )
    rows.append(
        Row(
            "Walk to a job: app time ÷ boto3 script",
            round(app / b3, 2),
            "≤ 1.3",
            app / b3 <= 1.3,
            f"app {app:.0f} ms, boto3 {b3:.0f} ms; detail refreshed by its GetHarvestJob "
            f"at {median(fetched_ms):.0f} ms (150 ms debounce)",
            {"app_ms": app_ms, "boto3_ms": b3_ms, "fetched_ms": fetched_ms},
        )
    )
    wastes = [walk_waste(r[2], r[3]) for r in runs["app"]]
    worst = max(range(len(wastes)), key=lambda i: wastes[i][0])
    waste, gets = wastes[worst]
    counts = economy[worst]
    rows.append(
        Row(
            "Request economy: walk to a job, requests not needed (waste)",
            waste,
            "= 0 (one list per level, the job's Get, and a Get only of a node the cursor "
            f"rested on > {DETAIL_DEBOUNCE * 1000:.0f} ms)",
            waste == 0,
            ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
            + f" (worst rep); Gets it needed: {', '.join(sorted(gets))}; the cursor rested "
            + ", ".join(f"{lv} ≤ {ms_:.0f} ms" for lv, ms_ in runs["app"][worst][3].items()),
            {"counts": economy, "rests_ms": [r[3] for r in runs["app"]]},
        )
    )
    return rows


# -- 4b: every job of a group is one page chain -------------------------------------


def group_economy(sizes: Sizes) -> list[Row]:
    jobs = sizes.jobs
    args = ("--jobs", str(jobs), "--channels", "1", "--endpoints", "10")
    with SandboxProcess(*args) as sandbox:
        sandbox.reset()
        with TuiRun(app_command(sandbox.url), script="expand_all") as tui:
            tui.wait("all_loaded", timeout=120, where=lambda e: e["jobs"] == jobs)
            tui.settle(0.4)  # let the highlighted group's debounced Get go out, if any
            counts = sandbox.counts()
    pages = math.ceil(jobs / 100)
    minimum = {"ListChannelGroups": 1, "ListChannels": 1, "ListOriginEndpoints": 1}
    minimum["ListHarvestJobs"] = pages
    gets = sum(n for op, n in counts.items() if op.startswith("Get"))
    ok = all(counts.get(op, 0) == n for op, n in minimum.items()) and gets <= 1
    ok = ok and set(counts) <= {*minimum, "GetChannelGroup"}
    return [
        Row(
            f"Request economy: all {jobs:,} jobs of a 10-endpoint group (requests)",
            sum(counts.values()),
            f"= {sum(minimum.values()) + 1} (3 lists + one {pages}-page ListHarvestJobs "
            "chain + ≤ 1 Get of the highlighted node)",
            ok,
            ", ".join(f"{op} {n}" for op, n in sorted(counts.items())),
            {"counts": counts},
        )
    ]


# -- 5: scale ----------------------------------------------------------------------


def scale(sizes: Sizes) -> list[Row]:
    jobs = sizes.jobs
    per_endpoint = jobs // 10
    args = ("--jobs", str(jobs), "--channels", "10", "--endpoints", "1")
    with SandboxProcess(*args) as big, SandboxProcess() as demo:

        def app_expand() -> float:
            with TuiRun(app_command(big.url)) as tui:
                mark = tui.wait("groups_shown")["index"]
                tui.send("l")
                mark = tui.wait("children_shown", after=mark, where=_level("channel"))["index"]
                tui.send("l")  # onto the first channel
                mark = tui.wait("key_frame", after=mark)["index"]
                t0 = tui.send("l")  # expand it: endpoints, and the channel's jobs
                mark = tui.wait("children_shown", after=mark, where=_level("endpoint"))["index"]
                tui.send("ll")  # onto its endpoint; expand it
                done = tui.wait(
                    "children_shown", after=mark, where=_level("job", per_endpoint), timeout=60
                )
                return ms(done["t"] - t0)

        def paginator() -> float:
            _, out = run_script(
                [PYTHON, CLIENT, "jobs", big.url, "scale-group-01", "scale-channel-01"]
            )
            result = json.loads(out)
            if result["jobs"] != per_endpoint:
                raise BenchError(f"the paginator got {result['jobs']} jobs")
            return ms(result["elapsed_ns"])

        expanding = alternate(sizes.scale_reps, app=app_expand, paginator=paginator)

        def loaded(url: str, jobs: int | None) -> tuple[list[float], int, int]:
            """Every node loaded, then cursor moves: (key → frame ms, peak KiB, jobs)."""
            keys: list[float] = []
            with TuiRun(app_command(url), script="expand_all") as tui:
                where = None if jobs is None else (lambda e: e.get("jobs") == jobs)
                done = tui.wait("all_loaded", timeout=120, where=where)
                tui.settle(0.3)
                peak = tui.peak_rss_kib()
                mark = done["index"]
                for n in range(sizes.keys):  # down, then back up (the demo tree is short)
                    t = tui.send(DOWN if n < sizes.keys // 2 else UP)
                    frame = tui.wait("key_frame", after=mark, timeout=10)
                    mark = frame["index"]
                    keys.append(ms(frame["t"] - t))
                    tui.settle(KEY_GAP)
                return keys, peak, done["jobs"]

        held = alternate(
            max(2, sizes.scale_reps - 2),
            big=lambda: loaded(big.url, jobs),
            demo=lambda: loaded(demo.url, None),
        )

    expand_ms, paginator_ms = expanding["app"], expanding["paginator"]
    big_keys = [k for r in held["big"] for k in r[0]]
    demo_keys = [k for r in held["demo"] for k in r[0]]
    big_mem = [r[1] for r in held["big"]]
    demo_mem = [r[1] for r in held["demo"]]
    demo_jobs = [r[2] for r in held["demo"]]
    a, b = median(expand_ms), median(paginator_ms)
    rows = [
        Row(
            f"Scale: expand to {per_endpoint:,} job nodes ÷ boto3 paginator",
            round(a / b, 2),
            "≤ 1.5",
            a / b <= 1.5,
            f"app {a:.0f} ms (key that expands the channel → all {per_endpoint:,} nodes "
            f"painted), paginator {b:.0f} ms (same {per_endpoint:,} jobs, warm client)",
            {"app_ms": expand_ms, "paginator_ms": paginator_ms},
        )
    ]
    for label, fn in (("median", median), ("p95", p95)):
        big_v, demo_v = fn(big_keys), fn(demo_keys)
        rows.append(
            Row(
                f"Scale: cursor key → frame, {label}, {jobs:,} jobs ÷ demo",
                round(big_v / demo_v, 2),
                "≤ 2",
                big_v / demo_v <= 2,
                f"{big_v:.1f} ms vs {demo_v:.1f} ms ({len(big_keys)} and {len(demo_keys)} keys)",
                {"big_ms": big_keys, "demo_ms": demo_keys} if label == "median" else {},
            )
        )
    extra_kib = median(big_mem) - median(demo_mem)
    per_job = extra_kib / (jobs - median(demo_jobs))
    rows.append(
        Row(
            f"Scale: peak memory per job, {jobs:,} jobs loaded (KiB)",
            round(per_job, 2),
            "< 10",
            per_job < 10,
            f"peak RSS (app + service worker) {median(big_mem) / 1024:.0f} MiB vs demo "
            f"{median(demo_mem) / 1024:.0f} MiB ({median(demo_jobs):.0f} jobs)",
            {"big_kib": big_mem, "demo_kib": demo_mem},
        )
    )
    return rows


# -- 5b: finding things: the filter at scale, a deep link ----------------------------


def find(sizes: Sizes) -> list[Row]:
    reps = max(2, sizes.scale_reps - 2)
    rows = filtering_rows(sizes.jobs, reps, rounds=3 if reps > 2 else 2)
    rows += deep_link_rows(sizes.link_reps, alternate)
    return [Row(**r) for r in rows]


# -- 6: the sandbox's paging ------------------------------------------------------


def sandbox_paging(sizes: Sizes) -> list[Row]:
    jobs = sizes.jobs
    first: list[float] = []
    last: list[float] = []
    args = ("--jobs", str(jobs), "--channels", "1", "--endpoints", "10")
    with SandboxProcess(*args) as sandbox:
        command = [PYTHON, CLIENT, "pages", sandbox.url, "scale-group-01"]
        run_script([*command, "1"])  # warm-up
        for _ in range(sizes.scale_reps):
            _, out = run_script([*command, str(sizes.page_rounds)])
            for pages in json.loads(out)["page_ns"]:
                if len(pages) != math.ceil(jobs / 100):
                    raise BenchError(f"listed {len(pages)} pages")
                first.append(ms(pages[0]))
                last.append(ms(pages[-1]))
    a, b = median(last), median(first)
    return [
        Row(
            f"Sandbox: ListHarvestJobs page {math.ceil(jobs / 100)} ÷ page 1 ({jobs:,} jobs)",
            round(a / b, 2),
            "≤ 1.5 (linear)",
            a / b <= 1.5,
            f"last page {a:.1f} ms, first page {b:.1f} ms (medians of {len(first)})",
            {"first_ms": first, "last_ms": last},
        )
    ]


# -- 7: the sandbox under load -------------------------------------------------------


def sandbox_load(sizes: Sizes) -> list[Row]:
    with SandboxProcess() as sandbox:
        r = run_load(sandbox.url, sizes.connections, sizes.load_requests)
    target = f"all {r.requests:,} answered 200, none reset"
    name = f"Sandbox: {r.connections} concurrent connections (requests/s)"
    return [Row(name, round(r.rps), target, r.clean, r.summary(), r.figures())]


# -- the table -----------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = [
        "| measurement | value | target | met | detail |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        met = "skipped" if r.value == "skipped" else ("yes" if r.met else "**no**")
        lines.append(f"| {r.name} | {r.value} | {r.target} | {met} | {r.detail} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--aws-cli", metavar="PATH", help="the AWS CLI (default: PATH lookup)")
    parser.add_argument(
        "--only",
        action="append",
        choices=[
            "latency",
            "startup",
            "walk",
            "economy",
            "scale",
            "frames",
            "find",
            "paging",
            "jobs",
            "load",
            "fleet",
            "warm",
        ],
        help="run only these measurements (repeatable)",
    )
    parser.add_argument(
        "--burn", action="store_true", help="a busy-looping process beside the whole run"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    aws = find_aws_cli(args.aws_cli)
    measurements: dict[str, Callable[[], list[Row]]] = {
        "startup": lambda: startup(sizes),
        "walk": lambda: walk(sizes, aws),
        "economy": lambda: group_economy(sizes),
        "scale": lambda: scale(sizes),
        "frames": lambda: [
            Row(**r)
            for r in frame_rows(sizes.jobs, sizes.keys, max(2, sizes.scale_reps - 2), alternate)
        ],
        "find": lambda: find(sizes),
        "paging": lambda: sandbox_paging(sizes),
        "jobs": lambda: [Row(**r) for r in jobs_list_rows(sizes.walk_reps, aws, alternate)],
        "load": lambda: sandbox_load(sizes),
        "latency": lambda: [Row(**r) for r in latency_rows(sizes.walk_reps, sizes.reps, alternate)],
        "warm": lambda: [Row(**r) for r in warm_rows(sizes.reps, alternate, floor_command())],
        "fleet": lambda: [
            Row(**r)
            for r in fleet_rows(sizes.fleet_profiles, sizes.walk_reps - 1, sizes.fleet_singles)
        ],
    }
    rows: list[Row] = []
    crashed = False
    began = time.monotonic()
    burner = subprocess.Popen([PYTHON, "-c", "while True: pass"]) if args.burn else None
    try:
        crashed = run_all(measurements, args.only, rows)
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    mode = ("quick" if args.quick else "full") + " run" + (", under --burn" if args.burn else "")
    print(f"\nharvest-tui benchmarks ({mode}, {time.monotonic() - began:.0f} s)\n")
    print(table(rows))
    if args.json:
        out = [{k: v for k, v in asdict(r).items()} for r in rows]
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 1 if crashed else 0


def run_all(
    measurements: dict[str, Callable[[], list[Row]]], only: list[str] | None, rows: list[Row]
) -> bool:
    """Run the chosen measurements, adding their rows; True if one crashed."""
    crashed = False
    for name, measure in measurements.items():
        if only and name not in only:
            continue
        log(f"{name}…")
        started = time.monotonic()
        try:
            rows.extend(measure())
        except Exception as exc:
            crashed = True
            traceback.print_exc()
            rows.append(Row(name, "error", "", False, f"{type(exc).__name__}: {exc}"[:300]))
        log(f"{name}: {time.monotonic() - started:.1f} s")
    return crashed


if __name__ == "__main__":
    raise SystemExit(main())
