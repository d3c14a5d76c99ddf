"""ShapePlans: a function per botocore shape, made once and shared by threads.

The clients' response parser (service_loader.planned_parsers) and the sandbox's response
writer (sandbox/shapes.py) both walk a shape's members for every value, so each plans
the walk of a shape once: a function made from its members. Both are called from many
threads at once (the service worker's calls, the sandbox's requests), so a plan is made
under a lock and only a whole plan is shared; and a plan may need its own shape's plan
(a recursive shape), so while it is made that member is given a function that looks the
plan up when it is called. Imports nothing: shapes are any objects, kept alive here so
that their ids stay theirs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Plan = Callable[[Any], Any]


class ShapePlans:
    """`plan(shape)`: `make(shape)`, made once per shape object."""

    def __init__(self, make: Callable[[Any], Plan]) -> None:
        self._make = make
        self._plans: dict[int, tuple[Any, Plan]] = {}  # whole plans only
        self._making: dict[int, Any] = {}  # shapes whose plan is being made
        self._lock = threading.RLock()  # re-entered: a plan makes its members' plans

    def plan(self, shape: Any) -> Plan:
        entry = self._plans.get(id(shape))
        if entry is not None and entry[0] is shape:
            return entry[1]
        with self._lock:
            entry = self._plans.get(id(shape))
            if entry is not None and entry[0] is shape:
                return entry[1]
            if self._making.get(id(shape)) is shape:  # its own member: found when called
                return lambda value: self._plans[id(shape)][1](value)
            self._making[id(shape)] = shape
            try:
                made = self._make(shape)
            finally:
                del self._making[id(shape)]
            self._plans[id(shape)] = (shape, made)
            return made

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()
