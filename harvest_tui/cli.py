"""The `harvest-tui` command: builds config → service worker → app, or runs the sandbox.

Heavy imports (textual, the sandbox) happen inside the branch that needs them, so
`--help`, `--version` and `config path` answer at once; botocore is imported only by
the service worker (harvest_tui.worker), a process of its own started first.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from harvest_tui import __version__
from harvest_tui.safe_text import clean

if TYPE_CHECKING:
    from subprocess import Popen

    from harvest_tui.config import Settings
    from harvest_tui.view_cache import ViewCache
    from harvest_tui.worker.client import ServiceWorker

SANDBOX_REGION = "us-east-1"
FRAMES_PER_SECOND = 120
MAX_SPEED = 1e6
MAX_SEED = 2**32 - 1
# The flags that take a value, and the subcommands.
VALUE_FLAGS = frozenset(
    {"--profile", "--region", "--endpoint-url", "--config", "--seed", "--speed"}
)
COMMANDS = frozenset({"sandbox", "config", "jobs", "serve"})
# What makes a command line ask for something other than the app.
NOT_THE_APP = COMMANDS | {"-h", "--help", "--version"}


def _shown(text: str) -> str:
    return f'"{clean(text, max_len=60)}"'


def fail(message: object) -> int:
    """Print a one-paragraph error as terminal-safe text (no escape sequence gets through);
    the exit code to return."""
    print(f"harvest-tui: {clean(message, multiline=True)}", file=sys.stderr)
    return 2


class Parser(argparse.ArgumentParser):
    """argparse whose errors are one terminal-safe line: a flag's value is echoed in them."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {clean(message)} (see {self.prog} --help)\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> Any:
        # Before Python 3.13 argparse drops a value that is exactly "--" (--seed=--) and
        # stores [] without calling the type: check it like any other value.
        if action.option_strings and action.nargs is None and arg_strings == ["--"]:
            return self._get_value(action, "--")
        return super()._get_values(action, arg_strings)


def _converted(text: str, kind: type[float] | type[int]) -> float:
    """`text` as a finite number of `kind`, or the error argparse reports."""
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {what}: {_shown(text)}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {_shown(text)}")
    return value


def _speed(text: str) -> float:
    value = _converted(text, float)
    if not 0 < value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"must be above 0 and at most {MAX_SPEED:,.0f}, not {_shown(text)}"
        )
    return value


def _seed(text: str) -> int:
    value = int(_converted(text, int))
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_SEED}, not {_shown(text)}")
    return value


def _port(text: str) -> int:
    value = int(_converted(text, int))
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be from 1 to 65535, not {_shown(text)}")
    return value


def _region(text: str) -> str:
    from harvest_tui.config_checks import region_problem

    if problem := region_problem(text):
        raise argparse.ArgumentTypeError(problem)
    return text


def _endpoint_url(text: str) -> str:
    from harvest_tui.config_checks import endpoint_problem

    if problem := endpoint_problem(text):
        raise argparse.ArgumentTypeError(problem.replace("endpoint_url", "the URL", 1))
    return text


def _profile(text: str) -> str:
    if not text.strip() or not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"a profile name is printable text without spaces around it, not {_shown(text)}"
        )
    return text


def _path(text: str) -> str:
    if not text or "\0" in text:
        raise argparse.ArgumentTypeError(f"not a usable file path: {_shown(text)}")
    return text


def add_app_arguments(parser: argparse.ArgumentParser, *, inherited: bool = False) -> None:
    """The app's flags. `inherited`: on `serve`, which runs the app with them; there they
    override the ones given before `serve` only when given."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if inherited else value

    parser.add_argument(
        "--profile",
        type=_profile,
        default=default(None),
        help="a profile from the config file, or an AWS profile",
    )
    parser.add_argument(
        "--region",
        type=_region,
        default=default(None),
        help="the AWS region (overrides the profile's regions)",
    )
    parser.add_argument(
        "--endpoint-url",
        type=_endpoint_url,
        default=default(None),
        help="a MediaPackage v2 endpoint, e.g. an emulator",
    )
    parser.add_argument(
        "--config",
        type=_path,
        metavar="PATH",
        default=default(None),
        help="the profiles file to use",
    )
    parser.add_argument(
        "--ascii",
        action="store_true",
        default=default(False),
        help="ASCII glyphs only, for terminals whose fonts lack the tree's symbols "
        "(or ascii = true in [settings])",
    )
    parser.add_argument(
        "--sandbox",
        action="store_true",
        default=default(False),
        help="start the built-in local sandbox and connect to it (no AWS account needed)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=default(7), help="demo-data seed for --sandbox (default 7)"
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        default=default(1.0),
        help="clock speed of --sandbox: 1 is real time, so queued jobs finish as you watch; "
        "10 makes a brisk demo",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        default=default(False),
        help="start without the last session's view, and cache none (or cache = false in "
        "[settings])",
    )
    parser.add_argument(
        "--fleet",
        action="store_true",
        default=default(False),
        help="open the fleet view: every job of every profile and region in the config",
    )


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. The sandbox command's own flags are added only when `argv` may
    name it (importing them costs every start of the app a few milliseconds). Every value
    is checked here, so a bad one ends in one line on stderr and exit code 2."""
    parser = Parser(
        prog="harvest-tui",
        description="A terminal explorer for AWS Elemental MediaPackage v2 harvest jobs.",
        epilog="Try it without AWS: harvest-tui --sandbox",
    )
    parser.add_argument("--version", action="version", version=f"harvest-tui {__version__}")
    add_app_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox_parser = sub.add_parser(
        "sandbox", help="run the local MediaPackage v2 sandbox endpoint until Ctrl-C"
    )
    if argv is None or "sandbox" in argv:
        from harvest_tui.sandbox import cli as sandbox_cli

        sandbox_cli.add_arguments(sandbox_parser)

    from harvest_tui.commands import add_jobs_parser

    add_jobs_parser(sub, argv)
    serve_parser = sub.add_parser(
        "serve", help="serve the app in a web browser (one app per tab) until Ctrl-C"
    )
    serve_parser.add_argument(
        "--port", type=_port, default=8000, help="the port to listen on (default 8000)"
    )
    serve_parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (default 127.0.0.1: this machine only)",
    )
    serve_parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (no authentication: see README, Browser)",
    )
    add_app_arguments(serve_parser, inherited=True)
    config_parser = sub.add_parser("config", help="the profiles file: init or path")
    config_sub = config_parser.add_subparsers(dest="config_command", metavar="ACTION")
    init = config_sub.add_parser("init", help="write a commented starter file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    config_sub.add_parser("path", help="print where the profiles file is")
    return parser


def split_target(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """(argv without the target, the target): the first word that is neither a flag, a
    flag's value, nor a subcommand (whose own arguments are left alone)."""
    out: list[str] = []
    target: str | None = None
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in VALUE_FLAGS:
            out.extend(argv[i : i + 2])
            i += 2
            continue
        if word in COMMANDS:
            out.extend(argv[i:])
            break
        if target is None and not word.startswith("-"):
            target = word
        else:
            out.append(word)
        i += 1
    return out, target


def main(argv: Sequence[str] | None = None) -> int:
    # Starting the app allocates a few hundred thousand objects that all live on (modules,
    # Textual's DOM and styles); the cyclic collector scanning them again and again cost
    # ~20 ms before the first frame. It is off until the app has started (HarvestApp
    # turns it back on, freezing what exists).
    gc.disable()
    worker: ServiceWorker | None = None
    early: Popen[bytes] | None = None
    try:
        argv = sys.argv[1:] if argv is None else list(argv)
        argv, target_text = split_target(argv)
        if NOT_THE_APP.isdisjoint(argv):
            # The service worker before anything else: its import of botocore then runs
            # on another core while this process reads the config and starts Textual.
            # (A flag's value that happens to be a command's name only starts it later.)
            from harvest_tui.worker.spawn import spawn

            early = spawn()
        from harvest_tui.deep_link import TargetError, parse_target

        parser = build_parser(argv)
        args = parser.parse_args(argv)
        args.target = None
        if target_text is not None:
            try:
                args.target = parse_target(target_text)
            except TargetError as exc:
                return fail(exc)
        if args.command == "sandbox":
            gc.enable()  # a long-running server
            from harvest_tui.sandbox import cli as sandbox_cli

            return sandbox_cli.run(args)
        if args.command == "serve":
            gc.enable()
            from harvest_tui import serve

            return serve.run(args)
        if args.command == "config":
            gc.enable()
            return _config_command(parser, args)
        if args.command == "jobs":
            from harvest_tui.commands import run_jobs

            return run_jobs(args)
        from harvest_tui.worker.client import ServiceWorker

        worker, early = ServiceWorker.start(early), None
        return _run_app(args, worker)
    finally:
        if worker is not None:
            worker.close()
        if early is not None:  # not the app after all (a subcommand, --help)
            from harvest_tui.worker.spawn import stop

            stop(early)
        gc.enable()  # however it ended (--help exits from parse_args)


def _config_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from harvest_tui.config import ConfigError, config_path, init_config

    path = config_path(args.config, os.environ)
    if args.config_command == "path":
        print(clean(path))
        return 0
    if args.config_command == "init":
        try:
            written = init_config(path, force=args.force)
        except ConfigError as exc:
            return fail(exc)
        print(f"wrote {clean(written)}")
        return 0
    parser.parse_args(["config", "--help"])
    return 2


def _view_cache(settings: Settings, no_cache: bool) -> ViewCache | None:
    """The warm start's cache, unless `--no-cache` or `cache = false` turn it off."""
    if no_cache or not settings.cache:
        return None
    from harvest_tui.view_cache import ViewCache, cache_dir

    return ViewCache(cache_dir())


def _run_app(args: argparse.Namespace, worker: ServiceWorker | None) -> int:
    from dataclasses import replace

    from harvest_tui.config import (
        ConfigError,
        Settings,
        config_path,
        load_config,
        resolve_profile,
    )

    try:
        explicit = bool(args.config or os.environ.get("HARVEST_TUI_CONFIG"))
        path = config_path(args.config, os.environ)
        config = load_config(path, must_exist=explicit)
        settings = config.settings if config else Settings()
        if args.ascii:
            settings = replace(settings, ascii=True)
        if not args.sandbox:
            active = resolve_profile(
                config,
                profile=args.profile,
                # An ARN names its region; --region, given, still wins.
                region=args.region or (args.target.region if args.target else None),
                endpoint_url=args.endpoint_url,
                environ=os.environ,
            )
    except ConfigError as exc:
        return fail(exc)

    from harvest_tui import debug_log
    from harvest_tui.backend import ListChannelGroups
    from harvest_tui.deep_link import link_requests
    from harvest_tui.service import connections_for

    try:
        debug_log.setup(settings.debug_log)
    except OSError as exc:
        return fail(f"cannot open the debug log (debug_log = true in [settings]): {exc}")
    if worker is not None:
        worker.configure(debug_log=settings.debug_log)
    sandbox = None
    try:
        sandbox_url: str | None = None
        clock = None
        if args.sandbox:
            from harvest_tui.config import ActiveProfile
            from harvest_tui.sandbox_process import SandboxProcess

            try:
                sandbox = SandboxProcess(seed=args.seed, speed=args.speed)
            except (OSError, RuntimeError) as exc:
                print(f"harvest-tui: could not start the sandbox: {exc}", file=sys.stderr)
                return 1
            sandbox_url, clock = sandbox.endpoint_url, sandbox.clock.now
            active = ActiveProfile(
                name="sandbox",
                regions=(args.region or SANDBOX_REGION,),
                endpoint_url=sandbox_url,
                source="--sandbox: the built-in local endpoint",
            )
        connections = connections_for(active, sandbox_url=sandbox_url)
        view_cache = _view_cache(settings, args.no_cache)
        view = None
        if view_cache is not None and args.target is None:  # a deep link opens its path
            from harvest_tui.view_cache import ViewKey

            label = "built-in sandbox" if sandbox is not None else active.endpoint_url
            view = view_cache.preload(ViewKey.of(active.name, tuple(connections), label))
        if worker is not None:
            # The app's first call, made now: it is answered while Textual starts.
            for connection in connections.values():
                worker.prefetch(connection, ListChannelGroups())
                # A deep link: the lists on its path too, all at once, not level by level,
                # and the Get of where it lands.
                for request in link_requests(args.target.names if args.target else ()):
                    worker.prefetch(connection, request)
            if view is not None:  # the warm start: every list it shows, read again at once
                from harvest_tui.view_cache import refresh_requests

                for region, request in refresh_requests(view):
                    if region in connections:
                        worker.prefetch(connections[region], request)

        # Textual paints at most 60 frames a second: a change that follows a frame by
        # less than 1/60 s waits for the next one. At 120 a key or an answer reaches the
        # screen up to 8 ms sooner; idle, nothing is painted either way. (Read once, when
        # Textual is imported; the user's own TEXTUAL_FPS wins.)
        os.environ.setdefault("TEXTUAL_FPS", str(FRAMES_PER_SECOND))
        from harvest_tui.ui.builder import build_app

        app = build_app(
            active,
            worker=worker,
            config=config,
            settings=settings,
            clock=clock,
            sandbox_url=sandbox_url,
            extra_profiles=(active,) if sandbox is not None else (),
            target=args.target,
            fleet=args.fleet,
            on_close=worker.close if worker is not None else None,
            view_cache=view_cache,
        )
        app.settings_path = path  # where `[` and `]` remember the tree's width
        app.run()
    finally:
        if sandbox is not None:
            sandbox.stop()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
