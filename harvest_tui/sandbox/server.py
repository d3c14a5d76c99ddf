"""The HTTP side: a loopback rest-json endpoint that boto3 and the AWS CLI talk to.

`Sandbox` runs a ThreadingHTTPServer (HTTP/1.1 keep-alive, so botocore's pool
reuses connections) in a daemon thread. Each request is routed, bound, checked
for faults, validated and handled generically from the service model; the store
lock serializes handlers (only the handler itself: reading, parsing, validating
and writing run outside it). Nothing is logged unless `quiet=False`, since stray
output would corrupt a TUI.

The server takes what a shared loopback endpoint meets: hundreds of clients at once
(a deep listen backlog, a thread per connection), bodies framed by Content-Length
or chunked (each capped at MAX_BODY_BYTES), and anything malformed, from a bad
Content-Length to an HTTP method no operation uses, answered with a JSON error in
the service's shape. The request log is bounded and keeps only small scalar
parameters of requests that passed validation.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from harvest_tui.sandbox import errors
from harvest_tui.sandbox.clock import Clock, SystemClock
from harvest_tui.sandbox.demo import EU_REGION, populate_demo, populate_demo_eu
from harvest_tui.sandbox.faults import Fault, Faults
from harvest_tui.sandbox.handlers import HANDLERS, MISSING_OVERRIDES, channel_group_of
from harvest_tui.sandbox.model import bind_input, match_route, serialization_error
from harvest_tui.sandbox.records import ACCOUNT_ID, REGION, arn
from harvest_tui.sandbox.shapes import check_input, serialize_error, serialize_output
from harvest_tui.sandbox.store import Store

Response = tuple[int, dict[str, str], bytes]
DEBUG_PREFIX = "/__sandbox/"  # the debug routes' namespace: no MediaPackage path starts so
DataFn = Callable[[Store, int], None]
MAX_BODY_BYTES = 1 << 20  # far above any real request (a policy is at most 6 KiB)
REQUEST_LOG_SIZE = 10_000  # recent requests kept in Sandbox.requests
LOGGED_TEXT_CHARS = 256  # names, tokens and ETags fit; documents and blobs don't
INTERNAL_ERRORS_KEPT = 100
MAX_STORES = 100  # (account, region) pairs served; each holds its own demo data
_DIGITS = re.compile(r"[0-9]{1,19}", re.ASCII)
_CREDENTIAL = re.compile(
    r"Credential=([A-Za-z0-9]*)/[0-9]{8}/([a-z]{2}(?:-[a-z]+)+-[0-9]{1,2})/", re.ASCII
)
_ACCOUNT_SUFFIX = re.compile(r"[0-9]{12}\Z", re.ASCII)
_HEX = re.compile(r"[0-9A-Fa-f]{1,16}", re.ASCII)


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
        every_region: bool = False,
    ) -> None:
        """`every_region`: every region of an account holds what its us-east-1 holds (a
        fleet of many regions, for the fleet benchmark)."""
        self.seed = seed
        self.every_region = every_region
        self.debug_routes = debug_routes
        self.clock: Clock = clock or SystemClock()
        self.faults = faults or Faults(seed=seed)
        if not (data in ("demo", "empty") or callable(data)):
            raise ValueError(f"data must be 'demo', 'empty' or a callable, not {data!r}")
        self.data = data
        self._stores: dict[tuple[str, str], Store] = {}
        self._stores_lock = threading.Lock()
        self.quiet = quiet
        self.host, self.port = host, port
        self.request_counts: Counter[str] = Counter()
        self._requests: deque[tuple[str, dict[str, Any]]] = deque(maxlen=REQUEST_LOG_SIZE)
        self.internal_errors: list[str] = []  # tracebacks of sandbox bugs (answered 500)
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.store = self.store_for(ACCOUNT_ID, REGION)

    # -- accounts and regions -------------------------------------------------------

    def store_for(self, account: str, region: str) -> Store:
        """The resources of `account` in `region`, made on first use: `data` fills each
        account's us-east-1 (the demo account from `seed`, others from a hash of the
        account, so each differs), demo data adds a small eu-west-1 set, and other
        regions start empty."""
        with self._stores_lock:
            found = self._stores.get((account, region))
            if found is not None:
                return found
            if len(self._stores) >= MAX_STORES:
                raise errors.ApiError(
                    "UnrecognizedClientException",
                    f"The sandbox serves at most {MAX_STORES} account and region pairs.",
                    status=403,
                )
            seed = self.seed if account == ACCOUNT_ID else _account_seed(self.seed, account)
            secret = f"harvest-tui-sandbox-{seed}"
            if (account, region) != (ACCOUNT_ID, REGION):
                secret += f"-{account}-{region}"
            store = Store(self.clock, secret=secret.encode(), region=region, account=account)
            filled_like_home = region == REGION or self.every_region
            if filled_like_home and self.data == "demo":
                populate_demo(store, seed)
            elif filled_like_home and callable(self.data):
                self.data(store, seed)
            elif region == EU_REGION and self.data == "demo":
                populate_demo_eu(store, seed)
            self._stores[(account, region)] = store
            return store

    def stores(self) -> dict[tuple[str, str], Store]:
        """Every (account, region) → Store made so far."""
        with self._stores_lock:
            return dict(self._stores)

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
        self.faults.release()  # no handler left waiting on a hold
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

    def client(self, *, region: str = REGION, access_key: str = "sandbox", **config: Any) -> Any:
        """A botocore mediapackagev2 client for this sandbox: dummy keys, retries off.
        An `access_key` ending in 12 digits names another account."""
        from botocore.config import Config

        with _SESSION_LOCK:
            return _botocore_session().create_client(
                "mediapackagev2",
                endpoint_url=self.endpoint_url,
                region_name=region,
                aws_access_key_id=access_key,
                aws_secret_access_key="sandbox",
                config=Config(**{"retries": {"total_max_attempts": 1}, **config}),
            )

    # -- request log ----------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        """The last REQUEST_LOG_SIZE requests that passed validation, oldest first, as
        (operation, params) with only the scalar params (names, MaxResults, ClientToken,
        ETag, ...); a copy."""
        with self._log_lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        with self._log_lock:
            self.request_counts.clear()
            self._requests.clear()

    def _count(self, operation: str) -> None:
        with self._log_lock:
            self.request_counts[operation] += 1

    def _record(self, operation: str, params: dict[str, Any]) -> None:
        kept = {
            k: v
            for k, v in params.items()
            if isinstance(v, int) or (isinstance(v, str) and len(v) <= LOGGED_TEXT_CHARS)
        }
        with self._log_lock:
            self._requests.append((operation, kept))

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
                self._requests.clear()
            elif (method, route) != ("GET", DEBUG_PREFIX + "requests"):
                return answer(404, {"message": f"no debug route {method} {route}"})
        return answer(200, {"counts": counts, "total": sum(counts.values())})

    # -- one request ------------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        """The response to one HTTP request, or None to drop the connection.

        The latency is the whole call's, as a client far from its region sees it: the
        answer leaves `latency_ms` after the request came in, however long it took to make
        (a real service's work runs on its own machines, inside the round trip; here it
        would otherwise be added to it, on the client's cores)."""
        answer_at = time.monotonic() + self.faults.latency_ms / 1000
        try:
            return self._handle(method, target, headers, body)
        except errors.ApiError as exc:
            return serialize_error(exc)
        except Exception:
            if len(self.internal_errors) < INTERNAL_ERRORS_KEPT:
                self.internal_errors.append(traceback.format_exc())
            if not self.quiet:
                traceback.print_exc(file=sys.stderr)
            return serialize_error(errors.internal())
        finally:
            if (wait := answer_at - time.monotonic()) > 0:
                time.sleep(wait)

    def _handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> Response | None:
        path, _, raw_query = target.partition("?")
        query = parse_qs(raw_query, keep_blank_values=True)
        matched = match_route(method, path, query)
        if matched is None:
            self._count("UnknownOperation")
            raise errors.unknown_operation(method, path)
        op, labels = matched
        self._count(op.name)
        account, region = caller_of(headers)
        params = bind_input(op, labels, query, headers, body)
        invalid = check_input(op, params, MISSING_OVERRIDES.get(op.name))
        if invalid is None:
            self._record(op.name, params)
        group = channel_group_of(params)
        fault = self.faults.decide(op.name, group, account)
        self.faults.wait_while_held()
        if fault is Fault.DROP:
            return None
        if fault is Fault.DENY:
            where = {"region": region, "account": account}
            # A list of channel groups names none: the denied resource is all of them.
            resource = params.get("ResourceArn") or arn(f"channelGroup/{group or '*'}", **where)
            raise errors.access_denied(
                f"User: arn:aws:iam::{account}:user/sandbox is not authorized to perform: "
                f"mediapackagev2:{op.name} on resource: {resource} with an explicit deny "
                "in an identity-based policy"
            )
        if fault is Fault.THROTTLE:
            raise errors.throttling()
        if fault is Fault.ERROR:
            raise errors.internal()
        if invalid is not None:
            raise invalid
        handler = HANDLERS.get(op.name)
        if handler is None:
            raise errors.not_implemented(op.name)
        store = self.store_for(account, region)
        with store.lock:
            result = handler(store, params)
        return serialize_output(op, result)


def caller_of(headers: dict[str, str]) -> tuple[str, str]:
    """(account, region) of a request, as the service reads them from its SigV4
    Authorization header: the region from the credential scope, the account from an
    access key that ends in 12 digits (else the demo account). Unsigned: the defaults."""
    authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    found = _CREDENTIAL.search(authorization)
    if found is None:
        return ACCOUNT_ID, REGION
    key, region = found.groups()
    account = key[-12:] if _ACCOUNT_SUFFIX.search(key) else ACCOUNT_ID
    return account, region


def _account_seed(seed: int, account: str) -> int:
    digest = hashlib.sha256(f"{seed}|{account}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class _Server(ThreadingHTTPServer):
    """Tracks its connections so that stop() can end idle keep-alive ones too."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024  # the listen backlog (socketserver's default is 5)
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


_ERROR_TYPES = {
    400: "SerializationException",
    404: "UnknownOperationException",
    414: "SerializationException",
    431: "SerializationException",
    501: "UnknownOperationException",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait for a delayed ACK
    wbufsize = -1  # headers and body leave in one write; flushed after each request
    timeout = 300  # idle keep-alive connections end eventually
    server: _Server

    def version_string(self) -> str:
        return "harvest-tui-sandbox"

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header from the sandbox's clock, as the service's comes from its own:
        clients estimate their clock skew from it (server_clock)."""
        if timestamp is None:
            with contextlib.suppress(OverflowError, ValueError, OSError):
                timestamp = self.server.sandbox.clock.now().timestamp()
        return super().date_time_string(timestamp)

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        response: Response | None
        try:
            body = self._read_body()
        except errors.ApiError as exc:
            self.close_connection = True  # the body's end is unknown: nothing else is safe
            self._respond(*serialize_error(exc))
            return
        if body is None:  # the client hung up mid-body
            self.close_connection = True
            return
        if sandbox.debug_routes and self.path.startswith(DEBUG_PREFIX):
            response = sandbox.debug(self.command, self.path, self.client_address[0])
        else:
            response = sandbox.handle(self.command, self.path, dict(self.headers), body)
        if response is None:
            self.close_connection = True
            return
        self._respond(*response)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch

    def __getattr__(self, name: str) -> Callable[[], None]:
        """Any other method (OPTIONS, TRACE, FOO) is routed too, and so answered as the
        service answers a request that matches no operation."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def _respond(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        headers = {
            "x-amzn-RequestId": str(uuid.uuid4()),
            "Content-Type": "application/json",
            "Content-Length": str(len(payload)),
            **headers,
        }
        if self.close_connection:
            headers["Connection"] = "close"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (a bad request line, headers too long): JSON too."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # unparsed: answer with a status line anyway
            self.request_version = "HTTP/1.0"
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        code_name = _ERROR_TYPES.get(code, "SerializationException")
        self._respond(*serialize_error(errors.ApiError(code_name, message or phrase, status=code)))

    def _read_body(self) -> bytes | None:
        """The request body (b"" if none), None if the client hung up, or an ApiError
        for framing the server can't trust."""
        coding = self.headers.get_all("Transfer-Encoding")
        lengths = self.headers.get_all("Content-Length") or []
        if coding:
            if lengths:
                raise serialization_error("Send Content-Length or Transfer-Encoding, not both.")
            if [c.strip().lower() for c in coding] != ["chunked"]:
                raise serialization_error(f"Unsupported Transfer-Encoding: {', '.join(coding)}")
            return self._read_chunked()
        if not lengths:
            return b""
        if len(set(lengths)) > 1 or not _DIGITS.fullmatch(lengths[0].strip()):
            raise serialization_error(f"Invalid Content-Length: {', '.join(lengths)}")
        length = int(lengths[0])
        if length > MAX_BODY_BYTES:
            raise serialization_error(
                f"The request body ({length} bytes) is larger than {MAX_BODY_BYTES} bytes."
            )
        body = self.rfile.read(length) if length else b""
        return body if len(body) == length else None

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1026)
            if not line:
                return None
            size_text = line.split(b";", 1)[0].strip().decode("latin-1")
            if not line.endswith(b"\r\n") or not _HEX.fullmatch(size_text):
                raise serialization_error("Malformed chunked request body.")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise serialization_error(
                    f"The request body is larger than {MAX_BODY_BYTES} bytes."
                )
            chunk = self.rfile.read(size)
            if len(chunk) < size:
                return None
            if self.rfile.read(2) != b"\r\n":
                raise serialization_error("Malformed chunked request body.")
            parts.append(chunk)
        for _ in range(100):  # trailer fields, ignored, up to the empty line
            trailer = self.rfile.readline(8194)
            if not trailer:
                return None
            if trailer in (b"\r\n", b"\n"):
                return b"".join(parts)
        raise serialization_error("Too many trailer fields in a chunked request body.")

    def log_message(self, format: str, *args: Any) -> None:
        if not self.server.sandbox.quiet:
            super().log_message(format, *args)
