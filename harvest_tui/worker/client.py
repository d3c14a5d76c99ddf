"""The UI's side of the service worker: the process handle and a Backend through it.

`ServiceWorker` starts the process, sends `Call`s, and a reader thread matches the
replies to the calls waiting for them. `WorkerBackend` is a `Backend` whose calls the
worker makes; once the worker has gone, they run in this process instead.

Every call has a deadline longer than botocore's own retries could take, renewed by
each page or retry the worker reports. A worker that misses it (stopped, hung) is
killed; the calls it held fail, and reads among them are made again in this process,
so loading goes on.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, Generic, TypeVar

from harvest_tui.backend import (
    CancelHarvestJob,
    CreateHarvestJob,
    GetChannel,
    GetChannelGroup,
    GetHarvestJob,
    GetOriginEndpoint,
    JobSpec,
    ListChannelGroups,
    ListChannels,
    ListHarvestJobs,
    ListOriginEndpoints,
    ListTags,
    PagedRequest,
    Request,
    RetryListener,
)
from harvest_tui.errors import ServiceError, WorkerStopped
from harvest_tui.worker.protocol import (
    Call,
    Failure,
    Page,
    Reply,
    Retry,
    Setup,
    frame,
    read,
    write,
)
from harvest_tui.worker.spawn import spawn

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Mapping
    from datetime import datetime

    from harvest_tui.models import (
        Channel,
        ChannelGroup,
        HarvestedManifests,
        HarvestJob,
        JobStatus,
        OriginEndpoint,
    )
    from harvest_tui.service import Connection, MediaPackageService

T = TypeVar("T")
PREFETCH_FRESH_SECONDS = 30.0  # an older prefetched answer is not used: the call is made again
DEADLINE_MARGIN = 10.0  # seconds beyond the longest a call could take with every retry


def stopped_error() -> WorkerStopped:
    return WorkerStopped(
        "WorkerStopped",
        "The background process that talks to AWS stopped during this call.",
        hint="Press r to retry: calls now run in the app's own process.",
    )


def closed_error() -> WorkerStopped:
    return WorkerStopped("WorkerClosed", "The app is closing: the call was abandoned.")


def unresponsive_error(seconds: float) -> WorkerStopped:
    return WorkerStopped(
        "WorkerUnresponsive",
        f"The background process that talks to AWS did not answer within {seconds:.0f} s, "
        "so it was stopped.",
        hint="Calls now run in the app's own process; press r if anything is left unloaded.",
    )


class _Pending:
    """A call in flight: its answer (or error) once `done` is set."""

    __slots__ = (
        "active_at",
        "arrived",
        "connection",
        "done",
        "error",
        "listener",
        "pages",
        "region",
        "value",
    )

    def __init__(
        self, listener: RetryListener | None, *, paged: bool, connection: Connection | None = None
    ) -> None:
        self.listener = listener
        self.connection = connection
        self.done = threading.Event()
        self.arrived = threading.Event()  # set on each page, and when done
        self.value: object = None
        self.error: ServiceError | None = None
        self.region: str | None = None
        self.pages: list[object] | None = [] if paged else None
        self.active_at = time.monotonic()  # the last sign of life: sent, a page, a retry


class ServiceWorker:
    """The UI's handle on the worker process: thread-safe, shared by every WorkerBackend."""

    def __init__(
        self, proc: subprocess.Popen[bytes], *, prefetch_fresh: float = PREFETCH_FRESH_SECONDS
    ) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self.prefetch_fresh = prefetch_fresh
        self._out = proc.stdin
        self._write_lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._prefetched: dict[tuple[Connection, Request[Any]], tuple[int, float]] = {}
        self._ids = itertools.count(1)
        self.clock_skews: dict[Connection, float] = {}  # per connection, from the answers
        self.alive = True
        self.closed = False  # close() was called: the app is ending
        self.stop_reason: WorkerStopped | None = None
        self._reader = threading.Thread(
            target=self._read_replies, args=(proc.stdout,), name="service-worker", daemon=True
        )
        self._reader.start()

    @classmethod
    def start(
        cls, proc: subprocess.Popen[bytes] | None = None, **kwargs: Any
    ) -> ServiceWorker | None:
        """The worker: `proc` (as `spawn` started it), else one started now; None if it
        cannot be started (calls then run in-process)."""
        proc = proc or spawn()
        return None if proc is None else cls(proc, **kwargs)

    def configure(self, *, debug_log: bool) -> None:
        """Apply the settings that concern the worker (sent once the config is read)."""
        with contextlib.suppress(OSError):
            self._send(frame(Setup(debug_log=debug_log)))

    def prefetch(self, connection: Connection, request: Request[Any]) -> int:
        """Make now a call the UI is certain to make; the UI's call then takes its answer.

        `harvest-tui` lists each region's channel groups this way as soon as it has read
        the config, so that the request goes out while Textual is still starting.
        Returns the call's number (`answered` tells when its answer is in).
        """
        call_id = self._send_call(connection, request, None)
        self._prefetched[(connection, request)] = (call_id, time.monotonic())
        return call_id

    def answered(self, call_id: int, timeout: float | None = None) -> bool:
        """Whether call `call_id` has its answer (waiting up to `timeout` seconds)."""
        pending = self._pending.get(call_id)
        return pending is None or pending.done.wait(timeout)

    def submit(
        self, connection: Connection, request: Request[Any], listener: RetryListener | None
    ) -> int:
        """Send a call now (or take its prefetched twin); `wait` for its answer with the
        number this returns."""
        claimed = self._claim(connection, request, listener)
        if claimed is not None:
            return claimed
        return self._send_call(connection, request, listener)

    def _send_call(
        self, connection: Connection, request: Request[Any], listener: RetryListener | None
    ) -> int:
        call_id = next(self._ids)
        paged = isinstance(request, PagedRequest)
        self._pending[call_id] = _Pending(listener, paged=paged, connection=connection)
        try:
            self._send(frame(Call(call_id, connection, request)))
        except OSError:
            self._stopped(stopped_error())
        return call_id

    def wait(self, call_id: int, deadline: float) -> tuple[object, str | None]:
        """(the result, or the pages of a paged call; the region the worker's client
        resolved). Raises the call's ServiceError, or WorkerStopped when the worker goes
        or shows no sign of life for `deadline` seconds (it is then killed)."""
        pending = self._pending[call_id]
        while not pending.done.wait(max(0.0, pending.active_at + deadline - time.monotonic())):
            if time.monotonic() - pending.active_at >= deadline:
                self._kill(unresponsive_error(deadline))
        self._pending.pop(call_id, None)
        if pending.error is not None:
            raise pending.error
        return (pending.value if pending.pages is None else pending.pages), pending.region

    def pages(self, call_id: int, deadline: float) -> Generator[object, None, str | None]:
        """The pages of paged call `call_id` as they arrive, then its region (the value of
        StopIteration). Raises as `wait` does; a page the worker sent is never missed."""
        pending = self._pending[call_id]
        taken = 0
        try:
            while True:
                pending.arrived.clear()
                done = pending.done.is_set()  # first: every page comes before the end
                fresh = (pending.pages or [])[taken:]
                taken += len(fresh)
                yield from fresh
                if done:
                    break
                left = pending.active_at + deadline - time.monotonic()
                if not pending.arrived.wait(max(0.0, left)) and (
                    time.monotonic() - pending.active_at >= deadline
                ):
                    self._kill(unresponsive_error(deadline))
        finally:  # read to the end, or dropped (a reload): its later pages are not kept
            self._pending.pop(call_id, None)
        if pending.error is not None:
            raise pending.error
        return pending.region

    def _claim(
        self, connection: Connection, request: Request[Any], listener: RetryListener | None
    ) -> int | None:
        """The prefetched call that answers this one, once, while it is fresh."""
        if not self._prefetched:
            return None
        found = self._prefetched.pop((connection, request), None)
        if found is None or time.monotonic() - found[1] > self.prefetch_fresh:
            return None
        pending = self._pending.get(found[0])
        if pending is None:
            return None
        pending.listener = listener
        return found[0]

    def close(self) -> None:
        """End the worker: it exits when its end of the pipe closes. The app is closing,
        so calls in flight fail at once and later ones are refused: a thread waiting out
        its call (a slow or retried one) would hold the process open after q."""
        self.closed = True
        self.alive = False
        with contextlib.suppress(OSError), self._write_lock:
            self._out.close()
        self._stopped(closed_error())

    def _send(self, data: bytes) -> None:
        if not self.alive:
            raise OSError("the service worker has stopped")
        with self._write_lock:
            write(self._out, data)

    def _read_replies(self, stream: IO[bytes]) -> None:
        try:
            while (message := read(stream)) is not None:
                pending = self._pending.get(getattr(message, "id", -1))
                if pending is None:
                    continue
                pending.active_at = time.monotonic()
                if isinstance(message, Retry):
                    if pending.listener is not None:
                        with contextlib.suppress(Exception):
                            pending.listener(
                                message.operation, message.attempt, message.max_attempts
                            )
                elif isinstance(message, Page):
                    if pending.pages is not None:
                        pending.pages.append(message.items)
                        pending.arrived.set()
                elif isinstance(message, Reply | Failure):
                    if message.clock_skew is not None and pending.connection is not None:
                        self.clock_skews[pending.connection] = message.clock_skew
                    if isinstance(message, Reply):
                        pending.value, pending.region = message.value, message.region
                    else:
                        pending.error, pending.region = message.error, message.region
                    pending.done.set()
                    pending.arrived.set()
        except Exception:  # a broken pipe or frame: the worker is as good as gone
            pass
        self._stopped(self.stop_reason or stopped_error())
        with contextlib.suppress(Exception):
            stream.close()
        self._reap()

    def _reap(self) -> None:
        """Collect the exited worker, so that it is not left <defunct> while the app runs."""
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)

    def _kill(self, reason: WorkerStopped) -> None:
        """Stop a worker that no longer answers (a stopped process is killed all the same)."""
        if self.stop_reason is None:
            self.stop_reason = reason
        with contextlib.suppress(OSError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self._stopped(reason)

    def _stopped(self, reason: WorkerStopped) -> None:
        """Fail every call in flight; later calls run in the UI process."""
        self.alive = False
        for pending in list(self._pending.values()):
            if not pending.done.is_set():
                pending.error = WorkerStopped(
                    reason.code, reason.message, hint=reason.hint, region=reason.region
                )
                pending.done.set()
                pending.arrived.set()


class WorkerBackend:
    """A Backend whose calls the service worker makes, or this process once it has gone."""

    def __init__(
        self, connection: Connection, worker: ServiceWorker, *, deadline: float | None = None
    ) -> None:
        self.connection = connection
        self.worker = worker
        self.deadline = deadline or connection.retry.longest_call + DEADLINE_MARGIN
        self._local = threading.local()
        self._region: str | None = connection.region
        self._in_process: MediaPackageService | None = None

    @property
    def region(self) -> str | None:
        return self._region

    @property
    def profile(self) -> str | None:
        return self.connection.profile

    @property
    def clock_skew(self) -> float | None:
        if self._in_process is not None and self._in_process.clock_skew is not None:
            return self._in_process.clock_skew  # the worker has gone: this process calls
        return self.worker.clock_skews.get(self.connection)

    @contextlib.contextmanager
    def retries_reported_to(self, listener: RetryListener) -> Iterator[None]:
        previous = getattr(self._local, "listener", None)
        self._local.listener = listener
        try:
            yield
        finally:
            self._local.listener = previous

    def begin(self, request: Request[T]) -> Callable[[], T]:
        """Send the call to the worker now; the returned function waits for its answer."""
        if self.worker.closed:
            return self._refused
        if not self.worker.alive:
            return lambda: self._here(request)
        listener = getattr(self._local, "listener", None)
        call_id = self.worker.submit(self.connection, request, listener)
        return _Begun(self, call_id, request)

    @staticmethod
    def _refused() -> Any:
        raise closed_error()

    def _here(self, request: Request[T]) -> T:
        """`request` made in this process (the worker has gone)."""
        if self._in_process is None:
            from harvest_tui.service import MediaPackageService

            self._in_process = MediaPackageService(self.connection)
        service = self._in_process
        listener = getattr(self._local, "listener", None)
        with service.retries_reported_to(listener) if listener else contextlib.nullcontext():
            try:
                return request.run(service)
            finally:
                self._region = service.region or self._region

    @staticmethod
    def _goes_on_here(error: ServiceError, request: Request[Any]) -> bool:
        """Whether `request` is made again in this process: a read, on a worker that was
        stopped for not answering (loading goes on)."""
        return (
            isinstance(error, WorkerStopped)
            and error.code == "WorkerUnresponsive"
            and request.reads
        )

    def _place(self, error: ServiceError) -> None:
        """A stopped worker's error gets this backend's profile and region; the region a
        service error names becomes this backend's."""
        if isinstance(error, WorkerStopped):
            error.profile, error.region = self.profile, self.region
        elif error.region:
            self._region = error.region

    def _answer(self, call_id: int, request: Request[T]) -> T:
        try:
            value, region = self.worker.wait(call_id, self.deadline)
        except ServiceError as error:
            if self._goes_on_here(error, request):
                return self._here(request)
            self._place(error)
            raise
        self._region = region or self._region
        if isinstance(request, PagedRequest):
            assert isinstance(value, list)
            return request.combine(value)
        return value  # type: ignore[return-value]

    def _call(self, request: Request[T]) -> T:
        return self.begin(request)()

    # The Backend's operations, each a Request made through the worker.

    def list_channel_groups(self) -> list[ChannelGroup]:
        return self._call(ListChannelGroups())

    def list_channels(self, group: str) -> list[Channel]:
        return self._call(ListChannels(group))

    def list_origin_endpoints(self, group: str, channel: str) -> list[OriginEndpoint]:
        return self._call(ListOriginEndpoints(group, channel))

    def list_harvest_jobs(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> list[HarvestJob]:
        return self._call(ListHarvestJobs(group, channel, endpoint, status))

    def iter_harvest_job_pages(
        self,
        group: str,
        *,
        channel: str | None = None,
        endpoint: str | None = None,
        status: JobStatus | None = None,
    ) -> Iterator[list[HarvestJob]]:
        """Each page as the worker reads it (the jobs table shows them as they come)."""
        request = ListHarvestJobs(group, channel, endpoint, status)
        if self.worker.closed:
            self._refused()
        if not self.worker.alive:
            yield request.run(self)  # in this process, as every call once the worker has gone
            return
        listener = getattr(self._local, "listener", None)
        call_id = self.worker.submit(self.connection, request, listener)
        pages = self.worker.pages(call_id, self.deadline)
        shown = False
        try:
            while True:
                try:
                    page = next(pages)
                except StopIteration as end:
                    region = end.value
                    break
                yield request.combine([page])
                shown = True
        except ServiceError as error:
            if not shown and self._goes_on_here(error, request):
                yield self._here(request)  # (pages shown already would come twice)
                return
            self._place(error)
            raise
        self._region = region or self._region

    def get_channel_group(self, group: str) -> ChannelGroup:
        return self._call(GetChannelGroup(group))

    def get_channel(self, group: str, channel: str) -> Channel:
        return self._call(GetChannel(group, channel))

    def get_origin_endpoint(self, group: str, channel: str, endpoint: str) -> OriginEndpoint:
        return self._call(GetOriginEndpoint(group, channel, endpoint))

    def get_harvest_job(self, group: str, channel: str, endpoint: str, name: str) -> HarvestJob:
        return self._call(GetHarvestJob((group, channel, endpoint, name)))

    def list_tags(self, arn: str) -> dict[str, str]:
        return self._call(ListTags(arn))

    def cancel_harvest_job(self, job: HarvestJob) -> None:
        self._call(CancelHarvestJob(job))

    def create_harvest_job(
        self,
        group: str,
        channel: str,
        endpoint: str,
        *,
        manifests: HarvestedManifests,
        start: datetime,
        end: datetime,
        bucket: str,
        path: str,
        name: str | None = None,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        client_token: str | None = None,
    ) -> HarvestJob:
        spec = JobSpec(
            group, channel, endpoint, manifests, start, end, bucket, path,
            name, description, tags, client_token,
        )  # fmt: skip
        return self._call(CreateHarvestJob(spec))


class _Begun(Generic[T]):
    """A call sent to the worker: calling it waits for the answer; `ready()` says
    whether the answer is in (backend.answered)."""

    __slots__ = ("backend", "call_id", "request")

    def __init__(self, backend: WorkerBackend, call_id: int, request: Request[T]) -> None:
        self.backend, self.call_id, self.request = backend, call_id, request

    def __call__(self) -> T:
        return self.backend._answer(self.call_id, self.request)

    def ready(self) -> bool:
        return self.backend.worker.answered(self.call_id, 0)
