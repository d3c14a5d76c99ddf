"""Where a jobs command goes (profiles × regions), which job it names, and how it fails.

Profiles resolve as the app's do (config.resolve_profile, then service.connections_for);
errors print as one line on stderr and map to the documented exit codes.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harvest_tui.safe_text import clean

if TYPE_CHECKING:
    from harvest_tui.config import Settings
    from harvest_tui.errors import ServiceError
    from harvest_tui.service import Connection

OK, FAILED, USAGE, CANCELLED, TIMEOUT, AWS_ERROR = 0, 1, 2, 3, 4, 5
INTERRUPTED = 130


class UsageError(Exception):
    """Bad usage or config: printed as is, exit code 2."""


@dataclass(frozen=True)
class Target:
    """One profile and region to call."""

    profile: str
    region: str | None
    connection: Connection
    read_only: bool = False

    @property
    def label(self) -> str:
        return f"profile {self.profile}, region {self.region or '(default)'}"


@dataclass(frozen=True)
class JobRef:
    """A job named by ARN or by GROUP/CHANNEL/ENDPOINT/JOB (region: the ARN's, if any)."""

    group: str
    channel: str
    endpoint: str
    name: str
    region: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.group, self.channel, self.endpoint, self.name)

    @property
    def path(self) -> str:
        return "/".join(self.key)


_JOB_ARN = re.compile(
    r"arn:aws[a-z-]*:mediapackagev2:(?P<region>[^:]*):[^:]*:channelGroup/(?P<g>[^/]+)"
    r"/channel/(?P<c>[^/]+)/originEndpoint/(?P<e>[^/]+)/harvestJob/(?P<j>[^/]+)"
)


# A screen of names before any call, with the model's pattern and lengths as of writing
# (job_spec reads them from botocore's model, which would cost every `jobs list` ~20 ms;
# the service has the last word).
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,256}")


def _checked(names: list[str], text: str) -> list[str]:
    for name in names:
        if not _NAME.fullmatch(name):
            raise UsageError(
                f"{text!r}: a name is 1 to 256 letters, digits, '-' and '_' (not {name!r})"
            )
    return names


def parse_job_ref(text: str) -> JobRef:
    """ARN or GROUP/CHANNEL/ENDPOINT/JOB → JobRef; UsageError otherwise."""
    if text.startswith("arn:"):
        m = _JOB_ARN.fullmatch(text)
        if m is None:
            raise UsageError(
                f"{text!r} is not a harvest job ARN (arn:aws:mediapackagev2:REGION:ACCOUNT:"
                "channelGroup/G/channel/C/originEndpoint/E/harvestJob/J)"
            )
        g, c, e, j = _checked([m["g"], m["c"], m["e"], m["j"]], text)
        return JobRef(g, c, e, j, m["region"] or None)
    parts = text.strip("/").split("/")
    if len(parts) != 4:
        raise UsageError(f"{text!r}: name a job as GROUP/CHANNEL/ENDPOINT/JOB or by its ARN")
    g, c, e, j = _checked(parts, text)
    return JobRef(g, c, e, j)


def parse_scope(text: str) -> tuple[str, str | None, str | None]:
    """GROUP[/CHANNEL[/ENDPOINT]] → (group, channel, endpoint)."""
    parts = text.strip("/").split("/")
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise UsageError(f"{text!r}: give GROUP, GROUP/CHANNEL or GROUP/CHANNEL/ENDPOINT")
    _checked(parts, text)
    return parts[0], (parts[1] if len(parts) > 1 else None), (parts[2] if len(parts) > 2 else None)


def _split(values: list[str] | None, fallback: str | None) -> list[str]:
    """Repeated and comma-separated flag values, in order, without duplicates."""
    raw = values if values else ([fallback] if fallback else [])
    out: list[str] = []
    for value in raw:
        for item in value.split(","):
            item = item.strip()
            if item and item not in out:
                out.append(item)
    return out


@dataclass(frozen=True)
class Setup:
    targets: list[Target]
    settings: Settings


def resolve(args: argparse.Namespace, *, several: bool) -> Setup:
    """The targets the flags name; several=False insists on one (UsageError)."""
    from harvest_tui.config import ConfigError, Settings, config_path, load_config, resolve_profile
    from harvest_tui.service import connections_for

    if getattr(args, "sandbox", False):
        raise UsageError(
            "--sandbox starts a sandbox for the app only; for jobs commands run "
            "`harvest-tui sandbox --port 8080` and pass --endpoint-url http://127.0.0.1:8080"
        )
    config_arg = args.jobs_config or args.config
    profiles: list[str | None] = [*_split(args.jobs_profile, args.profile)] or [None]
    regions: list[str | None] = [*_split(args.jobs_region, args.region)] or [None]
    endpoint_url = args.jobs_endpoint_url or args.endpoint_url
    try:
        explicit = bool(config_arg or os.environ.get("HARVEST_TUI_CONFIG"))
        config = load_config(config_path(config_arg, os.environ), must_exist=explicit)
        targets: list[Target] = []
        for profile in profiles:
            for region in regions:
                active = resolve_profile(
                    config,
                    profile=profile,
                    region=region,
                    endpoint_url=endpoint_url,
                    environ=os.environ,
                )
                for name, connection in connections_for(active).items():
                    targets.append(
                        Target(
                            active.name,
                            None if name == "default" else name,
                            connection,
                            active.read_only,
                        )
                    )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if not several and len(targets) > 1:
        raise UsageError(
            "this command works in one profile and region; give one --profile and one "
            f"--region (got {', '.join(t.label for t in targets)})"
        )
    return Setup(targets, config.settings if config else Settings())


def for_ref(target: Target, ref: JobRef) -> Target:
    """The target for a job: an ARN's region wins over the profile's."""
    from dataclasses import replace

    if ref.region and ref.region != target.region:
        return replace(
            target, region=ref.region, connection=replace(target.connection, region=ref.region)
        )
    return target


# -- how failures are told ---------------------------------------------------------

_CLI_HINTS = {
    "ResourceNotFoundException": "check the names or ARN (harvest-tui jobs list GROUP lists "
    "the jobs), the --region and the --profile",
    "AccessDeniedException": "the credentials in use lack permission for this call; check "
    "the IAM policy, or use another --profile",
    "ThrottlingException": "AWS kept throttling after every retry; wait a moment and run "
    "the command again",
}


def cli_hint(error: ServiceError) -> str:
    """The error's hint, worded for a command line rather than the app's keys."""
    if error.code in _CLI_HINTS:
        return _CLI_HINTS[error.code]
    hint = error.hint
    for tui, cli in (
        ("refresh with r and try again", "read it again and retry"),
        ("; press r to retry", "; run the command again"),
        (", then press r to retry", ", then run the command again"),
        ("; press r to refresh", ""),
        (", or switch profile with p", ", or use another --profile"),
        (", then press r", ", then run the command again"),
    ):
        hint = hint.replace(tui, cli)
    return hint.replace("press r to retry", "run the command again")


def say(message: str, *, multiline: bool = False) -> None:
    """One line on stderr, terminal-safe; `multiline` keeps the message's newlines (only
    newlines: every other control character is still escaped)."""
    print(f"harvest-tui: {clean(message, multiline=multiline)}", file=sys.stderr, flush=True)


# Failures of the local AWS setup rather than of a call: "bad config", not "AWS said no".
CONFIG_CODES = frozenset({"NoRegion", "ProfileNotFound", "InvalidAWSConfig"})


def report(error: ServiceError, *, context: str = "", hint: str | None = None) -> int:
    """A ServiceError as one line (code, message, request id, what to do); its exit code."""
    parts = [f"{context}: " if context else "", f"{error.title}: {error.message}"]
    if error.request_id:
        parts.append(f" (request id {error.request_id})")
    what = cli_hint(error) if hint is None else hint
    if what:
        parts.append(f"; {what}")
    say("".join(parts))
    return USAGE if error.code in CONFIG_CODES else AWS_ERROR
