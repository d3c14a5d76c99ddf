"""The worker process: answers `Call`s on stdin with replies on stdout.

Each call runs on a thread of its own through the same MediaPackageService code the
app would run in-process. The worker has no terminal (stderr goes nowhere), ignores
Ctrl-C (the terminal's signals are the UI's), and exits when its input ends.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
from typing import IO, TYPE_CHECKING

from harvest_tui.errors import ServiceError, translate
from harvest_tui.worker.protocol import (
    Call,
    Failure,
    FromWorker,
    Page,
    Reply,
    Retry,
    Setup,
    frame,
    read,
    write,
)

if TYPE_CHECKING:
    from harvest_tui.service import Connection, MediaPackageService


# Calls the worker makes at once, across every connection. Each waits on the network
# almost all its time: the fleet view's 60 profile-regions make 240 calls, which at 16
# at once took 15 round trips (2.8 s at 150 ms each). At 64 at once its 180 job lists
# still took three rounds after the 60 group lists; at 256 they go in one, and the
# calls' own CPU is the bound. Threads start only when calls need them.
CALLS_AT_ONCE = 256


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer calls until `requests` ends."""
    from concurrent.futures import ThreadPoolExecutor

    from harvest_tui.backend import PagedRequest, Request
    from harvest_tui.service import MediaPackageService

    services: dict[Connection, MediaPackageService] = {}
    services_lock = threading.Lock()
    write_lock = threading.Lock()

    def reply(message: FromWorker) -> None:
        try:
            data = frame(message)
        except Exception as exc:  # an answer that cannot travel is an error, not a hang
            error = ServiceError("InternalError", f"The answer could not be sent back: {exc}")
            data = frame(Failure(message.id, error, None))
        with write_lock:
            write(replies, data)

    def service_for(connection: Connection) -> tuple[MediaPackageService, bool]:
        """The connection's service, and whether this call made it."""
        with services_lock:
            service = services.get(connection)
            if service is None:
                service = services[connection] = MediaPackageService(connection)
                return service, True
            return service, False

    def run(call: Call) -> None:
        service, new = service_for(call.connection)
        request = call.request

        def on_retry(operation: str, attempt: int, max_attempts: int) -> None:
            reply(Retry(call.id, operation, attempt, max_attempts))

        try:
            if not isinstance(request, Request):
                raise ServiceError("InvalidCall", f"The worker makes no {request!r} call.")
            with service.retries_reported_to(on_retry):
                if isinstance(request, PagedRequest):
                    for page in request.pages(service):
                        reply(Page(call.id, page))
                    value = None
                else:
                    value = request.run(service)
        except Exception as exc:
            error = exc if isinstance(exc, ServiceError) else translate(exc)
            reply(Failure(call.id, error, service.region, service.clock_skew))
        else:
            reply(Reply(call.id, value, service.region, service.clock_skew))
        if new:
            # A new connection's first call is answered (the very first call's too, with
            # boto3 loaded): its client, a few thousand objects of model, endpoint rules and
            # handlers, lives as long as the worker. Frozen, the collector no longer walks
            # it again and again: the fleet's 60 clients made each full collection cost
            # tens of ms. (Collecting is off until the first call: run_worker.)
            gc.freeze()
            gc.enable()

    with ThreadPoolExecutor(max_workers=CALLS_AT_ONCE, thread_name_prefix="call") as pool:
        while (message := read(requests)) is not None:
            if isinstance(message, Setup):
                from harvest_tui import debug_log

                debug_log.setup(message.debug_log)
            elif isinstance(message, Call):
                pool.submit(run, message)
        # The UI has gone: calls still in flight have nobody to answer.
        os._exit(0)


def run_worker(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Load boto3 at once (the first call will need it), then serve."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # As in the app: importing botocore and building the first client allocate objects
    # that all live on; collecting resumes once the first call is answered.
    gc.disable()
    from harvest_tui.service import preload

    preload()
    serve(requests, replies)


def main() -> None:
    """A spawned worker: the protocol on stdin and stdout, which is then pointed at
    stderr so that nothing else can write to it."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    run_worker(sys.stdin.buffer, replies)
