"""The HTTP side: a loopback rest-json endpoint that boto3 and the AWS CLI talk to.

`Sandbox` runs a ThreadingHTTPServer (HTTP/1.1 keep-alive, so botocore's pool
reuses connections) in a daemon thread. Each request is routed, bound, checked
for faults, validated and handled generically from the service model; the store
lock serializes handlers. Nothing is logged unless `quiet=False`, since stray
output would corrupt a TUI.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from harvest_tui.sandbox import errors
from harvest_tui.sandbox.clock import Clock, SystemClock
from harvest_tui.sandbox.demo import populate_demo
from harvest_tui.sandbox.faults import Fault, Faults
from harvest_tui.sandbox.handlers import HANDLERS, MISSING_OVERRIDES, channel_group_of
from harvest_tui.sandbox.model import bind_input, match_route
from harvest_tui.sandbox.records import ACCOUNT_ID, arn
from harvest_tui.sandbox.shapes import serialize_error, serialize_output, validate_input
from harvest_tui.sandbox.store import Store

Response = tuple[int, dict[str, str], bytes]
DEBUG_PREFIX = "/__sandbox/"  # the debug routes' namespace: no MediaPackage path starts so
DataFn = Callable[[Store, int], None]


_SESSION_LOCK = threading.Lock()


@functools.cache
def _botocore_session() -> Any:
    import botocore.session

    return botocore.session.get_session()


class Sandbox:
    """A local MediaPackage v2 endpoint. `start()` returns self; also a context manager."""

    def __init__(
        self,
        seed: int = 7,
        clock: Clock | None = None,
        faults: Faults | None = None,
        data: str | DataFn = "demo",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        quiet: bool = True,
        debug_routes: bool = False,
    ) -> None:
        self.seed = seed
        self.debug_routes = debug_routes
        self.clock: Clock = clock or SystemClock()
        self.faults = faults or Faults(seed=seed)
        self.store = Store(self.clock, secret=f"harvest-tui-sandbox-{seed}".encode())
        self.quiet = quiet
        self.host, self.port = host, port
        self.request_counts: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.internal_errors: list[str] = []  # tracebacks of sandbox bugs (answered 500)
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if data == "demo":
            populate_demo(self.store, seed)
        elif callable(data):
            data(self.store, seed)
        elif data != "empty":
            raise ValueError(f"data must be 'demo', 'empty' or a callable, not {data!r}")

    # -- lifecycle ----------------------------------------------------------------

    def bind(self) -> Sandbox:
        """Open the listening socket (so endpoint_url is known) without serving yet."""
        if self._server is None:
            self._server = _Server((self.host, self.port), _Handler)
            self._server.sandbox = self
        return self

    def start(self) -> Sandbox:
        """Serve from a daemon thread; returns self."""
        if self._thread is None:
            server = self.bind()._server
            assert server is not None
            self._thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},  # so stop() returns at once
                name="harvest-tui-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            if self._thread is not None:
                self._server.shutdown()
                self._thread.join()
            self._server.server_close()
            self._server.close_connections()
            self._server = self._thread = None

    def serve_forever(self) -> None:
        """Serve in the calling thread (the standalone command) until interrupted."""
        server = self.bind()._server
        assert server is not None
        try:
            server.serve_forever()
        finally:
            server.server_close()
            server.close_connections()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted so far (keep-alive makes this small)."""
        return self._server.accepted if self._server is not None else 0

    def client(self, **config: Any) -> Any:
        """A botocore mediapackagev2 client for this sandbox: dummy keys, retries off."""
        from botocore.config import Config

        with _SESSION_LOCK:
            return _botocore_session().create_client(
                "mediapackagev2",
                endpoint_url=self.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id="sandbox",
                aws_secret_access_key="sandbox",
                config=Config(**{"retries": {"total_max_attempts": 1}, **config}),
            )

    # -- request log ----------------------------------------------------------------

    def reset_requests(self) -> None:
        with self._log_lock:
            self.request_counts.clear()
            self.requests.clear()

    def _record(self, operation: str, params: dict[str, Any]) -> None:
        with self._log_lock:
            self.request_counts[operation] += 1
            self.requests.append((operation, params))

    # -- debug routes: not part of the MediaPackage API ---------------------------------

    def debug(self, method: str, path: str, client_host: str) -> Response:
        """GET /__sandbox/requests: request counts by operation; POST /__sandbox/reset
        clears them (answering the counts before). Loopback clients only, and only with
        debug_routes=True (`--debug-routes`); never counted as requests."""
        import ipaddress
        import json

        def answer(status: int, body: dict[str, Any]) -> Response:
            return status, {}, json.dumps(body, sort_keys=True).encode()

        try:
            loopback = ipaddress.ip_address(client_host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            return answer(403, {"message": "debug routes answer loopback clients only"})
        route = path.partition("?")[0]
        with self._log_lock:
            counts = dict(self.request_counts)
            if (method, route) == ("POST", DEBUG_PREFIX + "reset"):
                self.request_counts.clear()
                self.requests.clear()
            elif (method, route) != ("GET", DEBUG_PREFIX + "requests"):
                return answer(404, {"message": f"no debug route {method} {route}"})
        return answer(200, {"counts": counts, "total": sum(counts.values())})

    # -- one request ------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        """The response to one HTTP request, or None to drop the connection."""
        try:
            return self._handle(method, target, headers, body)
        except errors.ApiError as exc:
            return serialize_error(exc)
        except Exception:
            self.internal_errors.append(traceback.format_exc())
            if not self.quiet:
                traceback.print_exc(file=sys.stderr)
            return serialize_error(errors.internal())

    def _handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        path, _, raw_query = target.partition("?")
        query = parse_qs(raw_query, keep_blank_values=True)
        matched = match_route(method, path, query)
        if matched is None:
            self._record("UnknownOperation", {"method": method, "path": path})
            raise errors.unknown_operation(method, path)
        op, labels = matched
        try:
            params = bind_input(op, labels, query, headers, body)
        except errors.ApiError:
            self._record(op.name, {})
            raise
        self._record(op.name, params)
        group = channel_group_of(params)
        fault = self.faults.decide(op.name, group)
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        if fault is Fault.DROP:
            return None
        if fault is Fault.DENY:
            resource = params.get("ResourceArn") or arn(f"channelGroup/{group}")
            raise errors.access_denied(
                f"User: arn:aws:iam::{ACCOUNT_ID}:user/sandbox is not authorized to perform: "
                f"mediapackagev2:{op.name} on resource: {resource} with an explicit deny "
                "in an identity-based policy"
            )
        if fault is Fault.THROTTLE:
            raise errors.throttling()
        if fault is Fault.ERROR:
            raise errors.internal()
        handler = HANDLERS.get(op.name)
        if handler is None:
            raise errors.not_implemented(op.name)
        validate_input(op, params, MISSING_OVERRIDES.get(op.name))
        with self.store.lock:
            result = handler(self.store, params)
        return serialize_output(op, result)


class _Server(ThreadingHTTPServer):
    """Tracks its connections so that stop() can end idle keep-alive ones too."""

    daemon_threads = True
    allow_reuse_address = True
    sandbox: Sandbox

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self.accepted = 0

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
            self.accepted += 1
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            still_open = list(self._open)
        for sock in still_open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not self.sandbox.quiet:  # e.g. a client that hung up mid-response
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait for a delayed ACK
    wbufsize = -1  # headers and body leave in one write; flushed after each request
    timeout = 300  # idle keep-alive connections end eventually
    server: _Server

    def version_string(self) -> str:
        return "harvest-tui-sandbox"

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        sandbox = self.server.sandbox
        response: Response | None
        if sandbox.debug_routes and self.path.startswith(DEBUG_PREFIX):
            response = sandbox.debug(self.command, self.path, self.client_address[0])
        else:
            response = sandbox.handle(self.command, self.path, dict(self.headers), body)
        if response is None:
            self.close_connection = True
            return
        status, headers, payload = response
        self.send_response(status)
        headers = {
            "x-amzn-RequestId": str(uuid.uuid4()),
            "Content-Type": "application/json",
            "Content-Length": str(len(payload)),
            **headers,
        }
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.sandbox.quiet:
            super().log_message(format, *args)
