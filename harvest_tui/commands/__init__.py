"""`harvest-tui jobs …`: list, get, watch, create and cancel harvest jobs from scripts.

The same service layer and error translation as the app (MediaPackageService in this
process), never the TUI: nothing here imports textual. Importing this package costs only
argparse; each command imports what it needs when it runs, so `jobs list` starts fast.

Exit codes (every command): 0 success (watch: COMPLETED), 1 a job FAILED (or a cancel
was declined), 2 bad usage or config, 3 CANCELLED, 4 --timeout reached, 5 an AWS error.
"""

from __future__ import annotations

import argparse

from harvest_tui.commands.parser import add_jobs_parser

__all__ = ["add_jobs_parser", "run_jobs"]


def run_jobs(args: argparse.Namespace) -> int:
    """Run the `jobs` subcommand that `args` names; returns the exit code."""
    from harvest_tui.commands.run import run

    return run(args)
