"""The `harvest-tui` command: builds config → service → app, or runs the sandbox.

Heavy imports (textual, boto3, the sandbox) happen inside the branch that needs
them, so `--help`, `--version` and `config path` answer at once.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from harvest_tui import __version__

SANDBOX_REGION = "us-east-1"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harvest-tui",
        description="A terminal explorer for AWS Elemental MediaPackage v2 harvest jobs.",
        epilog="Try it without AWS: harvest-tui --sandbox",
    )
    parser.add_argument("--version", action="version", version=f"harvest-tui {__version__}")
    parser.add_argument("--profile", help="a profile from the config file, or an AWS profile")
    parser.add_argument("--region", help="the AWS region (overrides the profile's regions)")
    parser.add_argument("--endpoint-url", help="a MediaPackage v2 endpoint, e.g. an emulator")
    parser.add_argument("--config", metavar="PATH", help="the profiles file to use")
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="start the built-in local sandbox and connect to it (no AWS account needed)",
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="demo-data seed for --sandbox (default 7)"
    )
    parser.add_argument(
        "--speed", type=float, default=30.0, help="clock speed of --sandbox (default 30x)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    from harvest_tui.sandbox import cli as sandbox_cli

    sandbox_parser = sub.add_parser(
        "sandbox", help="run the local MediaPackage v2 sandbox endpoint until Ctrl-C"
    )
    sandbox_cli.add_arguments(sandbox_parser)

    config_parser = sub.add_parser("config", help="the profiles file: init or path")
    config_sub = config_parser.add_subparsers(dest="config_command", metavar="ACTION")
    init = config_sub.add_parser("init", help="write a commented starter file")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    config_sub.add_parser("path", help="print where the profiles file is")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        from harvest_tui.sandbox import cli as sandbox_cli

        return sandbox_cli.run(args)
    if args.command == "config":
        return _config_command(parser, args)
    return _run_app(args)


def _config_command(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from harvest_tui.config import ConfigError, config_path, init_config

    path = config_path(args.config, os.environ)
    if args.config_command == "path":
        print(path)
        return 0
    if args.config_command == "init":
        try:
            written = init_config(path, force=args.force)
        except ConfigError as exc:
            print(f"harvest-tui: {exc}", file=sys.stderr)
            return exc.exit_code
        print(f"wrote {written}")
        return 0
    parser.parse_args(["config", "--help"])
    return 2


def _run_app(args: argparse.Namespace) -> int:
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
        if not args.sandbox:
            active = resolve_profile(
                config,
                profile=args.profile,
                region=args.region,
                endpoint_url=args.endpoint_url,
                environ=os.environ,
            )
    except ConfigError as exc:
        print(f"harvest-tui: {exc}", file=sys.stderr)
        return exc.exit_code

    sandbox = None
    if args.sandbox:
        from harvest_tui.config import ActiveProfile
        from harvest_tui.sandbox import Sandbox, ScaledClock

        sandbox = Sandbox(seed=args.seed, clock=ScaledClock(args.speed)).start()
        active = ActiveProfile(
            name="sandbox",
            regions=(args.region or SANDBOX_REGION,),
            endpoint_url=sandbox.endpoint_url,
            source="--sandbox: the built-in local endpoint",
        )

    from harvest_tui.ui.app import HarvestApp

    app = HarvestApp(active=active, config=config, settings=settings, sandbox=sandbox)
    try:
        app.run()
    finally:
        if sandbox is not None:
            sandbox.stop()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(main())
