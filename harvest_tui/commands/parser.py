"""The `jobs` command line: its subcommands, flags and examples (argparse only)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any

# The sandbox command's number checks (its cli module imports only the clock).
from harvest_tui.argtypes import count, positive

FORMATS = ("table", "json", "jsonl", "csv")

JOBS_EPILOG = """\
examples:
  harvest-tui jobs list live-sports --status failed --since 24h
  harvest-tui jobs list live-sports/football-main --output csv > jobs.csv
  harvest-tui jobs get live-sports/football-main/cmaf-main/cup-final-highlights
  harvest-tui jobs create live-sports/football-main/cmaf-main/second-half \\
      --start -1h --end -15m --bucket acme-media-archive --wait
  harvest-tui jobs watch ARN --timeout 2h
  harvest-tui jobs cancel live-sports/football-main/cmaf-main/second-half --yes

exit codes: 0 ok (watch: COMPLETED), 1 FAILED, 2 bad usage or config, 3 CANCELLED,
4 --timeout reached, 5 an AWS error (not found, access denied, conflict, ...).
Output is a table on a terminal and JSON when piped; --output picks
(table, json, jsonl, csv). JSON has the AWS CLI's shape, so jq filters keep working.
"""

LIST_EPILOG = """\
examples:
  harvest-tui jobs list live-sports
  harvest-tui jobs list live-sports/football-main/cmaf-main --status active
  harvest-tui jobs list live-sports --status failed --status cancelled --since 2h
  harvest-tui jobs list news-24x7 --region us-east-1,eu-west-1 --output csv
  harvest-tui jobs list live-sports --output json | jq -r '.Items[].Arn'

--status is QUEUED, IN_PROGRESS, COMPLETED, FAILED, CANCELLED (any case) or
active (QUEUED and IN_PROGRESS). --since takes a duration (2h, 30m, 1d: created
within it) or an ISO 8601 instant.
"""

GET_EPILOG = """\
examples:
  harvest-tui jobs get live-sports/football-main/cmaf-main/cup-final-highlights
  harvest-tui jobs get arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/\\
live-sports/channel/football-main/originEndpoint/cmaf-main/harvestJob/cup-final-highlights
  harvest-tui jobs get G/C/E/JOB --output json | jq -r .ETag
"""

WATCH_EPILOG = """\
examples:
  harvest-tui jobs watch live-sports/football-main/cmaf-main/cup-final-highlights
  harvest-tui jobs watch G/C/E/JOB1 G/C/E/JOB2 --timeout 2h && echo all completed

Each status change is printed with its time. Polls every --interval seconds, 1.5
times slower each time nothing changes (up to --max-interval), and faster again on
a change. Exit code: 0 COMPLETED, 1 FAILED, 3 CANCELLED, 4 --timeout reached,
5 an AWS error; with several jobs, the worst of them in the order 5 > 4 > 1 > 3 > 0.
"""

CREATE_EPILOG = """\
examples:
  harvest-tui jobs create live-sports/football-main/cmaf-main/second-half \\
      --start -1h --end -15m --bucket acme-media-archive
  harvest-tui jobs create live-sports/football-main/cmaf-main/goal-replay \\
      --start 2026-11-02T13:05:00Z --end 2026-11-02T13:07:30Z \\
      --bucket acme-sports-highlights --path replays/ --manifest hls:index \\
      --tag team=home --wait
  harvest-tui jobs create G/C/E/NAME --start -2h30m --end -2h --bucket B --dry-run

Times are ISO 8601 (UTC unless they say otherwise) or relative to now: now, -1h,
-30m, -2h30m. The window is at most 24 h, starts in the past and inside the
endpoint's startover window. Manifests default to every manifest of the endpoint;
--manifest NAME picks by name, hls:NAME, ll-hls:NAME or dash:NAME by type too.
Everything is checked before anything is sent. --dry-run prints the equivalent
AWS CLI command instead of creating the job.
"""

CANCEL_EPILOG = """\
examples:
  harvest-tui jobs cancel live-sports/football-main/cmaf-main/second-half
  harvest-tui jobs cancel ARN --etag "$(harvest-tui jobs get ARN --output json | jq -r .ETag)" --yes

The cancel carries the job's ETag (read just before, or --etag): if the job changed
since, AWS answers ConflictException and nothing is cancelled (exit 5). Without --yes
it asks first on a terminal (naming the account and region), and off a terminal (cron,
CI, a pipe) it refuses: exit 2, nothing sent. Read-only profiles refuse (exit 2).
"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str, **kwargs: Any) -> None:
        super().__init__(prog, max_help_position=32, **kwargs)


# Relative times and durations ("-1h", "-2h30m") are values, not options: argparse takes
# only negative numbers for values unless told otherwise.
_NEGATIVE_VALUE = re.compile(r"^-\d[\d.]*(?:min|[dhms])?(?:\d[\d.]*(?:min|[dhms]))*$")


def _values_may_be_negative(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._negative_number_matcher = _NEGATIVE_VALUE
    return parser


def _add_common(parser: argparse.ArgumentParser, *, default: str | None) -> None:
    """The flags every jobs command takes, on `jobs` itself and on each action, so that
    they may come before the action or after it (the connection's also before `jobs`).

    argparse parses an action into a namespace of its own and copies every attribute of it
    over the one `jobs` filled: on the actions `default` is SUPPRESS, so a flag not given
    after the action leaves the value given before it. Given in both places, the one after
    the action wins, as a connection flag after `jobs` wins over the same before `jobs`.
    """
    group = parser.add_argument_group("connection (before or after ACTION, or before `jobs`)")
    group.add_argument(
        "--profile",
        dest="jobs_profile",
        action="append",
        default=default,
        metavar="NAME",
        help="a profile from the config file, or an AWS profile (repeatable; list only)",
    )
    group.add_argument(
        "--region",
        dest="jobs_region",
        action="append",
        default=default,
        metavar="REGION",
        help="AWS region (repeatable, or comma-separated; list only: several)",
    )
    group.add_argument("--endpoint-url", dest="jobs_endpoint_url", default=default, metavar="URL")
    group.add_argument(
        "--config", dest="jobs_config", default=default, metavar="PATH", help="the profiles file"
    )
    parser.add_argument(
        "--output",
        "-o",
        choices=FORMATS,
        default=default,
        help="table (default on a terminal), json (default when piped), jsonl or csv",
    )


def add_jobs_parser(
    sub: argparse._SubParsersAction[Any],
    argv: Sequence[str] | None = None,
) -> argparse.ArgumentParser:
    """Register `jobs` under the CLI's subcommands. Its own subcommands are built only when
    `argv` may name it (None: always)."""
    jobs = sub.add_parser(
        "jobs",
        help="list, get, watch, create and cancel harvest jobs (for scripts; no TUI)",
        description="Harvest jobs from the command line: no TUI, output for people or scripts.",
        epilog=JOBS_EPILOG,
        formatter_class=_Formatter,
    )
    if argv is not None and "jobs" not in argv:
        return jobs
    _add_common(jobs, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _add_common(common, default=argparse.SUPPRESS)
    actions = jobs.add_subparsers(dest="jobs_command", metavar="ACTION")

    def action(name: str, help: str, epilog: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(
            name,
            help=help,
            description=help[0].upper() + help[1:] + ".",
            epilog=epilog,
            parents=[common],
            formatter_class=_Formatter,
        )
        return _values_may_be_negative(parser)

    ls = action(
        "list", "list the harvest jobs of a channel group, channel or endpoint", LIST_EPILOG
    )
    ls.add_argument("scope", metavar="GROUP[/CHANNEL[/ENDPOINT]]")
    ls.add_argument(
        "--status",
        action="append",
        metavar="STATUS",
        help="only jobs in this status (repeatable; active = QUEUED + IN_PROGRESS)",
    )
    ls.add_argument("--since", metavar="DURATION|ISO", help="only jobs created after this")
    ls.add_argument("--limit", type=count, metavar="N", help="at most N jobs")

    get = action("get", "show one harvest job with its tags", GET_EPILOG)
    get.add_argument("job", metavar="ARN|GROUP/CHANNEL/ENDPOINT/JOB")

    watch = action("watch", "follow harvest jobs until they finish", WATCH_EPILOG)
    watch.add_argument("jobs", nargs="+", metavar="ARN|PATH")
    watch.add_argument("--timeout", metavar="DURATION", help="give up after this (e.g. 2h, 90s)")
    _watch_timing(watch)

    create = action("create", "create a harvest job", CREATE_EPILOG)
    create.add_argument("path", metavar="GROUP/CHANNEL/ENDPOINT[/NAME]")
    create.add_argument("--start", required=True, metavar="TIME", help="window start")
    create.add_argument("--end", required=True, metavar="TIME", help="window end")
    create.add_argument("--bucket", required=True, help="the S3 bucket to write to")
    create.add_argument("--path", dest="s3_path", metavar="P", help="the path in the bucket")
    create.add_argument(
        "--manifest", action="append", default=[], metavar="NAME", help="(repeatable)"
    )
    create.add_argument("--description", default="", metavar="D")
    create.add_argument("--tag", action="append", default=[], metavar="K=V", help="(repeatable)")
    create.add_argument("--wait", action="store_true", help="then watch it until it finishes")
    create.add_argument("--timeout", metavar="DURATION", help="with --wait: give up after this")
    create.add_argument(
        "--dry-run", action="store_true", help="check, print the AWS CLI command, send nothing"
    )
    _watch_timing(create)

    cancel = action("cancel", "cancel a queued or in-progress harvest job", CANCEL_EPILOG)
    cancel.add_argument("job", metavar="ARN|GROUP/CHANNEL/ENDPOINT/JOB")
    cancel.add_argument("--etag", help="send this ETag instead of the one read just before")
    cancel.add_argument("--yes", "-y", action="store_true", help="do not ask")
    return jobs


def _watch_timing(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interval",
        type=positive,
        metavar="SECONDS",
        help="first poll interval (default: the config's poll_interval_seconds, 2)",
    )
    parser.add_argument(
        "--max-interval",
        type=positive,
        metavar="SECONDS",
        help="longest poll interval while nothing changes (default 30)",
    )
