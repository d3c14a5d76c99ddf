"""The sandbox's notion of "now": every job status is a pure function of it.

Injecting the clock is what makes the lifecycle testable (a FrozenClock that a
test advances), screenshots reproducible (frozen at DEMO_NOW), and demos lively
(a ScaledClock that runs faster than real time).
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

DEMO_NOW = datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
"""The default frozen instant for tests and screenshots."""

MAX_SPEED = 1e6  # a day in 0.09 s: faster is no use, and datetime arithmetic overflows
EARLIEST = datetime(1971, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
"""The instants a clock may start from: the demo data reaches ~400 days back and a few
hours ahead, and a ScaledClock stops at END_OF_TIME rather than overflow."""
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


def check_speed(speed: float) -> float:
    """`speed` if it is a usable clock speed, else ValueError saying why."""
    if not math.isfinite(speed) or speed <= 0:
        raise ValueError(f"clock speed must be a finite number greater than 0, not {speed}")
    if speed > MAX_SPEED:
        raise ValueError(f"clock speed must be at most {MAX_SPEED:g}, not {speed:g}")
    return speed


def check_start(instant: datetime) -> datetime:
    """`instant` (UTC) if a clock may start there, else ValueError saying why."""
    instant = _aware(instant)
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(
            f"the clock must start between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}, "
            f"not {instant.isoformat()}"
        )
    return instant


class Clock(Protocol):
    """Anything with a `now()` that returns a tz-aware UTC datetime."""

    def now(self) -> datetime: ...


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("the sandbox clock needs a tz-aware datetime")
    return instant.astimezone(UTC)


class SystemClock:
    """Real wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """Time stands still until a test moves it with `advance()` or `set()`."""

    def __init__(self, instant: datetime = DEMO_NOW) -> None:
        self._lock = threading.Lock()
        self._now = _aware(instant)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move forward by `seconds` (plus any timedelta keywords); return the new now."""
        step = timedelta(seconds=seconds, **delta)
        with self._lock:
            self._now += step
            return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = _aware(instant)

    def __repr__(self) -> str:
        return f"FrozenClock({self.now().isoformat()})"


class ScaledClock:
    """Time runs `speed` times faster than real time, from `start` (default: real now)."""

    def __init__(self, speed: float = 1.0, start: datetime | None = None) -> None:
        self.speed = check_speed(speed)
        self._origin = check_start(start) if start is not None else datetime.now(UTC)
        self._room = (END_OF_TIME - self._origin).total_seconds()
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        """Runs on until END_OF_TIME, and stays there (never overflowing)."""
        elapsed = (time.monotonic() - self._t0) * self.speed
        return self._origin + timedelta(seconds=min(elapsed, self._room))

    def __repr__(self) -> str:
        return f"ScaledClock(speed={self.speed})"
