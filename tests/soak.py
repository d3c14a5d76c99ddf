"""A soak test: the real app, a scripted user and live job traffic, for N minutes.

    python tests/soak.py --minutes 30

Three things run side by side:
- `harvest-tui sandbox` in a process of its own, its clock 600x faster, throttling,
  failing and dropping a fraction of requests (one --seed: the same faults every run);
- the real `harvest-tui` in a pseudo-terminal at 120x40, its output fed to a terminal
  emulator (pyte) so the screen can be read as a person sees it;
- a thread that creates and cancels harvest jobs through boto3, as another operator
  would, keeping at most a few active per channel group (the quota is 10).

Meanwhile a scripted user walks the tree, refreshes, copies, opens help and toggles the
time zone at a human pace. At the end the app must still run and quit cleanly, no
traceback may have been written, every job status on screen must be one the API
reported between the final refresh and the capture, no error may be on screen that the
injected faults do not explain, and the resident memory of the app and of its service
worker must have grown by less than 10 % after the first minute (in a run shorter than
three minutes, after its first third: the one-minute run in the test suite).

It imports nothing of harvest_tui's: everything it checks, it checks from outside.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import random
import re
import select
import struct
import subprocess
import sys
import termios
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pyte
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmarks.harness import FROZEN_AT, SandboxProcess, child_env

from harvest_tui.statuses import STATUS_GLYPH  # the soak's app runs with the Unicode glyphs

SIZE = (120, 40)  # columns, lines
SPEED = 600.0
SEED = 11
START = datetime.fromisoformat(FROZEN_AT)  # the sandbox clock's origin
FAULTS = ("--throttle-rate", "0.1", "--error-rate", "0.05", "--drop-rate", "0.05")
# What the injected faults look like once the SDK's retries have given up.
INJECTED = ("ThrottlingException", "InternalServerException", "ConnectionLost")
ACTIVE_PER_GROUP = 3
MAX_GROWTH_PCT = 10.0  # RSS growth after the warm-up, app and service worker alike
GLYPHS = {glyph: status for status, glyph in STATUS_GLYPH.items()}
ORDER = {"QUEUED": 0, "IN_PROGRESS": 1, "COMPLETED": 2, "FAILED": 2, "CANCELLED": 2}
RESOURCE_MARKS = "▣◇⌁◎"
CTRL_R, ESCAPE = b"\x12", b"\x1b"
HELP_TITLE = "harvest-tui — keys"
KEY_WEIGHTS = {
    "j": 30,
    "k": 18,
    "l": 16,
    "h": 9,
    "r": 7,
    "ctrl+r": 3,
    "c": 4,
    "e": 4,
    "?": 4,
    "t": 5,
}


# -- the sandbox --------------------------------------------------------------------


class Sandbox(SandboxProcess):
    """The benchmarks' standalone sandbox at SPEED with faults: its clock starts at their
    FROZEN_AT and runs SPEED times faster."""

    def __init__(self, seed: int = SEED) -> None:
        super().__init__("--seed", str(seed), "--speed", str(SPEED), *FAULTS, timeout=60)
        self.started = time.monotonic()  # its clock started just before the URL was printed

    def now(self) -> datetime:
        """The sandbox's clock, give or take the few ms between its start and its URL."""
        return START + timedelta(seconds=(time.monotonic() - self.started) * SPEED)


def client(url: str, attempts: int = 5) -> Any:
    """A mediapackagev2 client on the sandbox, retrying as the app does (standard mode)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": attempts},
        connect_timeout=5,
        read_timeout=10,
    )
    session = boto3.session.Session(
        aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name="us-east-1"
    )
    return session.client("mediapackagev2", endpoint_url=url, config=config)


def error_code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "ClientError"))
    return type(exc).__name__


# -- the app in a terminal --------------------------------------------------------------


class Terminal:
    """A program in a pseudo-terminal, its output fed to a terminal emulator."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        cols, lines = size
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        os.set_blocking(self.master, False)
        self.screen = pyte.Screen(cols, lines)
        self.stream = pyte.ByteStream(self.screen)
        self.written = 0
        self.tracebacks = 0
        self._tail = b""  # the end of the output so far, so a word split across reads is found
        self.excerpt = ""  # the output around the first traceback

    def pump(self, seconds: float = 0.0) -> None:
        """Read what the program writes, for `seconds` (at least once)."""
        deadline = time.monotonic() + seconds
        while True:
            ready, _, _ = select.select([self.master], [], [], max(deadline - time.monotonic(), 0))
            if ready:
                try:
                    data = os.read(self.master, 1 << 16)
                except BlockingIOError:
                    data = None
                except OSError:  # the program has gone
                    return
                if data:
                    self._take(data)
            if time.monotonic() >= deadline:
                return

    def wait_exit(self, seconds: float) -> int | None:
        """The program's exit code, reading what it writes meanwhile (as a terminal does:
        a program whose output nobody reads blocks on its last frame), or None."""
        deadline = time.monotonic() + seconds
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.pump(0.05)
        return self.proc.poll()

    def _take(self, data: bytes) -> None:
        self.written += len(data)
        window = self._tail + data
        found = window.count(b"Traceback") - self._tail.count(b"Traceback")
        if found and not self.tracebacks:
            at = window.find(b"Traceback")
            self.excerpt = window[at : at + 2000].decode(errors="replace")
        self.tracebacks += found
        self._tail = window[-16:]
        self.stream.feed(data)

    def press(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def text(self) -> str:
        return "\n".join(self.lines())

    def wait_for(self, predicate: Callable[[str], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not predicate(self.text()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return False
            self.pump(0.05)
        return True

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            self.proc.wait()
        os.close(self.master)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


# -- reading the tree off the screen ----------------------------------------------------


@dataclass(frozen=True)
class ShownJob:
    group: str
    channel: str
    endpoint: str
    name: str
    status: str

    @property
    def path(self) -> str:
        return f"{self.group}/{self.channel}/{self.endpoint}/{self.name}"


@dataclass(frozen=True)
class ShownNode:
    """A channel group, channel or endpoint row: where its expand toggle is drawn."""

    path: tuple[str, ...]  # (group,), (group, channel) or (group, channel, endpoint)
    row: int
    toggle: int  # the toggle's column
    expanded: bool


@dataclass
class TreeView:
    nodes: list[ShownNode] = field(default_factory=list)
    jobs: list[ShownJob] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error nodes and stale markers
    stale_endpoints: set[tuple[str, ...]] = field(default_factory=set)
    unplaced: int = 0  # job rows whose endpoint row has scrolled off


def tree_column(lines: list[str]) -> int:
    """Where the tree ends: the column of the divider between the tree and the detail pane."""
    counts = Counter(i for line in lines[1:-1] for i, ch in enumerate(line) if ch == "│" and i > 20)
    return counts.most_common(1)[0][0] if counts else len(lines[0])


def read_tree(lines: list[str]) -> TreeView:
    """The channel groups, channels, endpoints and jobs visible in the tree pane."""
    view = TreeView()
    width = tree_column(lines)
    path: tuple[str, ...] = ()
    for y, line in enumerate(lines[1:-1], start=1):
        row = line[:width].rstrip()
        body = row.lstrip(" │├└─")
        if not body:
            continue
        if "(r to retry)" in body:
            view.errors.append(body)
            continue
        toggle = None
        if body[:2] in ("▼ ", "▶ ") and len(body) > 2 and body[2] in RESOURCE_MARKS:
            toggle = (len(row) - len(body), body[0] == "▼")
            body = body[2:]
        mark, _, rest = body.partition(" ")
        name = rest.split(" ", 1)[0]
        depth = {"▣": 0, "◇": 1, "⌁": 2}.get(mark)
        if depth is not None:
            path = (*path[:depth], name) if len(path) >= depth else ()  # () parent unseen
            if toggle is not None and path:
                view.nodes.append(ShownNode(path, y, *toggle))
            if "stale since" in rest and len(path) == 3:
                view.errors.append(body)
                view.stale_endpoints.add(path)
        elif mark in GLYPHS and name:
            if len(path) == 3:
                g, c, e = path
                view.jobs.append(ShownJob(g, c, e, name, GLYPHS[mark]))
            else:
                view.unplaced += 1
    return view


# -- job traffic ------------------------------------------------------------------------


@dataclass
class Target:
    group: str
    channel: str
    endpoint: str
    manifests: dict[str, list[dict[str, str]]]

    @property
    def path(self) -> tuple[str, str, str]:
        return (self.group, self.channel, self.endpoint)


def find_targets(api: Any, most: int = 3) -> list[Target]:
    """The first endpoints (in the tree's order) that take harvest jobs."""
    found: list[Target] = []
    groups = sorted(g["ChannelGroupName"] for g in api.list_channel_groups()["Items"])
    for group in groups:
        channels = api.list_channels(ChannelGroupName=group)["Items"]
        for channel in sorted(c["ChannelName"] for c in channels):
            items = api.list_origin_endpoints(ChannelGroupName=group, ChannelName=channel)
            for name in sorted(e["OriginEndpointName"] for e in items["Items"]):
                e = api.get_origin_endpoint(
                    ChannelGroupName=group, ChannelName=channel, OriginEndpointName=name
                )
                if not e.get("StartoverWindowSeconds"):
                    continue
                manifests = {
                    kind: [{"ManifestName": m["ManifestName"]} for m in e.get(key, [])]
                    for kind, key in (
                        ("HlsManifests", "HlsManifests"),
                        ("LowLatencyHlsManifests", "LowLatencyHlsManifests"),
                        ("DashManifests", "DashManifests"),
                    )
                    if e.get(key)
                }
                found.append(Target(group, channel, name, manifests))
                if len(found) == most:
                    return found
    return found


@dataclass
class Traffic:
    """Creates and cancels harvest jobs, as another operator would, until stopped."""

    url: str
    sandbox_now: Callable[[], datetime]
    targets: list[Target]
    seed: int = SEED
    created: int = 0
    cancelled: int = 0
    calls: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # what must not happen
    active: dict[tuple[str, str, str, str], str] = field(default_factory=dict)  # path -> ETag

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="soak-traffic", daemon=True)
        self.random = random.Random(self.seed)

    def start(self) -> None:
        self.thread.start()

    def finish(self) -> None:
        self.stop.set()
        if self.thread.ident is not None:  # started
            self.thread.join(60)

    def _run(self) -> None:
        api = client(self.url)
        n = 0
        while not self.stop.wait(self.random.uniform(0.5, 1.5)):
            try:
                self._refresh(api)
                active_in_group = Counter(path[0] for path in self.active)
                target = self.random.choice(self.targets)
                if active_in_group[target.group] < ACTIVE_PER_GROUP and self.random.random() < 0.7:
                    n += 1
                    self._create(api, target, f"soak-{n:04d}")
                elif self.active:
                    self._cancel(api, self.random.choice(sorted(self.active)))
            except (ClientError, BotoCoreError) as exc:
                self.errors[error_code(exc)] += 1
            except Exception as exc:  # a bug here must fail the soak, not end it silently
                self.failures.append(f"traffic: {exc!r}")
                return

    def _refresh(self, api: Any) -> None:
        for path in list(self.active):
            g, c, e, name = path
            self.calls += 1
            job = api.get_harvest_job(
                ChannelGroupName=g, ChannelName=c, OriginEndpointName=e, HarvestJobName=name
            )
            if job["Status"] in ("QUEUED", "IN_PROGRESS"):
                self.active[path] = job["ETag"]
            else:
                del self.active[path]

    def _create(self, api: Any, t: Target, name: str) -> None:
        now = self.sandbox_now()
        # Starts 2 h ago; ends between 1 h ago and 90 min from now (up to 9 real seconds at
        # 600x): some run at once, some wait queued. Some buckets deny access: FAILED.
        end = now + timedelta(minutes=self.random.uniform(-60, 90))
        bucket = "acme-soak-denied" if self.random.random() < 0.15 else "acme-media-archive"
        self.calls += 1
        try:
            job = api.create_harvest_job(
                ChannelGroupName=t.group,
                ChannelName=t.channel,
                OriginEndpointName=t.endpoint,
                HarvestJobName=name,
                Description="soak test",
                HarvestedManifests=t.manifests,
                ScheduleConfiguration={"StartTime": now - timedelta(hours=2), "EndTime": end},
                Destination={"S3Destination": {"BucketName": bucket, "DestinationPath": "soak/"}},
            )
        except ClientError as exc:
            if error_code(exc) != "ConflictException":  # a retried create that had landed
                raise
            self.errors["ConflictException"] += 1
            return
        self.created += 1
        self.active[(t.group, t.channel, t.endpoint, name)] = job["ETag"]

    def _cancel(self, api: Any, path: tuple[str, str, str, str]) -> None:
        g, c, e, name = path
        self.calls += 1
        api.cancel_harvest_job(
            ChannelGroupName=g,
            ChannelName=c,
            OriginEndpointName=e,
            HarvestJobName=name,
            ETag=self.active[path],
        )
        self.cancelled += 1
        del self.active[path]


# -- the scripted user --------------------------------------------------------------------


@dataclass
class User:
    """Keys at a human pace: mostly moving, now and then refreshing, copying, help, time."""

    term: Terminal
    seed: int = SEED
    only: frozenset[str] = frozenset(KEY_WEIGHTS)  # a subset, to find what drives a leak
    keys: Counter[str] = field(default_factory=Counter)
    help_misses: int = 0  # help did not open, or did not close, within 5 s

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)

    def act(self) -> None:
        if not self.only:
            return
        names = [key for key in KEY_WEIGHTS if key in self.only]
        choice = self.random.choices(names, weights=[KEY_WEIGHTS[k] for k in names])[0]
        self.keys[choice] += 1
        if choice == "?":
            self._help()
        else:
            self.term.press({"ctrl+r": CTRL_R}.get(choice, choice.encode()))

    def _help(self) -> None:
        self.term.press(b"?")
        if not self.term.wait_for(lambda s: HELP_TITLE in s, 5):
            self.help_misses += 1
        self.term.pump(self.random.uniform(0.3, 1.0))
        self.term.press(ESCAPE)
        if not self.term.wait_for(lambda s: HELP_TITLE not in s, 5):
            self.help_misses += 1

    def pause(self) -> None:
        self.term.pump(self.random.uniform(0.25, 1.2))


# -- the run --------------------------------------------------------------------------


@dataclass
class Mismatch:
    job: ShownJob
    api_before: str | None
    api_after: str | None

    def __str__(self) -> str:
        return f"{self.job.path}: screen {self.job.status}, API {self.api_before}→{self.api_after}"


@dataclass
class SoakResult:
    seconds: float
    baseline_at: float
    keys: Counter[str] = field(default_factory=Counter)
    help_misses: int = 0
    traffic: dict[str, Any] = field(default_factory=dict)
    rss: dict[str, list[tuple[float, int]]] = field(default_factory=dict)  # name -> samples
    written: int = 0
    tracebacks: int = 0
    traceback_excerpt: str = ""
    requests: dict[str, int] = field(default_factory=dict)  # the sandbox's, by operation
    alive_at_end: bool = False
    exit_code: int | None = None
    worker_lost: bool = False
    arranged: bool = False  # the targets' jobs were shown for the final check
    compared: int = 0
    lagging: int = 0  # shown in a status the API had at the start of the final check only
    unplaced: int = 0
    skipped_stale: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    truncated: int = 0  # names cut at the pane's edge that fit several jobs: not compared
    explained_errors: list[str] = field(default_factory=list)
    unexplained_errors: list[str] = field(default_factory=list)
    final_screen: str = ""

    def growth(self, name: str) -> tuple[int, int, float] | None:
        """(baseline KiB, end KiB, growth %) of one process."""
        samples = self.rss.get(name, [])
        base = next((kib for t, kib in samples if t >= self.baseline_at), None)
        if base is None or not samples:
            return None
        end = samples[-1][1]
        return base, end, 100.0 * (end - base) / base

    def problems(self) -> list[str]:
        found = []
        if not self.alive_at_end:
            found.append("the app was not running at the end")
        if self.exit_code != 0:
            found.append(f"the app exited with {self.exit_code} on q")
        if self.tracebacks:
            found.append(
                f"{self.tracebacks} traceback(s) in the app's output:\n{self.traceback_excerpt}"
            )
        if self.worker_lost:
            found.append("the service worker process went away")
        if self.help_misses:
            found.append(f"help did not open or close in time {self.help_misses} time(s)")
        found += [f"status mismatch: {m}" for m in self.mismatches]
        found += [f"unexplained error on screen: {e}" for e in self.unexplained_errors]
        found += list(self.traffic.get("failures", []))
        if not self.arranged:
            found.append("the soak's endpoints could not be expanded for the final check")
        if self.compared == 0:
            found.append("no job was visible to compare")
        for name in self.rss:
            g = self.growth(name)
            if g is None:
                found.append(f"no memory samples of the {name} after {self.baseline_at:.0f} s")
                continue
            base, end, pct = g
            if pct >= MAX_GROWTH_PCT:
                found.append(f"the {name}'s RSS grew {pct:.1f} % ({base} → {end} KiB)")
        return found

    def report(self) -> str:
        t = self.traffic
        out = [
            f"soak: {self.seconds / 60:.1f} min, {sum(self.keys.values())} keys "
            f"({', '.join(f'{k} {n}' for k, n in sorted(self.keys.items()))})",
            f"jobs: {t.get('created', 0)} created, {t.get('cancelled', 0)} cancelled, "
            f"{t.get('calls', 0)} calls; errors after retries: {dict(t.get('errors', {}))}",
            f"sandbox: {sum(self.requests.values())} requests "
            f"({', '.join(f'{op} {n}' for op, n in Counter(self.requests).most_common(4))}, …)",
            f"app output: {self.written / 1e6:.1f} MB, tracebacks: {self.tracebacks}",
            f"final check: {self.compared} jobs compared ({self.lagging} lagging within the "
            f"check), {len(self.mismatches)} mismatches, {self.unplaced} unplaced rows, "
            f"{self.skipped_stale} under stale endpoints, {self.truncated} names cut too short",
            f"errors on screen: {len(self.explained_errors)} explained by injected faults, "
            f"{len(self.unexplained_errors)} unexplained",
        ]
        for name in self.rss:
            g = self.growth(name)
            if g:
                base, end, pct = g
                peak = max(kib for _, kib in self.rss[name])
                out.append(
                    f"RSS {name}: {base / 1024:.1f} MiB at {self.baseline_at:.0f} s → "
                    f"{end / 1024:.1f} MiB at the end ({pct:+.1f} %, {end - base:+d} KiB; "
                    f"peak {peak / 1024:.1f} MiB)"
                )
            if self.seconds > 120:  # the trend, a sample a minute
                per_minute = {int(t // 60): kib for t, kib in self.rss[name]}
                trend = " ".join(f"{kib / 1024:.0f}" for kib in per_minute.values())
                out.append(f"  MiB by minute: {trend}")
        problems = self.problems()
        out.append("PASS" if not problems else "FAIL:\n  " + "\n  ".join(problems))
        return "\n".join(out)


@contextlib.contextmanager
def running(seed: int, probe: Path | None = None) -> Iterator[tuple[Sandbox, Terminal]]:
    sandbox = Sandbox(seed)
    term = None
    try:
        env = child_env(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", COLORTERM="truecolor")
        app = ["-m", "harvest_tui.cli"]
        if probe is not None:  # the app under tests/memprobe.py: what grows, minute by minute
            app = [str(Path(__file__).with_name("memprobe.py")), str(probe)]
        argv = [sys.executable, *app, "--endpoint-url", sandbox.url]
        term = Terminal([*argv, "--region", "us-east-1"], env, SIZE)
        yield sandbox, term
    finally:
        if term is not None:
            term.close()
        sandbox.stop()


def run_soak(
    seconds: float,
    *,
    baseline_at: float | None = None,
    seed: int = SEED,
    keys: frozenset[str] = frozenset(KEY_WEIGHTS),
    traffic_on: bool = True,
    probe: Path | None = None,
) -> SoakResult:
    """Run the soak for `seconds`; memory growth counts from `baseline_at` seconds in
    (the first minute, or the first third of a shorter run, is warm-up). `keys` and
    `traffic_on` narrow the load down, to find what drives a growth; `probe` runs the app
    under tests/memprobe.py, which writes its memory by type and tracemalloc snapshots
    there."""
    if baseline_at is None:
        baseline_at = min(60.0, seconds / 3)
    result = SoakResult(seconds=seconds, baseline_at=baseline_at)
    with running(seed, probe) as (sandbox, term):
        if not term.wait_for(lambda s: "▣" in s, 60):
            result.final_screen = term.text()
            result.unexplained_errors.append("the tree never showed a channel group")
            return result
        t0 = time.monotonic()
        targets = find_targets(client(sandbox.url, attempts=10))
        traffic = Traffic(sandbox.url, sandbox.now, targets, seed=seed)
        if traffic_on:
            traffic.start()
        user = User(term, seed=seed, only=keys)
        worker = next(iter(children_of(term.proc.pid)), None)
        result.rss = {"app": [], "service worker": []}
        next_sample = 0.0
        try:
            while (elapsed := time.monotonic() - t0) < seconds and term.proc.poll() is None:
                if elapsed >= next_sample:
                    for name, pid in (("app", term.proc.pid), ("service worker", worker)):
                        kib = rss_kib(pid) if pid else None
                        if kib is not None:
                            result.rss[name].append((elapsed, kib))
                        elif name == "service worker":
                            result.worker_lost = True
                    next_sample = elapsed + 5
                user.act()
                user.pause()
        finally:
            traffic.finish()
        result.keys, result.help_misses = user.keys, user.help_misses
        result.traffic = {
            "created": traffic.created,
            "cancelled": traffic.cancelled,
            "calls": traffic.calls,
            "errors": traffic.errors,
            "failures": traffic.failures,
        }
        for name, pid in (("app", term.proc.pid), ("service worker", worker)):
            kib = rss_kib(pid) if pid else None
            if kib is not None:
                result.rss[name].append((time.monotonic() - t0, kib))
        if term.proc.poll() is None:
            term.press(ESCAPE)  # whatever is open closes
            term.pump(1.0)
            result.arranged = show_targets(term, targets)
            final_check(term, client(sandbox.url, attempts=10), result)
        result.alive_at_end = term.proc.poll() is None
        term.press(b"q")
        result.exit_code = term.wait_exit(15)
        term.pump(0.2)
        result.written, result.tracebacks = term.written, term.tracebacks
        result.traceback_excerpt = term.excerpt
        result.seconds = time.monotonic() - t0
        with contextlib.suppress(OSError, ValueError):
            result.requests = sandbox.counts()
    return result


def click(term: Terminal, x: int, y: int, button: int = 0) -> None:
    """A mouse click (or a wheel step) at a cell, as an SGR mouse report."""
    term.press(f"\x1b[<{button};{x + 1};{y + 1}M\x1b[<{button};{x + 1};{y + 1}m".encode())


def show_targets(term: Terminal, targets: list[Target], seconds: float = 30.0) -> bool:
    """Expand the targets' paths and collapse everything else, clicking the tree's toggles
    as a person with a mouse would, so that the final check sees the soak's jobs."""
    wanted = {t.path[:n] for t in targets for n in (1, 2, 3)}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and term.proc.poll() is None:
        view = read_tree(term.lines())
        todo = sorted(
            (n for n in view.nodes if n.expanded != (n.path in wanted)),
            key=lambda n: n.expanded is False,  # collapse first: what is wanted moves up
        )
        if todo:
            node = todo[0]
            click(term, node.toggle, node.row)
            before, until = "▼" if node.expanded else "▶", time.monotonic() + 3
            while term.lines()[node.row][node.toggle] == before and time.monotonic() < until:
                term.pump(0.05)
            term.pump(0.3)
            continue
        shown = {n.path for n in view.nodes if n.expanded}
        if wanted <= shown or any(len(path) == 3 for path in shown):
            return True  # all shown, or one endpoint's jobs fill the screen
        click(term, 2, 2, button=64)  # the wheel, up: what is wanted is above
        term.pump(0.3)
    return False


def api_statuses(api: Any, endpoints: set[tuple[str, str, str]]) -> dict[str, str]:
    """group/channel/endpoint/job -> status, for every job of these endpoints."""
    out: dict[str, str] = {}
    for g, c, e in sorted(endpoints):
        pages = api.get_paginator("list_harvest_jobs").paginate(
            ChannelGroupName=g, ChannelName=c, OriginEndpointName=e
        )
        for page in pages:
            for job in page["Items"]:
                out[f"{g}/{c}/{e}/{job['HarvestJobName']}"] = job["Status"]
    return out


def full_path(shown: str, known: dict[str, str]) -> str | None:
    """The API's path for a job whose name the screen may have cut (in the middle, to fit
    the pane: `panel…8-0405`; or at the pane's edge): itself, or the one known path it
    stands for; None when several fit."""
    if shown in known:
        return shown
    head, cut, tail = shown.partition("…")
    fits = [
        path
        for path in known
        if path.startswith(head) and (not cut or path[len(head) :].endswith(tail))
    ]
    return fits[0] if len(fits) == 1 else None


def final_check(term: Terminal, api: Any, result: SoakResult) -> None:
    """Refresh everything, wait until the tree is quiet, and compare it with the API."""
    endpoints = {(j.group, j.channel, j.endpoint) for j in read_tree(term.lines()).jobs}
    before = api_statuses(api, endpoints)
    term.press(CTRL_R)
    quiet_since, last, deadline = time.monotonic(), "", time.monotonic() + 30
    term.pump(0.5)
    while time.monotonic() < deadline:
        term.pump(0.25)
        tree = "\n".join(line[: tree_column(term.lines())] for line in term.lines())
        if tree != last or "Loading…" in tree or "⟳" in term.lines()[0]:
            last, quiet_since = tree, time.monotonic()
        elif time.monotonic() - quiet_since >= 2.0:
            break
    view = read_tree(term.lines())
    result.final_screen = term.text()
    endpoints |= {(j.group, j.channel, j.endpoint) for j in view.jobs}
    after = api_statuses(api, endpoints)
    before = {**after, **before}  # an endpoint first seen now: its "before" is "after"
    result.unplaced = view.unplaced
    for job in view.jobs:
        if (job.group, job.channel, job.endpoint) in view.stale_endpoints:
            result.skipped_stale += 1
            continue
        path = full_path(job.path, after)
        if path is None:
            result.truncated += 1  # cut at the pane's edge, and more than one job fits
            continue
        first, last_seen = before.get(path), after.get(path)
        result.compared += 1
        if first is None or last_seen is None:
            result.mismatches.append(Mismatch(job, first, last_seen))
        elif job.status == last_seen:
            continue
        elif ORDER[first] <= ORDER[job.status] < ORDER[last_seen] or job.status == first:
            result.lagging += 1  # a status it had during the check: the poll comes later
        else:
            result.mismatches.append(Mismatch(job, first, last_seen))
    for error in view.errors:
        if any(code in error for code in INJECTED):
            result.explained_errors.append(error)
        else:
            result.unexplained_errors.append(error)
    header = result.final_screen.splitlines()[0] if result.final_screen else ""
    if re.search(r"\b(Error|Exception)\b", header):
        result.unexplained_errors.append(f"header: {header.strip()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--baseline",
        type=float,
        help="memory growth counts from here, in seconds (60, or a third of a shorter run)",
    )
    parser.add_argument("--show-screen", action="store_true", help="print the final screen")
    parser.add_argument(
        "--keys", help=f"only these keys, comma-separated (of {','.join(KEY_WEIGHTS)}; '' none)"
    )
    parser.add_argument("--no-traffic", action="store_true", help="no jobs created or cancelled")
    parser.add_argument(
        "--probe",
        type=Path,
        help="run the app under tests/memprobe.py, which writes what it holds here each minute "
        "(RSS, heaps, objects by type, caches)",
    )
    args = parser.parse_args(argv)
    result = run_soak(
        args.minutes * 60,
        baseline_at=args.baseline,
        seed=args.seed,
        keys=frozenset(KEY_WEIGHTS if args.keys is None else filter(None, args.keys.split(","))),
        traffic_on=not args.no_traffic,
        probe=args.probe,
    )
    if args.show_screen:
        print(result.final_screen)
    print(result.report())
    return 1 if result.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
