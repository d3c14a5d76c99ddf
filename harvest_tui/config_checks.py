"""Checking a profiles file: every failure names the file, the line and the key at fault.

config.py defines the profiles and finds, loads and writes the file; this module
turns a parsed TOML document into those dataclasses, or into a ConfigError that says
what is wrong and how to fix it. Flags and environment variables are checked with
the same functions (CHECKS).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from harvest_tui.profiles import (
    SECRET_WORDS,
    SECRETS_ADVICE,
    Config,
    ConfigError,
    Profile,
    Settings,
)
from harvest_tui.safe_text import clean

_TYPES = {bool: "boolean", int: "integer", float: "float", str: "string", list: "array"}
# kind -> (Python types accepted, what the message says is expected)
_KINDS: dict[type, tuple[Any, str]] = {
    bool: (bool, "a boolean (true or false)"),
    int: (int, "a whole number"),
    float: ((int, float), "a number"),
    str: (str, "a string"),
    list: ((list, tuple), 'an array like ["us-east-1"]'),
    dict: (dict, "a table"),
}


JOB_ORDERS = ("newest", "name")  # [settings] job_order: by CreatedAt, newest first, or by name
TREE_WIDTHS = (15, 85)  # [settings] tree_width: the range [ and ] move in, in %


class Reader:
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
            kind = type(fallback) if isinstance(fallback, bool | int | str) else float
            value = self.get(raw, key, kind, ("settings",))
            if kind in (int, float) and value is not None and not 0 < value < float("inf"):
                # As written: an integer setting read as a float is still shown as -1.
                self.fail(("settings",), key, f"{key} must be more than 0, found {raw[key]}.")
            values[key] = fallback if value is None else value
        settings = Settings(**values)
        if settings.job_order not in JOB_ORDERS:
            choices = " or ".join(f'"{o}"' for o in JOB_ORDERS)
            found = f"found {show(settings.job_order)}.{suggest(settings.job_order, JOB_ORDERS)}"
            self.fail(("settings",), "job_order", f"job_order must be {choices}, {found}")
        if not TREE_WIDTHS[0] <= settings.tree_width <= TREE_WIDTHS[1]:
            low, high = TREE_WIDTHS
            problem = f"tree_width is a percentage of the screen from {low} to {high}"
            self.fail(("settings",), "tree_width", f"{problem}, found {settings.tree_width}.")
        if settings.poll_max_interval_seconds < settings.poll_interval_seconds:
            problem = "poll_max_interval_seconds must not be less than poll_interval_seconds."
            self.fail(("settings",), "poll_max_interval_seconds", problem)
        tables = self.get(doc, "profiles", dict, ()) or {}
        profiles = {name: self.profile(name, table) for name, table in tables.items()}
        if default is not None and default not in profiles:
            known = ", ".join(f'"{name}"' for name in profiles) or "none"
            problem = f'default_profile = "{default}" names no profile in this file.'
            hint = suggest(default, profiles)
            self.fail((), "default_profile", f"{problem}{hint} Profiles defined here: {known}.")
        return Config(self.path, default, profiles, settings)

    def profile(self, name: str, raw: Any) -> Profile:
        table = ("profiles", name)
        if not isinstance(raw, dict):
            problem = f'"{name}" must be a table [profiles.{name}], found {type_name(raw)}'
            self.fail(("profiles",), name, f"{problem} {show(raw)}.")
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
                wrong = f"regions must hold strings, found {type_name(region)} {show(region)}."
                self.fail(table, "regions", wrong)
            if bad_region := region_problem(region):
                self.fail(table, "regions", f"regions: {bad_region}")
        endpoint = self.get(raw, "endpoint_url", str, table)
        if endpoint is not None and (bad_url := endpoint_problem(endpoint)):
            self.fail(table, "endpoint_url", bad_url)
        bucket = self.get(raw, "default_bucket", str, table)
        if bucket is not None and (bad_bucket := bucket_problem(bucket)):
            self.fail(table, "default_bucket", f"default_bucket {show(bucket)}: {bad_bucket}.")
        path = self.get(raw, "default_path", str, table)
        if path is not None and (bad_path := path_problem(path)):
            self.fail(table, "default_path", f"default_path {show(path)}: {bad_path}.")
        return Profile(
            name=name,
            aws_profile=aws_profile,
            regions=tuple(dict.fromkeys(regions)),
            endpoint_url=endpoint,
            read_only=bool(self.get(raw, "read_only", bool, table)),
            production=bool(self.get(raw, "production", bool, table)),
            default_bucket=bucket,
            default_path=path,
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
                problem = f'unknown key "{key}" (value {show(value)}).{suggest(key, known)}'
                self.fail(table, key, f"{problem} Known keys here: {', '.join(known)}.")

    def get(self, raw: dict[str, Any], key: str, kind: type, table: tuple[str, ...]) -> Any:
        """raw[key] checked against a TOML type; a float also takes integers, never booleans."""
        value = raw.get(key)
        if value is None:
            return None
        accepted, expected = _KINDS[kind]
        if isinstance(value, bool) == (kind is bool) and isinstance(value, accepted):
            return float(value) if kind is float else value
        problem = f"{key} must be {expected}, found {type_name(value)} {show(value)}."
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


# What every region name looks like (ASCII only: the partitions' patterns use \w and \d).
_REGION_SHAPE = re.compile(r"[a-z]{2,}(-[a-z]+)+-[0-9]+", re.ASCII)


def region_problem(region: str) -> str | None:
    """Known to botocore, or shaped like a region of some partition (so new ones pass)."""
    known, patterns = known_regions()
    if region in known:
        return None
    if _REGION_SHAPE.fullmatch(region) and any(p.fullmatch(region) for p in patterns):
        return None
    return f"{show(region)} is not an AWS region.{suggest(region, sorted(known))}"


@lru_cache(maxsize=1)
def known_regions() -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    """Every region of every partition in botocore's data, read without importing it
    (partitions.json: 7 KB; the older endpoints.json, 1.2 MB, is the fallback)."""
    import importlib.util
    import json

    def gunzip(file: Path, mode: str, encoding: str) -> Any:
        import gzip  # only for a botocore that ships its data compressed

        return gzip.open(file, mode, encoding=encoding)

    spec = importlib.util.find_spec("botocore")
    for base in (spec.submodule_search_locations or []) if spec else []:
        for name, opener in (
            ("partitions.json", open),
            ("endpoints.json", open),
            ("endpoints.json.gz", gunzip),
        ):
            file = Path(base) / "data" / name
            if file.is_file():
                with opener(file, "rt", encoding="utf-8") as stream:
                    partitions = json.load(stream)["partitions"]
                regions = frozenset(r for p in partitions for r in p.get("regions", {}))
                return regions, tuple(re.compile(p["regionRegex"]) for p in partitions)
    return frozenset(), (re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$"),)


PATH_PLACEHOLDERS = ("group", "channel", "endpoint", "job")


def bucket_problem(bucket: str) -> str | None:
    """S3's bucket-name rules, as the create form and `jobs create` check them."""
    from harvest_tui.job_spec import check_bucket  # reads botocore's model: only when set

    return check_bucket(bucket)


def path_problem(path: str) -> str | None:
    """An S3 path template: no whitespace, and only the placeholders the form fills in."""
    import string

    if not path.strip() or any(ch.isspace() for ch in path):
        return "an S3 path is not empty and has no spaces"
    try:
        names = [field for _, field, _, _ in string.Formatter().parse(path) if field is not None]
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    unknown = [n for n in names if n not in PATH_PLACEHOLDERS]
    if unknown:
        known = ", ".join(f"{{{n}}}" for n in PATH_PLACEHOLDERS)
        return f"unknown placeholder {{{unknown[0]}}} (known: {known})"
    return None


def fill_path(template: str, *, group: str, channel: str, endpoint: str, job: str) -> str:
    """The path a template names for one job (a template path_problem accepted)."""
    return template.format(group=group, channel=channel, endpoint=endpoint, job=job)


def endpoint_problem(url: str) -> str | None:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        parts = None
    if parts is not None and (parts.username or parts.password):
        return f"endpoint_url must not contain user:password@. {SECRETS_ADVICE}"
    ok = (
        parts is not None
        and parts.scheme in ("http", "https")
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
        and url.isprintable()
        and " " not in url
        and re.fullmatch(r"[\w.:-]+", parts.hostname or "", re.ASCII) is not None
    )
    if not ok:
        example = '"http://127.0.0.1:8080"'
        return f"endpoint_url must be http(s)://host[:port] like {example}, found {show(url)}."
    return None


CHECKS: dict[str, Callable[[str], str | None]] = {
    "regions": region_problem,
    "endpoint_url": endpoint_problem,
}


def syntax_message(path: Path, text: str, message: str) -> str:
    """tomllib's "(at line X, column Y)" made plain, with the offending line and a caret."""
    found = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if not found:
        reason = message.removesuffix(" (at end of document)")
        end = f"the end of the file (line {len(text.splitlines())})"
        return f"Config file {path} is not valid TOML: {reason} at {end}."
    line, column = int(found[1]), int(found[2])
    snippet = (text.splitlines()[line - 1 : line] or [""])[0]
    # The line as it will be shown (escapes are wider than what they stand for), so the
    # caret still points at the column.
    caret = len(clean(snippet[: column - 1]))
    return (
        f"Config file {path} is not valid TOML: {message[: found.start()]} at line {line}, "
        f"column {column}:\n    {clean(snippet)}\n    {' ' * caret}^"
    )


def suggest(word: str, choices: Any) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' Did you mean "{close[0]}"?' if close else ""


def show(value: Any) -> str:
    import json

    shown = json.dumps(value, default=str, ensure_ascii=False)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def type_name(value: Any) -> str:
    return "table" if isinstance(value, dict) else _TYPES.get(type(value), type(value).__name__)
