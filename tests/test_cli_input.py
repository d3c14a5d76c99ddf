"""What the command line accepts, and what it prints back: exit 2 and one clean line, never
a traceback, whatever the flag values or the config file hold."""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harvest_tui.cli import MAX_SEED, MAX_SPEED, build_parser
from harvest_tui.config_checks import endpoint_problem, region_problem

ESC = "\x1b"
UNSAFE = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def value_flags(parser: argparse.ArgumentParser) -> list[str]:
    """Every option of `parser` that takes a value."""
    return sorted(
        action.option_strings[-1]
        for action in parser._actions
        if action.option_strings and action.nargs != 0
    )


def subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices[name]
    raise LookupError(name)


MAIN_FLAGS = value_flags(build_parser([]))
SANDBOX_FLAGS = value_flags(subparser(build_parser(["sandbox"]), "sandbox"))

NASTY = [
    "", " ", "0", "-0", "-1", "1", "nan", "NaN", "inf", "-inf", "1e308", "1e309", "1e-320",
    "9" * 5000, str(2**64), "0x10", "1_000", "\x00", "\x1b[2J", "\x1b]0;pwned\x07", "\u202e",
    "us-east-1\n", "us-east-1\x1b", "http://", "http://h:99999", "http://[::1", "ftp://h",
    "-", "--", "--help", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
    "\udcff", "a" * 10000,
]  # fmt: skip
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(),
    st.text(st.characters(codec="ascii")),
    st.floats().map(repr),
    st.integers().map(str),
    st.integers(min_value=-(10**400), max_value=10**400).map(str),
)


def parse(argv: list[str]) -> tuple[int | str | None, argparse.Namespace | None, str]:
    """(exit code or None, the namespace when parsing succeeded, what went to stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            return None, build_parser(argv).parse_args(argv), err.getvalue()
        except SystemExit as exc:
            return exc.code, None, err.getvalue()


def check(argv: list[str]) -> argparse.Namespace | None:
    code, args, err = parse(argv)
    if args is None:
        assert code in (0, 2), (argv, code)
    if code == 2:
        assert err.count("\n") == 1 and err.endswith("\n"), err
        assert not [c for c in err[:-1] if unicodedata.category(c) in UNSAFE], err
        assert ESC not in err
    return args


def argv_for(prefix: list[str], flag: str, value: str, joined: bool) -> list[str]:
    return [*prefix, f"{flag}={value}"] if joined else [*prefix, flag, value]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MAIN_FLAGS), values, st.booleans())
def test_every_flag_of_the_app_parses_or_exits_2(flag: str, value: str, joined: bool) -> None:
    args = check(argv_for([], flag, value, joined))
    if args is None:
        return
    assert math.isfinite(args.speed) and 0 < args.speed <= MAX_SPEED
    assert 0 <= args.seed <= MAX_SEED
    assert args.region is None or region_problem(args.region) is None
    assert args.endpoint_url is None or endpoint_problem(args.endpoint_url) is None
    assert args.profile is None or (args.profile.isprintable() and args.profile.strip())
    assert args.config is None or (args.config and "\0" not in args.config)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([f for f in SANDBOX_FLAGS if f != "--frozen-at"]), values, st.booleans())
def test_every_flag_of_the_sandbox_command_parses_or_exits_2(
    flag: str, value: str, joined: bool
) -> None:
    check(argv_for(["sandbox"], flag, value, joined))


@settings(max_examples=100, deadline=None)
@given(values, st.booleans())
@example(value="0001-01-01T00:00:00+01:00", joined=False)
def test_the_sandbox_frozen_at_flag_parses_or_exits_2(value: str, joined: bool) -> None:
    check(argv_for(["sandbox"], "--frozen-at", value, joined))


def test_the_flags_are_all_covered() -> None:
    assert MAIN_FLAGS == [
        "--config",
        "--endpoint-url",
        "--profile",
        "--region",
        "--seed",
        "--speed",
    ]
    assert {"--speed", "--seed", "--port", "--frozen-at"} <= set(SANDBOX_FLAGS)


@pytest.mark.parametrize(
    "argv",
    [
        ["--speed", "0"],
        ["--speed=-1"],
        ["--speed", "nan"],
        ["--speed", "inf"],
        ["--speed", "1e308"],
        ["--speed", "1000001"],
        ["--seed", "-1"],
        ["--seed", str(2**64)],
        ["--seed", "9" * 5000],
        ["--seed", "3" * 400],  # beyond a float: must not raise OverflowError
        ["--region", "us-east-1\n"],
        ["--region", "us-é-1"],
        ["--region", "Us-East-1"],
        ["--endpoint-url", "ftp://h"],
        ["--endpoint-url", "http://"],
        ["--endpoint-url", "http://h\n"],
        ["--profile", "a\x07b"],
        ["--profile", ""],
        ["--config", "a\x00b"],
        ["--config", ""],
    ],
)
def test_bad_values_exit_2(argv: list[str]) -> None:
    code, args, err = parse(argv)
    assert code == 2 and args is None
    assert err.startswith(f"harvest-tui: error: argument {argv[0].split('=')[0]}: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["--speed", "0.5"],
        ["--speed", "1000000"],
        ["--seed", "0"],
        ["--seed", str(MAX_SEED)],
        ["--region", "eu-west-1"],
        ["--region", "us-gov-west-1"],
        ["--region", "ap-southeast-9"],  # not yet known, shaped like the partition's
        ["--endpoint-url", "http://127.0.0.1:8080"],
        ["--endpoint-url", "https://mediapackagev2.us-east-1.amazonaws.com/"],
        ["--profile", "media-prod"],
        ["--profile", "prod é"],
        ["--config", "~/my config.toml"],
    ],
)
def test_good_values_parse(argv: list[str]) -> None:
    code, args, err = parse(argv)
    assert code is None and args is not None and err == ""


def run_cli(
    *argv: str, tmp_path: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    home = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    return subprocess.run(
        [sys.executable, "-m", "harvest_tui.cli", *argv],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        timeout=30,
        env={**os.environ, **home, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--sandbox", "--speed", "0"],
        ["--sandbox", "--speed", "nan"],
        ["--sandbox", "--speed", "1e308"],
        ["--sandbox", "--seed", "1e3"],
        ["--region", f"us-east-1{ESC}]0;pwned\a{ESC}[2J"],
        ["--profile", f"x{ESC}[2J", "config", "path"],
    ],
)
def test_the_real_command_exits_2_with_one_clean_line(tmp_path: Path, argv: list[str]) -> None:
    result = run_cli(*argv, tmp_path=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1
    assert ESC not in result.stderr


HOSTILE_CONFIGS = {
    "key": '"ev\\u001b]0;pwned\\u0007il" = 1\n',
    "default_profile": 'default_profile = "\\u001b[2J\\u001b]0;pwned\\u0007"\n',
    "profile name": '[profiles."p\\u001b[2J"]\nregions = ["us-east-9x"]\n',
    "region": '[profiles.p]\nregions = ["us-east-1\\u001b[2J"]\n',
    "syntax": f"# a comment with {ESC}[2J in it\n",
    "secret": f'"token{ESC}" = 1\n'.replace(ESC, "\\u001b"),
}


@pytest.mark.parametrize("text", HOSTILE_CONFIGS.values(), ids=HOSTILE_CONFIGS.keys())
def test_config_errors_reach_the_terminal_escaped(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("--config", str(path), tmp_path=tmp_path)
    assert result.returncode == 2, result
    assert result.stderr.startswith("harvest-tui: Config file")
    assert "Traceback" not in result.stderr
    assert ESC not in result.stderr and "\a" not in result.stderr
    assert "\\x1b" in result.stderr or "\\u001b" in result.stderr


def test_an_escape_in_a_config_path_is_printed_escaped(tmp_path: Path) -> None:
    name = str(tmp_path / f"x{ESC}[2J.toml")
    result = run_cli("config", "path", tmp_path=tmp_path, env={"HARVEST_TUI_CONFIG": name})
    assert result.returncode == 0
    assert result.stdout == name.replace(ESC, "\\x1b") + "\n"
    missing = run_cli("--config", name, tmp_path=tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert ESC not in missing.stderr
