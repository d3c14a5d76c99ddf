"""Profiles config: where the TOML file lives, what it may say, and which profile is active.

Everything a user can get wrong here ends in a ConfigError whose text is a paragraph the CLI
prints as is, so each message names the file, the place, the offending value and a fix; the
checks that write those messages are in config_checks.py. Neither module imports textual or
boto3 (botocore's region list is read as plain JSON), so `--help` and config errors stay fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, fields, replace
from pathlib import Path
from typing import Any

APP_NAME = "harvest-tui"
CONFIG_ENV = "HARVEST_TUI_CONFIG"
# AWS_REGION first, as the AWS CLI v2 and the other SDKs do; botocore alone reads only the latter.
REGION_ENVS = ("AWS_REGION", "AWS_DEFAULT_REGION")
ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_MEDIAPACKAGEV2", "AWS_ENDPOINT_URL")
from harvest_tui.profiles import (  # noqa: E402  (re-exported: the config's types)
    SECRET_WORDS,
    SECRETS_ADVICE,
    ActiveProfile,
    Config,
    ConfigError,
    Profile,
    Settings,
)

__all__ = [
    "SECRETS_ADVICE",
    "SECRET_WORDS",
    "ActiveProfile",
    "Config",
    "ConfigError",
    "Profile",
    "Settings",
]


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
    try:
        # utf-8-sig: Windows editors (Notepad) start the file with a BOM; tomllib refuses it.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if not must_exist:
            return None
        raise ConfigError(
            f"Config file {path} does not exist. It was named by --config or {CONFIG_ENV}: "
            "fix the path, or write a starter file there with `harvest-tui config init`."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}.") from None
    # Only now: with no config file (the AWS defaults), start-up does without them.
    import tomllib

    from harvest_tui.config_checks import Reader, syntax_message

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(syntax_message(path, text, str(exc))) from None
    return Reader(path, text).config(doc)


def save_config(config: Config, path: Path) -> None:
    """Write config atomically with user-only permissions; comments in the file are lost.

    The document is validated first, so a save never leaves a file that won't load.
    """
    import tomli_w

    from harvest_tui.config_checks import Reader

    profiles = {
        name: {k: v for k, v in asdict(p).items() if k != "name" and v is not None}
        for name, p in config.profiles.items()
    }
    doc: dict[str, Any] = {
        "default_profile": config.default_profile,
        "settings": asdict(config.settings),
    }
    doc = {k: v for k, v in doc.items() if v is not None} | {"profiles": profiles}
    Reader(path, "").config(doc)
    _write_private(path, tomli_w.dumps(doc))


def remember_setting(path: Path, key: str, value: int | bool | str) -> None:
    """Set `key = value` in the file's [settings] table, keeping the rest of the file (its
    comments too) as it is; a file that does not exist yet gets just that table.

    The new text is validated before it is written (atomically, by safe_files), so a
    remembered setting never leaves a file that won't load.
    """
    import re
    import tomllib

    import tomli_w

    from harvest_tui.config_checks import Reader

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}.") from None
    line = tomli_w.dumps({key: value}).strip()
    lines = text.splitlines()
    table = ""
    at = None  # where the [settings] table's lines end (or the key's line)
    for number, current in enumerate(lines):
        if header := re.match(r"\s*\[\s*([^\[\]]+?)\s*\]", current):
            table = header[1].strip()
            if table == "settings":
                at = number + 1
        elif table == "settings" and re.match(rf"\s*{re.escape(key)}\s*=", current):
            lines[number] = line
            at = -1
            break
    if at is None:
        lines += ["", "[settings]", line] if lines else ["[settings]", line]
    elif at >= 0:
        lines.insert(at, line)
    new_text = "\n".join(lines) + "\n"
    try:
        Reader(path, new_text).config(tomllib.loads(new_text))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Cannot remember {key} in {path}: {exc}.") from None
    _write_private(path, new_text)


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
    """Pick the profile (flag, file default or the file's only profile, AWS defaults), then
    apply flags and AWS env vars.

    A --profile the file doesn't define is taken as an AWS named profile, so the app works
    without any config file. Flags override only when given; env vars only fill gaps.
    """
    from harvest_tui.config_checks import CHECKS

    if config is not None and not profile:
        profile = config.default_profile
        if profile is None and len(config.profiles) == 1:
            profile = next(iter(config.profiles))  # a file's only profile is its default
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
        check = CHECKS.get(attr)
        problem = check(value) if check else None
        if problem:
            where = origin if origin.startswith("--") else f"Environment variable {origin}"
            raise ConfigError(f"{where}: {problem}")
        base = replace(base, **{attr: (value,) if attr == "regions" else value})  # type: ignore[arg-type]
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


def _write_private(path: Path, text: str) -> None:
    """The config file, written by safe_files (atomic, 0o600, never through a link)."""
    from harvest_tui.safe_files import write_private_file

    try:
        write_private_file(path, text)
    except OSError as exc:
        reason = exc.strerror if exc.strerror else str(exc)
        raise ConfigError(f"Cannot write config file {path}: {reason}.") from None


def _display(path: Path | None) -> str:
    if path is None:
        return "(in memory)"
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(path)


STARTER_CONFIG = Path(__file__).with_name("starter_config.toml").read_text(encoding="utf-8")
