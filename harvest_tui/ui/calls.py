"""How a widget makes a call: begun on the UI thread, waited for in a thread worker.

Through the service worker a call begun on the UI thread is on its way at once, not
once a thread worker has started (often a frame later). While it is waited for, the
widget posts `CallsInFlight` and `CallRetrying`; they bubble up to the screen, whose
header shows what is in flight.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from textual.message import Message
from textual.widget import Widget

from harvest_tui.backend import Backend, ListHarvestJobs, Request, answered, jobs_by_name
from harvest_tui.errors import ServiceError, translate
from harvest_tui.models import ACTIVE_STATUSES, HarvestJob, JobStatus

T = TypeVar("T")
ACTIVE = ACTIVE_STATUSES  # what counts against the quota


@dataclass
class CallsInFlight(Message):
    """A call started (+1) or ended (-1), for the header's activity."""

    delta: int


@dataclass
class CallRetrying(Message):
    """A call is being retried (throttling, a dropped connection): tell the user."""

    operation: str
    attempt: int
    max_attempts: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CallRetrying)


def begin_call(widget: Widget, backend: Backend, request: Request[T]) -> Callable[[], T]:
    """Start `request` now; the function returned, run in a thread worker, waits for its
    answer and raises a ServiceError (and nothing else) when it fails."""

    def report(operation: str, attempt: int, max_attempts: int) -> None:
        widget.post_message(CallRetrying(operation, attempt, max_attempts))

    with backend.retries_reported_to(report):
        finish = backend.begin(request)
    return _Waiting(widget, backend, finish, report)


class _Waiting(Generic[T]):
    """Calling it waits for the call's answer; `ready()` as `backend.answered` tells."""

    def __init__(
        self,
        widget: Widget,
        backend: Backend,
        finish: Callable[[], T],
        report: Callable[[str, int, int], None],
    ) -> None:
        self.widget, self.backend, self.finish, self.report = widget, backend, finish, report

    def ready(self) -> bool:
        return answered(self.finish)

    def __call__(self) -> T:
        widget, backend = self.widget, self.backend
        # Posted, not called: the wait must not depend on the UI thread being free.
        widget.post_message(CallsInFlight(1))
        try:
            with backend.retries_reported_to(self.report):
                return self.finish()
        except ServiceError:
            raise
        except Exception as exc:  # anything else still becomes a readable error
            raise translate(exc, profile=backend.profile, region=backend.region) from exc
        finally:
            widget.post_message(CallsInFlight(-1))


def jobs_call(
    widget: Widget,
    backend: Backend,
    group: str,
    channel: str | None = None,
    endpoint: str | None = None,
    statuses: tuple[JobStatus, ...] | None = None,
) -> Callable[[], list[HarvestJob]]:
    """Start a job list: one page chain, or one per status in `statuses` (the API takes
    one status), merged by name; the function returned waits for them all."""
    return _Merged(
        [
            begin_call(widget, backend, ListHarvestJobs(group, channel, endpoint, status))
            for status in statuses or (None,)
        ]
    )


class _Merged:
    """Calling it waits for every list and merges their jobs by name; `ready()` once all
    of them are in (`backend.answered`)."""

    def __init__(self, waits: list[Callable[[], list[HarvestJob]]]) -> None:
        self.waits = waits

    def ready(self) -> bool:
        return all(answered(wait) for wait in self.waits)

    def __call__(self) -> list[HarvestJob]:
        return jobs_by_name(wait() for wait in self.waits)
