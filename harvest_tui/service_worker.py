"""The service worker: boto3 in a process of its own, beside the UI.

Importing botocore and building a client cost about 120 ms of CPU, as much as
Textual's whole start-up, and parsing a page of 100 jobs a few ms more, all under
the one GIL the interface needs to paint. In a second process that work runs on
another core: the first frame and the first data stop waiting for each other, and
a long list never stalls a key press.

`harvest-tui` starts the worker (``python -m harvest_tui.service_worker``) before
it imports Textual. The UI calls a RemoteService (remote_service.py), which has
MediaPackageService's methods; each call travels as a frame (a 4-byte length, then
a pickle) on the worker's stdin, runs there on a thread of its own through the same
MediaPackageService code, and comes back on its stdout as the models or the
ServiceError. Retries are reported as they happen. Pickle is safe here: both ends
are this program, on pipes only they hold.

If the worker cannot start, or stops, calls run in the UI process as before.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import os
import pickle
import struct
import sys
import threading
import time
from typing import IO, TYPE_CHECKING, Any

from harvest_tui.errors import ServiceError, WorkerStopped

if TYPE_CHECKING:
    import subprocess

    from harvest_tui.service import Connection, MediaPackageService, RetryListener

_HEADER = struct.Struct("!I")
PREFETCH_FRESH_SECONDS = 30.0  # an older prefetched answer is not used: the call is made again


def _frame(message: Any) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


def _write(out: IO[bytes], frame: bytes) -> None:
    out.write(frame)
    out.flush()


def _read(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


# -- the UI's side ----------------------------------------------------------------


class _Pending:
    """A call in flight: its answer (or error) once `done` is set."""

    __slots__ = ("done", "listener", "ok", "pages", "region", "value")

    def __init__(self, listener: RetryListener | None, *, streamed: bool = False) -> None:
        self.listener = listener
        self.done = threading.Event()
        self.ok = False
        self.value: Any = None
        self.region: str | None = None
        self.pages: list[Any] | None = [] if streamed else None


class ServiceWorker:
    """The UI's handle on the worker process: thread-safe, shared by every RemoteService."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdin is not None and proc.stdout is not None
        self.proc = proc
        self._out = proc.stdin
        self._write_lock = threading.Lock()
        self._pending: dict[int, _Pending] = {}
        self._prefetched: dict[tuple[Any, ...], tuple[int, float]] = {}
        self._ids = itertools.count(1)
        self.alive = True
        self._reader = threading.Thread(
            target=self._read_replies, args=(proc.stdout,), name="service-worker", daemon=True
        )
        self._reader.start()

    @classmethod
    def start(cls) -> ServiceWorker | None:
        """Start the worker; None if it cannot be started (calls then run in-process).

        A new interpreter rather than a fork: a fork shares the UI's memory copy-on-write,
        and the UI then pays a page fault for most pages it writes during its start-up.
        """
        import subprocess

        if not sys.executable:
            return None
        try:
            proc = subprocess.Popen(
                # -P: not the current directory first on sys.path (as -m would put it):
                # a boto3.py or harvest_tui/ where the user happens to be is not imported.
                [sys.executable, "-P", "-m", "harvest_tui.service_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # never the terminal: stray output corrupts the UI
                start_new_session=True,  # the terminal's signals are the UI's to handle
            )
        except OSError:
            return None
        return cls(proc)

    def configure(self, *, debug_log: bool) -> None:
        """Apply the settings that concern the worker (sent once the config is read)."""
        with contextlib.suppress(OSError):
            self._send(("setup", 0, {"debug_log": debug_log}))

    def prefetch(self, connection: Connection, method: str, *args: Any) -> None:
        """Make now a call the UI is certain to make; the UI's call then takes its answer.

        `harvest-tui` lists each region's channel groups this way as soon as it has read
        the config, so that the request goes out while Textual is still starting.
        """
        call_id = self._send_call(connection, method, args, {}, None)
        self._prefetched[(connection, method, args)] = (call_id, time.monotonic())

    def submit(
        self,
        connection: Connection,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        listener: RetryListener | None = None,
    ) -> int:
        """Send a call now (or take its prefetched twin); wait() for its answer with the
        number this returns."""
        claimed = self._claim(connection, method, args, kwargs, listener)
        if claimed is not None:
            return claimed
        return self._send_call(connection, method, args, kwargs, listener)

    def _send_call(
        self,
        connection: Connection,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        listener: RetryListener | None,
    ) -> int:
        from harvest_tui.remote_service import STREAMED

        call_id = next(self._ids)
        self._pending[call_id] = _Pending(listener, streamed=method in STREAMED)
        try:
            self._send(("call", call_id, (connection, method, args, kwargs)))
        except OSError:
            self._stopped()
        return call_id

    def wait(self, call_id: int) -> tuple[Any, str | None]:
        """(the result, or the pages of a streamed call; the region the worker's client
        resolved); raises its ServiceError."""
        pending = self._pending[call_id]
        pending.done.wait()
        self._pending.pop(call_id, None)
        if not pending.ok:
            raise pending.value
        return (pending.value if pending.pages is None else pending.pages), pending.region

    def _claim(
        self,
        connection: Connection,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        listener: RetryListener | None,
    ) -> int | None:
        """The prefetched call that answers this one, once, while it is fresh."""
        if kwargs or not self._prefetched:
            return None
        found = self._prefetched.pop((connection, method, args), None)
        if found is None or time.monotonic() - found[1] > PREFETCH_FRESH_SECONDS:
            return None
        pending = self._pending.get(found[0])
        if pending is None:
            return None
        pending.listener = listener
        return found[0]

    def close(self) -> None:
        """End the worker: it exits when its end of the pipe closes."""
        self.alive = False
        with contextlib.suppress(OSError), self._write_lock:
            self._out.close()

    def _send(self, message: Any) -> None:
        if not self.alive:
            raise OSError("the service worker has stopped")
        frame = _frame(message)
        with self._write_lock:
            _write(self._out, frame)

    def _read_replies(self, stream: IO[bytes]) -> None:
        try:
            while (message := _read(stream)) is not None:
                kind, call_id, payload = message
                pending = self._pending.get(call_id)
                if pending is None:
                    continue
                if kind == "retry":
                    if pending.listener is not None:
                        with contextlib.suppress(Exception):
                            pending.listener(*payload)
                    continue
                if kind == "page":
                    if pending.pages is not None:
                        pending.pages.append(payload)
                    continue
                pending.value, pending.region = payload
                pending.ok = kind == "ok"
                pending.done.set()
        except Exception:  # a broken pipe or frame: the worker is as good as gone
            pass
        self._stopped()
        with contextlib.suppress(Exception):
            stream.close()

    def _stopped(self) -> None:
        """Fail every call in flight; later calls run in the UI process."""
        self.alive = False
        for pending in list(self._pending.values()):
            if not pending.done.is_set():
                pending.value = WorkerStopped(
                    "WorkerStopped",
                    "The background process that talks to AWS stopped during this call.",
                    hint="Press r to retry: calls now run in the app's own process.",
                )
                pending.done.set()


# -- the worker's side ----------------------------------------------------------------


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer calls until `requests` ends. Each call runs on a thread of its own."""
    from concurrent.futures import ThreadPoolExecutor

    from harvest_tui.remote_service import REMOTE_METHODS, STREAMED
    from harvest_tui.service import DEFAULT_POOL, MediaPackageService

    services: dict[Connection, MediaPackageService] = {}
    services_lock = threading.Lock()
    write_lock = threading.Lock()

    def reply(kind: str, call_id: int, payload: Any) -> None:
        try:
            frame = _frame((kind, call_id, payload))
        except Exception as exc:  # an answer that cannot travel is an error, not a hang
            error = ServiceError("InternalError", f"The answer could not be sent back: {exc}")
            frame = _frame(("error", call_id, (error, None)))
        with write_lock:
            _write(replies, frame)

    def service_for(connection: Connection) -> MediaPackageService:
        with services_lock:
            service = services.get(connection)
            if service is None:
                service = services[connection] = MediaPackageService(connection)
            return service

    def run(call_id: int, connection: Connection, method: str, args: Any, kwargs: Any) -> None:
        service = service_for(connection)

        def on_retry(operation: str, attempt: int, max_attempts: int) -> None:
            reply("retry", call_id, (operation, attempt, max_attempts))

        try:
            if method not in REMOTE_METHODS:
                raise ServiceError("InvalidCall", f"The worker makes no {method!r} call.")
            with service.retries_reported_to(on_retry):
                if method in STREAMED:
                    for page in getattr(service, STREAMED[method][0])(*args, **kwargs):
                        reply("page", call_id, page)
                    value = None
                else:
                    value = getattr(service, method)(*args, **kwargs)
        except Exception as exc:
            from harvest_tui.errors import translate

            error = exc if isinstance(exc, ServiceError) else translate(exc)
            reply("error", call_id, (error, service.region))
        else:
            reply("ok", call_id, (value, service.region))
        if not gc.isenabled():  # the first call is answered: what exists now lives on
            gc.freeze()
            gc.enable()

    with ThreadPoolExecutor(max_workers=DEFAULT_POOL, thread_name_prefix="call") as pool:
        while (message := _read(requests)) is not None:
            kind, call_id, payload = message
            if kind == "setup":
                from harvest_tui import debug_log

                debug_log.setup(payload["debug_log"])
            elif kind == "call":
                pool.submit(run, call_id, *payload)
        # The UI has gone: calls still in flight have nobody to answer.
        os._exit(0)


def run_worker(requests: IO[bytes], replies: IO[bytes]) -> None:
    """The worker process: load boto3 at once (the first call will need it), then serve."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # As in the app: importing botocore and building the first client allocate objects
    # that all live on; collecting resumes once the first call is answered.
    gc.disable()
    from harvest_tui.service import preload

    preload()
    serve(requests, replies)


def main() -> None:
    """A spawned worker (`python -m harvest_tui.service_worker`): the protocol on stdin
    and stdout, which is then pointed at stderr so that nothing else can write to it."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    run_worker(sys.stdin.buffer, replies)


if __name__ == "__main__":
    main()
