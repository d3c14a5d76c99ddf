"""`harvest-tui serve`: the app in a web browser, through textual-serve.

Each browser tab gets an app process of its own, run with the same flags (`--sandbox`,
`--config`, `--profile`, …) and environment as `serve` was. The served app acts with
the user's AWS credentials and textual-serve has no authentication, so the server
listens on loopback unless `--allow-remote` is given with another `--host`; README
(Browser) shows the safe way to share it, an SSH tunnel. The app processes use
ui/served_driver.py, which ends each one when its tab or the server goes.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import sys
from pathlib import Path

from harvest_tui.safe_text import clean

REMOTE_WARNING = (
    "warning: serving on {host}: anyone who can reach this address can use the app with "
    "your AWS credentials (textual-serve has no authentication). Prefer the default "
    "127.0.0.1 and an SSH tunnel (README, Browser)."
)


def is_loopback(host: str) -> bool:
    """Whether `host` is reachable from this machine only (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each tab: this app, the same flags, our
    driver (`exec`: the app is the server's own child, no shell between)."""
    from harvest_tui.ui.served_driver import DRIVER

    parts = [sys.executable, "-P", "-m", "harvest_tui.cli"]  # -P: not a harvest_tui in the cwd
    for flag, value in (
        ("--profile", args.profile),
        ("--region", args.region),
        ("--endpoint-url", args.endpoint_url),
        ("--config", str(Path(args.config).expanduser().absolute()) if args.config else None),
    ):
        if value:
            parts += [flag, value]
    if args.sandbox:
        parts += ["--sandbox", "--seed", str(args.seed), "--speed", repr(args.speed)]
    for switch in ("ascii", "fleet", "no_cache"):
        if getattr(args, switch):
            parts.append("--" + switch.replace("_", "-"))
    return f"TEXTUAL_DRIVER={DRIVER} exec {shlex.join(parts)}"


def config_problem(args: argparse.Namespace) -> str | None:
    """A config error every tab would meet, found before serving (None: none)."""
    from harvest_tui.config import ConfigError, config_path, load_config, resolve_profile

    try:
        explicit = bool(args.config or os.environ.get("HARVEST_TUI_CONFIG"))
        config = load_config(config_path(args.config, os.environ), must_exist=explicit)
        if not args.sandbox:
            resolve_profile(
                config,
                profile=args.profile,
                region=args.region,
                endpoint_url=args.endpoint_url,
                environ=os.environ,
            )
    except ConfigError as exc:
        return str(exc)
    return None


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C (or SIGTERM); 2 for a refused host or a bad config."""
    host: str = args.host
    if not is_loopback(host) and not args.allow_remote:
        print(
            f"harvest-tui: serve: refusing --host {clean(host, max_len=80)}: it is not a "
            "loopback address, and the served app acts with your AWS credentials while "
            "textual-serve has no authentication. Keep the default 127.0.0.1 and reach it "
            "through an SSH tunnel (README, Browser), or add --allow-remote if you really "
            "mean it.",
            file=sys.stderr,
        )
        return 2
    if problem := config_problem(args):
        print(f"harvest-tui: {clean(problem, multiline=True)}", file=sys.stderr)
        return 2
    if not is_loopback(host):
        print(REMOTE_WARNING.format(host=clean(host, max_len=80)), file=sys.stderr)
    from textual_serve.server import Server

    server = Server(app_command(args), host=host, port=args.port, title="harvest-tui")
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's…
        print(f"harvest-tui: serve: cannot listen on {clean(host)}:{args.port}: {clean(exc)}",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0
