"""Fault injection: latency, throttling, server errors, denied groups and accounts,
dropped connections.

Faults let tests and demos exercise the client's retry and error paths against
the real wire. Every rate is drawn from one seeded RNG so a run is reproducible,
and every field may be changed while the server runs.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from enum import Enum


class Fault(Enum):
    DROP = "drop"  # close the connection without answering
    THROTTLE = "throttle"  # 429 ThrottlingException
    ERROR = "error"  # 500 InternalServerException
    DENY = "deny"  # 403 AccessDeniedException


@dataclass
class Faults:
    """What to break. Mutate the fields at any time; `decide()` reads them per request."""

    latency_ms: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    drop_rate: float = 0.0
    deny_groups: set[str] = field(default_factory=set)
    deny_accounts: set[str] = field(default_factory=set)  # every call of these accounts: 403
    seed: int = 0

    def __post_init__(self) -> None:
        self.deny_groups = set(self.deny_groups)
        self.deny_accounts = set(self.deny_accounts)
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)
        self._open = threading.Event()  # cleared by hold(): requests wait until release()
        self._open.set()
        self.check()

    def check(self) -> None:
        """Raise ValueError naming the first field out of range."""
        for name in ("throttle_rate", "error_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, not {self.latency_ms}")

    def describe(self) -> str:
        """The faults switched on, for the banner ("" when none): "latency 800 ms,
        throttle 50 %, deny group news-24x7"."""
        parts = [f"latency {self.latency_ms:g} ms"] if self.latency_ms else []
        for name, rate in (
            ("throttle", self.throttle_rate),
            ("server errors", self.error_rate),
            ("dropped connections", self.drop_rate),
        ):
            if rate:
                parts.append(f"{name} {rate * 100:g} %")
        parts += [f"deny group {g}" for g in sorted(self.deny_groups)]
        parts += [f"deny account {a}" for a in sorted(self.deny_accounts)]
        return ", ".join(parts)

    def hold(self) -> None:
        """Hold every request (after it is counted) until release(): calls in flight for
        as long as a test needs, with no clock involved."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def wait_while_held(self) -> None:
        self._open.wait()

    def clear(self) -> None:
        """Switch every fault off (held requests go on)."""
        self.release()
        self.latency_ms = self.throttle_rate = self.error_rate = self.drop_rate = 0.0
        self.deny_groups = set()
        self.deny_accounts = set()

    def decide(
        self, operation: str, channel_group: str | None, account: str | None = None
    ) -> Fault | None:
        """The fault this request suffers, if any (one RNG draw per rate that is on)."""
        with self._lock:
            if self.drop_rate and self._rng.random() < self.drop_rate:
                return Fault.DROP
            if channel_group is not None and channel_group in self.deny_groups:
                return Fault.DENY
            if account is not None and account in self.deny_accounts:
                return Fault.DENY
            if self.throttle_rate and self._rng.random() < self.throttle_rate:
                return Fault.THROTTLE
            if self.error_rate and self._rng.random() < self.error_rate:
                return Fault.ERROR
        return None
