"""The profiles config's data: profiles, settings, the whole file, and its one error type.

A module of its own so that config.py (finding, reading, writing the file) and
config_checks.py (validating it) both use these without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from harvest_tui.safe_text import clean

SECRET_WORDS = ("secret", "password", "token", "access_key")
SECRETS_ADVICE = (
    "Secrets do not belong in this file: keep credentials in ~/.aws/credentials or sign in "
    "with SSO (aws sso login), and name that AWS profile here with aws_profile."
)


class ConfigError(Exception):
    """A config problem explained for a person: the CLI prints str(e) and exits with exit_code.

    The message quotes the file's keys and values, so it is made terminal-safe here, once:
    an escape sequence in a key shows as ``\\x1b`` wherever the message is printed.
    """

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(clean(message, multiline=True))


@dataclass(frozen=True)
class Profile:
    """One way to reach MediaPackage: whose credentials, which regions, which endpoint.

    aws_profile None means botocore's default credential chain; empty regions mean the AWS
    default region (environment, then ~/.aws/config).
    """

    name: str
    aws_profile: str | None = None
    regions: tuple[str, ...] = ()
    endpoint_url: str | None = None
    read_only: bool = False
    production: bool = False
    default_bucket: str | None = None  # the create form's bucket
    default_path: str | None = None  # the create form's path: {group}, {channel}, {endpoint}, {job}


@dataclass(frozen=True)
class Settings:
    """App-wide behaviour from the [settings] table."""

    poll_interval_seconds: float = 2.0
    poll_max_interval_seconds: float = 30.0
    bell: bool = True
    local_time: bool = False
    debug_log: bool = False
    active_job_quota: int = 10  # queued + in-progress harvest jobs per channel group
    fleet_concurrency: int = 8  # profile-regions the fleet view (F) loads at once
    fleet_workers: int = 4  # service worker processes the fleet uses, at most one per core
    poll_groups: bool = True  # list each open channel group's active jobs (quota, counts)
    job_order: str = "newest"  # an endpoint's jobs: "newest" (by CreatedAt) or "name"
    ascii: bool = False  # ASCII glyphs only (tree guides, statuses, node kinds)
    tree_width: int = 45  # the tree pane's width, % of the screen ([ and ] remember it)
    prefetch: bool = True  # a collapsed group or channel the cursor rests on: list it
    cache: bool = True  # the warm start: the last view cached, shown at once (view_cache)


@dataclass(frozen=True)
class Config:
    """A loaded file; profiles keep the file's order because the switcher shows them that way."""

    path: Path | None
    default_profile: str | None = None
    profiles: dict[str, Profile] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)


@dataclass(frozen=True)
class ActiveProfile(Profile):
    """The profile in use once flags and AWS environment variables are applied.

    source says where it came from (for the header and bug reports); from_config tells the
    switcher that it stands for the file's profile of the same name.
    """

    source: str = field(kw_only=True)
    from_config: bool = field(default=False, kw_only=True)

    @property
    def profile(self) -> Profile:
        return Profile(**{f.name: getattr(self, f.name) for f in fields(Profile)})
