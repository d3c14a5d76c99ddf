"""`harvest-tui sandbox` (and `python -m harvest_tui.sandbox`): serve until Ctrl-C.

It prints the endpoint URL alone on the first line, so scripts and tests can
read it, then a hint on pointing the AWS CLI at it. Bad flag values exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from datetime import UTC, datetime
from typing import Any

from harvest_tui.argtypes import count, fraction, non_negative, number, port
from harvest_tui.sandbox.clock import (
    Clock,
    FrozenClock,
    ScaledClock,
    SystemClock,
    check_speed,
    check_start,
)


def _speed(text: str) -> float:
    try:
        return check_speed(number(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO-8601 instant: {text!r} (e.g. 2026-11-02T14:30:00Z)"
        ) from None
    try:
        return check_start(value.replace(tzinfo=UTC) if value.tzinfo is None else value)
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox command's flags (shared by harvest-tui and python -m)."""
    parser.add_argument("--port", type=port, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--seed", type=int, default=7, help="demo data and fault seed (7)")
    clock = parser.add_argument_group("clock")
    clock.add_argument(
        "--frozen-at",
        type=_instant,
        metavar="ISO-8601",
        help="freeze the clock at this instant (with --speed: start there and run)",
    )
    clock.add_argument("--speed", type=_speed, help="run the clock X times faster (at most 1e6)")
    data = parser.add_argument_group("scale data (instead of the demo account)")
    data.add_argument("--jobs", type=count, help="generate N jobs with the scale generator")
    data.add_argument("--groups", type=count, default=1, help="channel groups (1)")
    data.add_argument("--channels", type=count, default=1, help="channels per group (1)")
    data.add_argument("--endpoints", type=count, default=10, help="endpoints per channel (10)")
    faults = parser.add_argument_group("fault injection")
    faults.add_argument(
        "--latency-ms",
        type=non_negative,
        default=0.0,
        metavar="MS",
        help="each answer leaves MS ms after its request came in",
    )
    faults.add_argument("--throttle-rate", type=fraction, default=0.0, help="fraction → 429")
    faults.add_argument("--error-rate", type=fraction, default=0.0, help="fraction → 500")
    faults.add_argument("--drop-rate", type=fraction, default=0.0, help="fraction dropped")
    faults.add_argument(
        "--deny-group",
        action="append",
        default=[],
        metavar="NAME",
        help="answer 403 AccessDeniedException for this channel group (repeatable)",
    )
    faults.add_argument(
        "--deny-account",
        action="append",
        default=[],
        metavar="ID",
        help="answer 403 AccessDeniedException to every call of this account (repeatable)",
    )
    data.add_argument(
        "--every-region",
        action="store_true",
        help="every region of an account holds what its us-east-1 holds (a fleet to try)",
    )
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    parser.add_argument(
        "--debug-routes",
        action="store_true",
        help="also serve GET /__sandbox/requests (request counts by operation) and "
        "POST /__sandbox/reset to loopback clients, outside the MediaPackage API",
    )


def make_clock(frozen_at: datetime | None, speed: float | None) -> Clock:
    if speed is not None:
        return ScaledClock(speed, start=frozen_at)
    return FrozenClock(frozen_at) if frozen_at is not None else SystemClock()


def run(args: argparse.Namespace) -> int:
    from harvest_tui.sandbox.demo import scale
    from harvest_tui.sandbox.faults import Faults
    from harvest_tui.sandbox.server import Sandbox

    faults = Faults(
        latency_ms=args.latency_ms,
        throttle_rate=args.throttle_rate,
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        deny_groups=set(args.deny_group),
        deny_accounts=set(args.deny_account),
        seed=args.seed,
    )
    data: Any = "demo"
    if args.jobs is not None:
        data = scale(
            jobs=args.jobs, groups=args.groups, channels=args.channels, endpoints=args.endpoints
        )
    clock = make_clock(args.frozen_at, args.speed)
    sandbox = Sandbox(
        args.seed,
        clock,
        faults,
        data,
        port=args.port,
        quiet=not args.verbose,
        debug_routes=args.debug_routes,
        every_region=args.every_region,
    )
    try:
        sandbox.bind()
    except OSError as exc:
        print(f"harvest-tui sandbox: cannot listen on port {args.port}: {exc}", file=sys.stderr)
        return 1
    url = sandbox.endpoint_url
    print(url, flush=True)
    print(
        f"MediaPackage v2 sandbox ({'scale' if args.jobs else 'demo'} data, seed {args.seed}, "
        f"clock {clock!r}). Any credentials work, e.g.:\n"
        "  AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox AWS_DEFAULT_REGION=us-east-1 "
        f"aws mediapackagev2 list-channel-groups --endpoint-url {url}\n"
        + (f"Faults on: {described}.\n" if (described := faults.describe()) else "")
        + "Ctrl-C stops it.",
        flush=True,
    )
    _terminate_as_interrupt()
    with contextlib.suppress(KeyboardInterrupt):
        sandbox.serve_forever()
    return 0


def _terminate_as_interrupt() -> None:
    """Let SIGINT (even if a parent shell ignored it) and SIGTERM stop the server quietly."""

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    try:
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harvest_tui.sandbox",
        description="Run a local MediaPackage v2 endpoint (the harvest-tui sandbox) until Ctrl-C.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))
