"""`harvest-tui --sandbox`: the sandbox in a process of its own, beside the app.

In the app's process the sandbox would import botocore (its model) and answer HTTP
on the same GIL that paints the interface. A child process costs neither; it is
started with the clock's origin, so the app's clock and the sandbox's agree, and it
ends with the app (or when the app dies: the kernel sends it SIGTERM).
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from datetime import UTC, datetime

from harvest_tui.sandbox.clock import ScaledClock

STARTUP_SECONDS = 30.0


class SandboxProcess:
    """A running `python -m harvest_tui.sandbox`; `endpoint_url`, `clock`, `stop()`."""

    def __init__(self, *, seed: int, speed: float) -> None:
        origin = datetime.now(UTC).replace(microsecond=0)
        command = [sys.executable, "-P", "-m", "harvest_tui.sandbox", "--port", "0"]
        command += ["--seed", str(seed), "--speed", repr(speed), "--frozen-at", origin.isoformat()]
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C is the app's to handle
            preexec_fn=_die_with_parent,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode(errors="replace").strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError("the sandbox did not start")
        # Made now, once the sandbox's own clock exists: both start from `origin`.
        self.clock = ScaledClock(speed, start=origin)
        self.endpoint_url = line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        with contextlib.suppress(Exception):
            assert self.proc.stdout is not None
            self.proc.stdout.close()


def _die_with_parent() -> None:
    """In the child: SIGTERM when the app's process ends, however it ends (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
