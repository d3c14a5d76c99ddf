"""What travels between the UI and the service worker, and how.

Each message is a frame on a pipe: a 4-byte length, then a pickle of one of the
dataclasses below. Pickle is safe here: both ends are this program, on pipes only
they hold. A call carries a `backend.Request` (a frozen dataclass naming the
operation), never a method name to look up.
"""

from __future__ import annotations

import pickle
import struct
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from harvest_tui.errors import ServiceError

if TYPE_CHECKING:
    from harvest_tui.backend import Request
    from harvest_tui.service import Connection

_HEADER = struct.Struct("!I")


@dataclass(frozen=True)
class Setup:
    """UI → worker, once the config is read: the settings that concern the worker."""

    debug_log: bool


@dataclass(frozen=True)
class Call:
    """UI → worker: make `request` on `connection`'s client; answer with `id`."""

    id: int
    connection: Connection
    request: Request[Any]


@dataclass(frozen=True)
class Retry:
    """Worker → UI: call `id` is being retried (throttling, a dropped connection)."""

    id: int
    operation: str
    attempt: int
    max_attempts: int


@dataclass(frozen=True)
class Page:
    """Worker → UI: one page of a paged call's answer, as it arrived."""

    id: int
    items: object


@dataclass(frozen=True)
class Reply:
    """Worker → UI: call `id` succeeded (`value` is None for a paged call: see Page)."""

    id: int
    value: object
    region: str | None
    clock_skew: float | None = None  # what the answer's Date header showed (server_clock)


@dataclass(frozen=True)
class Failure:
    """Worker → UI: call `id` failed."""

    id: int
    error: ServiceError
    region: str | None
    clock_skew: float | None = None


ToWorker = Setup | Call
FromWorker = Retry | Page | Reply | Failure


def frame(message: ToWorker | FromWorker) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def write(out: IO[bytes], data: bytes) -> None:
    out.write(data)
    out.flush()


def read(stream: IO[bytes]) -> ToWorker | FromWorker | None:
    """The next message, or None at the end of the stream (or a cut-off frame)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    message = pickle.loads(data)
    if not isinstance(message, Setup | Call | Retry | Page | Reply | Failure):
        return None
    return message
