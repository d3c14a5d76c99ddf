"""Process plumbing for the benchmarks: a standalone sandbox, and TUIs in a pty.

Every program runs as a whole process. A TUI gets a real pseudo-terminal (so
Textual renders for real) and HARVEST_TUI_BENCH pointing at a pipe, on which
harvest_tui.ui.bench writes its events; keys are bytes written to the terminal.
Times are time.monotonic_ns(), which every process on the machine shares.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
SIZE = (120, 40)  # columns, lines
FROZEN_AT = "2026-11-02T14:30:00Z"

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_PAGER": "",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_EMPTY_DIR = tempfile.mkdtemp(prefix="harvest-tui-bench-")
# The warm start's cache, empty: a view the developer's own runs left in the user cache
# directory must not turn a cold start into a warm one (the warm rows bring their own).
_EMPTY_CACHE = tempfile.mkdtemp(prefix="harvest-tui-bench-views-")
# Bytecode caches, as an installed package has them (pip compiles at install), kept
# out of the source tree; measurements run each program once first to fill them.
PYCACHE = Path(tempfile.gettempdir()) / "harvest-tui-bench-pycache"
_DROPPED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "HARVEST_TUI_CONFIG")


class BenchError(RuntimeError):
    """A measurement could not be taken (a crash, a timeout, an error on screen)."""


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env.pop("AWS_ENDPOINT_URL_MEDIAPACKAGEV2", None)
    for key in [k for k in env if k.startswith(("HARVEST_TUI_BENCH", "TEXTUAL"))]:
        del env[key]
    env.update(AWS_ENV)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    env["XDG_CONFIG_HOME"] = _EMPTY_DIR  # no profiles file: the AWS defaults, as on a new box
    env["HARVEST_TUI_CACHE_DIR"] = _EMPTY_CACHE
    env.update(extra)
    return env


def harvest_tui_command() -> list[str]:
    """The installed console script (what a user runs), else the module."""
    script = Path(PYTHON).with_name("harvest-tui")
    if script.exists():
        return [str(script)]
    found = shutil.which("harvest-tui")
    return [found] if found else [PYTHON, "-m", "harvest_tui.cli"]


def now() -> int:
    return time.monotonic_ns()


def ms(ns: float) -> float:
    return ns / 1e6


# -- the sandbox ----------------------------------------------------------------


class SandboxProcess:
    """`harvest-tui sandbox --debug-routes ...` in a process of its own."""

    def __init__(self, *args: str, timeout: float = 120.0) -> None:
        cmd = [
            *harvest_tui_command(),
            "sandbox",
            "--port",
            "0",
            "--frozen-at",
            FROZEN_AT,
            "--debug-routes",
            *args,
        ]
        self.args = args
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=child_env(),
            text=True,
        )
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().strip() if ready else ""
        if not line.startswith("http://"):
            self.stop()
            raise BenchError(f"the sandbox {' '.join(args)} did not start: {line!r}")
        self.url = line  # the rest of stdout is a short hint for people: left unread

    def _debug(self, method: str, route: str) -> dict[str, int]:
        request = urllib.request.Request(f"{self.url}/__sandbox/{route}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return dict(json.loads(response.read())["counts"])

    def counts(self) -> dict[str, int]:
        """Requests received so far, by operation."""
        return self._debug("GET", "requests")

    def reset(self) -> dict[str, int]:
        return self._debug("POST", "reset")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- a TUI in a pseudo-terminal ---------------------------------------------------


class TuiRun:
    """One run of a Textual program in a pty, reading its bench events."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        script: str = "",
        size: tuple[int, int] = SIZE,
        env: dict[str, str] | None = None,
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self._partial = b""
        self.output_tail = b""
        bench_r, bench_w = os.pipe()
        master, slave = os.openpty()
        cols, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        extra = {
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "COLUMNS": str(cols),
            "LINES": str(lines),
            "HARVEST_TUI_BENCH": f"/dev/fd/{bench_w}",
        }
        if script:
            extra["HARVEST_TUI_BENCH_SCRIPT"] = script
        full_env = child_env(**extra)
        full_env.update(env or {})
        self.t0 = now()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            pass_fds=(bench_w,),
            env=full_env,
            start_new_session=True,
        )
        os.close(slave)
        os.close(bench_w)
        self.master = master
        self.bench = bench_r
        os.set_blocking(master, False)
        os.set_blocking(bench_r, False)
        self._closed = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _pump(self, timeout: float) -> None:
        """Read what is there (terminal output is drained and dropped)."""
        fds = [self.master, self.bench]
        ready, _, _ = select.select(fds, [], [], max(timeout, 0))
        for fd in ready:
            try:
                data = os.read(fd, 1 << 16)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # the pty's other side has gone
                data = b""
            if fd == self.master:
                self.output_tail = (self.output_tail + data)[-4000:]
                if not data:
                    fds.remove(fd)
                continue
            self._partial += data
            *lines, self._partial = self._partial.split(b"\n")
            for line in lines:
                if line.strip():
                    self.events.append(json.loads(line))

    def wait(
        self,
        event: str,
        *,
        after: int = 0,
        timeout: float = 60.0,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """The first `event` at index >= `after` (matching `where`), waiting for it."""
        deadline = time.monotonic() + timeout
        index = after
        while True:
            while index < len(self.events):
                found = self.events[index]
                index += 1
                if found["event"] == "error":
                    raise BenchError(f"the app shows an error: {found.get('error')}")
                if found["event"] == event and (where is None or where(found)):
                    found["index"] = index
                    return found
            if self.proc.poll() is not None:
                self._pump(0)
                if index >= len(self.events):
                    raise BenchError(
                        f"the program exited ({self.proc.returncode}) before {event}: "
                        f"{self.screen_text()[-600:]}"
                    )
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                recent = [e["event"] for e in self.events[-6:]]
                raise BenchError(f"no {event} within {timeout:.0f} s (last events: {recent})")
            self._pump(min(left, 0.5))

    def send(self, keys: str | bytes) -> int:
        """Type `keys`; the time just before they were written."""
        data = keys.encode() if isinstance(keys, str) else keys
        t = now()
        os.write(self.master, data)
        return t

    def settle(self, seconds: float) -> None:
        """Keep draining for `seconds` (nothing is expected)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._pump(left)

    def peak_rss_kib(self) -> int:
        """VmHWM, the peak resident memory so far, of the program and its child processes
        (the app's service worker), summed."""
        pids = [self.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.pid:
                    pids.append(int(entry.name))
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
                    break
            else:
                raise BenchError(f"no VmHWM in /proc/{pid}")
        return total

    def screen_text(self) -> str:
        return self.output_tail.decode(errors="replace")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
        self.proc.wait()
        os.close(self.master)
        os.close(self.bench)

    def __enter__(self) -> TuiRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def app_command(url: str) -> list[str]:
    return [*harvest_tui_command(), "--endpoint-url", url, "--region", "us-east-1"]


def floor_command() -> list[str]:
    return [PYTHON, str(HERE / "floor_app.py")]


def run_script(argv: Sequence[str], timeout: float = 120.0) -> tuple[int, str]:
    """Run a helper script; (the time it started, its stdout)."""
    t0 = now()
    done = subprocess.run(
        list(argv), capture_output=True, text=True, env=child_env(), timeout=timeout
    )
    if done.returncode != 0:
        raise BenchError(f"{' '.join(argv[:3])}… failed: {done.stderr[-800:]}")
    return t0, done.stdout
