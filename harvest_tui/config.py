"""Profiles config: where the TOML file lives, what it may say, and which profile is active.

Everything a user can get wrong here ends in a ConfigError whose text is a paragraph the CLI
prints as is, so each message names the file, the place, the offending value and a fix. The
module imports neither textual nor boto3 (it reads botocore's region list as plain JSON), so
`--help` and config errors stay fast.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

APP_NAME = "harvest-tui"
CONFIG_ENV = "HARVEST_TUI_CONFIG"
# AWS_REGION first, as the AWS CLI v2 and the other SDKs do; botocore alone reads only the latter.
REGION_ENVS = ("AWS_REGION", "AWS_DEFAULT_REGION")
ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_MEDIAPACKAGEV2", "AWS_ENDPOINT_URL")
SECRET_WORDS = ("secret", "password", "token", "access_key")
SECRETS_ADVICE = (
    "Secrets do not belong in this file: keep credentials in ~/.aws/credentials or sign in "
    "with SSO (aws sso login), and name that AWS profile here with aws_profile."
)


class ConfigError(Exception):
    """A config problem explained for a person: the CLI prints str(e) and exits with exit_code."""

    exit_code = 2


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


@dataclass(frozen=True)
class Settings:
    """App-wide behaviour from the [settings] table."""

    poll_interval_seconds: float = 2.0
    poll_max_interval_seconds: float = 30.0
    bell: bool = True
    local_time: bool = False
    debug_log: bool = False


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


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def config_path(cli_path: str | None, environ: Mapping[str, str]) -> Path:
    """--config, else HARVEST_TUI_CONFIG, else the platform's config dir."""
    if cli_path:
        return Path(cli_path).expanduser()
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    return default_config_path()


def load_config(path: Path, *, must_exist: bool) -> Config | None:
    """The config at path, or None when it is absent and nobody named it explicitly."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not must_exist:
            return None
        raise ConfigError(
            f"Config file {path} does not exist. It was named by --config or {CONFIG_ENV}: "
            "fix the path, or write a starter file there with `harvest-tui config init`."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}.") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(path, text, str(exc))) from None
    return _Reader(path, text).config(doc)


def save_config(config: Config, path: Path) -> None:
    """Write config atomically with user-only permissions; comments in the file are lost.

    The document is validated first, so a save never leaves a file that won't load.
    """
    import tomli_w

    profiles = {
        name: {k: v for k, v in asdict(p).items() if k != "name" and v is not None}
        for name, p in config.profiles.items()
    }
    doc = {"default_profile": config.default_profile, "settings": asdict(config.settings)}
    doc = {k: v for k, v in doc.items() if v is not None} | {"profiles": profiles}
    _Reader(path, "").config(doc)
    _write_private(path, tomli_w.dumps(doc))


def init_config(path: Path, force: bool = False) -> Path:
    """Write the commented starter file; an existing file is only replaced with force."""
    if path.exists() and not force:
        raise ConfigError(
            f"Config file {path} already exists; leaving it alone. To replace it with a fresh "
            "starter file, run the same command with --force (harvest-tui config init --force)."
        )
    _write_private(path, STARTER_CONFIG)
    return path


def resolve_profile(
    config: Config | None,
    *,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    environ: Mapping[str, str],
) -> ActiveProfile:
    """Pick the profile (flag, file default, AWS defaults), then apply flags and AWS env vars.

    A --profile the file doesn't define is taken as an AWS named profile, so the app works
    without any config file. Flags override only when given; env vars only fill gaps.
    """
    if config is not None and not profile:
        profile = config.default_profile
    from_config = config is not None and profile in config.profiles
    if config is not None and profile in config.profiles:
        base, source = config.profiles[profile], f"config file {_display(config.path)}"
    elif profile:
        base, source = Profile(name=profile, aws_profile=profile), "command line"
    else:
        base, source = Profile(name=environ.get("AWS_PROFILE") or "default"), "AWS defaults"
    ignore = environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true"
    candidates = [
        ("--region", region, "regions", True),
        ("--endpoint-url", endpoint_url, "endpoint_url", True),
        ("AWS_PROFILE", environ.get("AWS_PROFILE"), "aws_profile", False),
        *((name, environ.get(name), "regions", False) for name in REGION_ENVS),
        *(
            (name, None if ignore else environ.get(name), "endpoint_url", False)
            for name in ENDPOINT_ENVS
        ),
    ]
    notes: list[str] = []
    for origin, value, attr, overrides in candidates:
        if not value or (getattr(base, attr) and not overrides):
            continue
        check = _CHECKS.get(attr)
        problem = check(value) if check else None
        if problem:
            where = origin if origin.startswith("--") else f"Environment variable {origin}"
            raise ConfigError(f"{where}: {problem}")
        base = replace(base, **{attr: (value,) if attr == "regions" else value})
        notes.append(origin)
    if notes:
        source += f" (with {', '.join(notes)})"
    values = {f.name: getattr(base, f.name) for f in fields(Profile)}
    return ActiveProfile(**values, source=source, from_config=from_config)


def switcher_entries(config: Config | None, active: ActiveProfile) -> list[tuple[Profile, str]]:
    """One (profile, region) per row of the profile switcher, in file order.

    The active profile's rows (with its overrides) replace the front of its file rows, or come
    first when it isn't from the file. Region "" means "the AWS default region": to switch to
    such a row, call resolve_profile(profile=name, region=None) so the environment fills it in.
    """
    current = [(active.profile, region) for region in active.regions or ("",)]
    entries = [] if active.from_config else list(current)
    for profile in config.profiles.values() if config else ():
        if active.from_config and profile.name == active.name:
            entries += current
            entries += [(profile, r) for r in profile.regions if r not in active.regions]
        else:
            entries += [(profile, region) for region in profile.regions or ("",)]
    return entries


_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
# kind -> (Python types accepted, what the message says is expected)
_KINDS: dict[type, tuple[Any, str]] = {
    bool: (bool, "a boolean (true or false)"),
    float: ((int, float), "a number"),
    str: (str, "a string"),
    list: ((list, tuple), 'an array like ["us-east-1"]'),
    dict: (dict, "a table"),
}


class _Reader:
    """Validates a parsed document; every failure names the file, the line if found, the table."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.lines = path, text.splitlines()

    def config(self, doc: dict[str, Any]) -> Config:
        self.refuse_secrets(doc, ())
        self.check_keys(doc, ("default_profile", "settings", "profiles"), ())
        default = self.get(doc, "default_profile", str, ())
        raw = self.get(doc, "settings", dict, ()) or {}
        self.check_keys(raw, tuple(f.name for f in fields(Settings)), ("settings",))
        values: dict[str, Any] = {}
        for key, fallback in asdict(Settings()).items():
            kind = bool if isinstance(fallback, bool) else float
            value = self.get(raw, key, kind, ("settings",))
            if kind is float and value is not None and not 0 < value < float("inf"):
                self.fail(("settings",), key, f"{key} must be more than 0, found {value}.")
            values[key] = fallback if value is None else value
        settings = Settings(**values)
        if settings.poll_max_interval_seconds < settings.poll_interval_seconds:
            problem = "poll_max_interval_seconds must not be less than poll_interval_seconds."
            self.fail(("settings",), "poll_max_interval_seconds", problem)
        tables = self.get(doc, "profiles", dict, ()) or {}
        profiles = {name: self.profile(name, table) for name, table in tables.items()}
        if default is not None and default not in profiles:
            known = ", ".join(f'"{name}"' for name in profiles) or "none"
            problem = f'default_profile = "{default}" names no profile in this file.'
            hint = _suggest(default, profiles)
            self.fail((), "default_profile", f"{problem}{hint} Profiles defined here: {known}.")
        return Config(self.path, default, profiles, settings)

    def profile(self, name: str, raw: Any) -> Profile:
        table = ("profiles", name)
        if not isinstance(raw, dict):
            problem = f'"{name}" must be a table [profiles.{name}], found {_type(raw)}'
            self.fail(("profiles",), name, f"{problem} {_show(raw)}.")
        if not name.strip():
            self.fail(table, None, "a profile name must not be empty.")
        self.check_keys(raw, tuple(f.name for f in fields(Profile))[1:], table)
        aws_profile = self.get(raw, "aws_profile", str, table)
        if aws_profile is not None and not aws_profile.strip():
            problem = "aws_profile must not be empty; leave it out for the default credentials."
            self.fail(table, "aws_profile", problem)
        regions = self.get(raw, "regions", list, table) or []
        for region in regions:
            if not isinstance(region, str):
                problem = f"regions must hold strings, found {_type(region)} {_show(region)}."
                self.fail(table, "regions", problem)
            if problem := _region_problem(region):
                self.fail(table, "regions", f"regions: {problem}")
        endpoint = self.get(raw, "endpoint_url", str, table)
        if endpoint is not None and (problem := _endpoint_problem(endpoint)):
            self.fail(table, "endpoint_url", problem)
        return Profile(
            name=name,
            aws_profile=aws_profile,
            regions=tuple(dict.fromkeys(regions)),
            endpoint_url=endpoint,
            read_only=bool(self.get(raw, "read_only", bool, table)),
            production=bool(self.get(raw, "production", bool, table)),
        )

    def refuse_secrets(self, value: Any, table: tuple[str, ...]) -> None:
        """Any key that looks like a credential, anywhere; profile names are exempt."""
        for key, item in value.items() if isinstance(value, dict) else ():
            if table != ("profiles",) and any(word in key.lower() for word in SECRET_WORDS):
                self.fail(table, key, f'the key "{key}" looks like a secret. {SECRETS_ADVICE}')
            self.refuse_secrets(item, (*table, key))
        for item in value if isinstance(value, list) else ():
            self.refuse_secrets(item, table)

    def check_keys(
        self, raw: dict[str, Any], known: tuple[str, ...], table: tuple[str, ...]
    ) -> None:
        for key, value in raw.items():
            if key not in known:
                problem = f'unknown key "{key}" (value {_show(value)}).{_suggest(key, known)}'
                self.fail(table, key, f"{problem} Known keys here: {', '.join(known)}.")

    def get(self, raw: dict[str, Any], key: str, kind: type, table: tuple[str, ...]) -> Any:
        """raw[key] checked against a TOML type; a float also takes integers, never booleans."""
        value = raw.get(key)
        if value is None:
            return None
        accepted, expected = _KINDS[kind]
        if isinstance(value, bool) == (kind is bool) and isinstance(value, accepted):
            return float(value) if kind is float else value
        problem = f"{key} must be {expected}, found {_type(value)} {_show(value)}."
        self.fail(table, key, problem)

    def fail(self, table: tuple[str, ...], key: str | None, problem: str) -> NoReturn:
        line = self.line_of(table, key)
        at = f", line {line}" if line else ""
        place = f"in [{'.'.join(table)}], " if table else ""
        raise ConfigError(f"Config file {self.path}{at}: {place}{problem}")

    def line_of(self, table: tuple[str, ...], key: str | None) -> int | None:
        """Best effort: keys inside inline tables or dotted across tables are not traced."""
        current, wanted = "", ".".join(table)
        full = ".".join((*table, key)) if key else wanted
        assign = re.compile(rf"""\s*["']?{re.escape(key or "")}["']?\s*[=.]""")
        for number, text in enumerate(self.lines, 1):
            if header := re.match(r"\s*\[\s*([^\[\]]+?)\s*\]", text):
                current = ".".join(p.strip().strip("\"'") for p in header[1].split("."))
                if current == full or (key and current.startswith(full + ".")):
                    return number
            elif key and current == wanted and assign.match(text):
                return number
        return None


def _region_problem(region: str) -> str | None:
    """Known to botocore, or shaped like a region of some partition (so new ones pass)."""
    known, patterns = _known_regions()
    if region in known or any(p.match(region) for p in patterns):
        return None
    return f'"{region}" is not an AWS region.{_suggest(region, sorted(known))}'


@lru_cache(maxsize=1)
def _known_regions() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """Every region of every partition in botocore's data, read without importing it
    (partitions.json: 7 KB; the older endpoints.json, 1.2 MB, is the fallback)."""
    import gzip
    import importlib.util
    import json

    spec = importlib.util.find_spec("botocore")
    for base in (spec.submodule_search_locations or []) if spec else []:
        for name, opener in (
            ("partitions.json", open),
            ("endpoints.json", open),
            ("endpoints.json.gz", gzip.open),
        ):
            file = Path(base) / "data" / name
            if file.is_file():
                with opener(file, "rt", encoding="utf-8") as stream:
                    partitions = json.load(stream)["partitions"]
                regions = frozenset(r for p in partitions for r in p.get("regions", {}))
                return regions, tuple(re.compile(p["regionRegex"]) for p in partitions)
    return frozenset(), (re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"),)


def _endpoint_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is not None and (parts.username or parts.password):
        return f"endpoint_url must not contain user:password@. {SECRETS_ADVICE}"
    ok = parts and parts.scheme in ("http", "https") and parts.path in ("", "/")
    ok = ok and re.fullmatch(r"[\w.:-]+", parts.hostname or "") and not parts.query
    if not ok or parts.fragment:
        example = '"http://127.0.0.1:8080"'
        return f"endpoint_url must be http(s)://host[:port] like {example}, found {_show(url)}."
    return None


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "regions": _region_problem,
    "endpoint_url": _endpoint_problem,
}


def _syntax_message(path: Path, text: str, message: str) -> str:
    """tomllib's "(at line X, column Y)" made plain, with the offending line and a caret."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if not found:
        reason = message.removesuffix(" (at end of document)")
        end = f"the end of the file (line {len(text.splitlines())})"
        return f"Config file {path} is not valid TOML: {reason} at {end}."
    line, column = int(found[1]), int(found[2])
    snippet = (text.splitlines()[line - 1 : line] or [""])[0]
    return (
        f"Config file {path} is not valid TOML: {message[: found.start()]} at line {line}, "
        f"column {column}:\n    {snippet}\n    {' ' * (column - 1)}^"
    )


def _write_private(path: Path, text: str) -> None:
    """Temp file + os.replace, so a failure leaves the old file whole; 0o600 in a 0o700 dir."""
    import tempfile

    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(f"Cannot write config file {path}: {exc}.") from None


def _suggest(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def _show(value: Any) -> str:
    import json

    shown = json.dumps(value, default=str, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _type(value: Any) -> str:
    return "table" if isinstance(value, dict) else _TYPES.get(type(value), type(value).__name__)


def _display(path: Path | None) -> str:
    if path is None:
        return "(in memory)"
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(path)


STARTER_CONFIG = Path(__file__).with_name("starter_config.toml").read_text(encoding="utf-8")
