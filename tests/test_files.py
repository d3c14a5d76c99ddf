"""safe_files: every file the app writes is a user-only regular file, never a link's target."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harvest_tui import debug_log
from harvest_tui.config import ConfigError, init_config
from harvest_tui.safe_files import (
    MissingDirectoryError,
    UnsafeFileError,
    open_private_append,
    write_private_file,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def char_device(tmp_path: Path) -> Path:
    """A private copy of /dev/null (root only): the real one must never be at risk."""
    path = tmp_path / "null"
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError):
        pytest.skip("cannot create a device node here")
    return path


def specials(tmp_path: Path) -> dict[str, Path]:
    """One of each kind of target that must be refused."""
    target = tmp_path / "target.txt"
    target.write_text("keep me\n")
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    directory = tmp_path / "dir"
    directory.mkdir()
    return {"link": link, "dangling": dangling, "fifo": fifo, "dir": directory}


@pytest.fixture
def old_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("old_umask")
def test_writes_text_and_bytes_user_only_even_with_umask_0(tmp_path: Path) -> None:
    text = tmp_path / "new" / "deep" / "a.toml"
    assert write_private_file(text, "a = 1\nb = 'é'\n") == text
    assert text.read_bytes() == "a = 1\nb = 'é'\n".encode()
    assert mode(text) == 0o600
    assert mode(text.parent) == 0o700
    binary = tmp_path / "b.bin"
    write_private_file(str(binary), b"\x00\xff")
    assert binary.read_bytes() == b"\x00\xff"
    assert mode(binary) == 0o600


def test_replaces_a_regular_file_and_tightens_it(tmp_path: Path) -> None:
    path = tmp_path / "loose.toml"
    path.write_text("old")
    path.chmod(0o644)
    write_private_file(path, "new")
    assert path.read_text() == "new"
    assert mode(path) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["loose.toml"]


def test_make_parents_false_refuses_a_missing_directory_and_creates_none(tmp_path: Path) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    with pytest.raises(MissingDirectoryError) as info:
        write_private_file(missing / "x.csv", "x", make_parents=False)
    assert isinstance(info.value, FileNotFoundError)
    assert str(info.value) == f"no directory {missing}: create it first"
    assert info.value.filename == str(missing)
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "here").mkdir()
    written = write_private_file(tmp_path / "here" / "x.csv", "x", make_parents=False)
    assert written.read_text() == "x" and mode(written) == 0o600


@pytest.mark.parametrize("kind", ["link", "dangling", "fifo", "dir"])
def test_refuses_anything_but_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = specials(tmp_path)[kind]
    before = path.lstat()
    with pytest.raises(UnsafeFileError, match="not a regular file; refusing") as info:
        write_private_file(path, "x")
    assert "\n" not in str(info.value) and str(path) in str(info.value)
    after = path.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert (tmp_path / "target.txt").read_text() == "keep me\n"
    assert not (tmp_path / "nowhere.txt").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_refuses_a_device(tmp_path: Path) -> None:
    device = char_device(tmp_path)
    with pytest.raises(UnsafeFileError, match="is a character device"):
        write_private_file(device, "x")
    with pytest.raises(UnsafeFileError, match="is a character device"):
        open_private_append(device)
    assert stat.S_ISCHR(device.lstat().st_mode)


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keep.toml"
    path.write_text("old")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        write_private_file(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.toml"]


def test_append_creates_user_only_appends_and_tightens(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "app.log"
    with open_private_append(path) as stream:
        stream.write("one\n")
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    path.chmod(0o644)
    with open_private_append(path) as stream:
        stream.write("two\n")
    assert path.read_text() == "one\ntwo\n"
    assert mode(path) == 0o600


@pytest.mark.parametrize("kind", ["link", "dangling", "fifo", "dir"])
def test_append_refuses_anything_but_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = specials(tmp_path)[kind]
    with pytest.raises(UnsafeFileError, match="not a regular file"):
        open_private_append(path)  # a pipe without a reader must not block either
    assert (tmp_path / "target.txt").read_text() == "keep me\n"
    assert not (tmp_path / "nowhere.txt").exists()


@pytest.fixture
def log_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "state" / "harvest-tui.log"
    monkeypatch.setattr(debug_log, "log_path", lambda: path)
    yield path
    debug_log.setup(False)


def test_debug_log_refuses_a_symlink_and_stays_silent(tmp_path: Path, log_file: Path) -> None:
    target = tmp_path / "elsewhere.txt"
    target.write_text("")
    log_file.parent.mkdir()
    log_file.symlink_to(target)
    with pytest.raises(UnsafeFileError, match="symbolic link"):
        debug_log.setup(True)
    logger = logging.getLogger(debug_log.LOGGER_NAME)
    assert not logger.isEnabledFor(logging.DEBUG)
    assert all(isinstance(h, logging.NullHandler) for h in logger.handlers)
    logger.warning("nothing goes anywhere")
    assert target.read_text() == ""


def test_debug_log_appends_to_a_private_file(log_file: Path) -> None:
    log_file.parent.mkdir()
    log_file.write_text("earlier\n")
    log_file.chmod(0o644)
    assert debug_log.setup(True) == log_file
    logging.getLogger("harvest_tui.test").debug("hello")
    debug_log.setup(False)  # closes the file
    lines = log_file.read_text().splitlines()
    assert lines[0] == "earlier" and lines[1].endswith("harvest_tui.test: hello")
    assert mode(log_file) == 0o600


def test_save_and_init_config_refuse_a_symlink(tmp_path: Path) -> None:
    link = specials(tmp_path)["link"]
    with pytest.raises(ConfigError, match=r"Cannot write config file .*link\.toml: it is a"):
        init_config(link, force=True)
    assert link.is_symlink()
    assert (tmp_path / "target.txt").read_text() == "keep me\n"


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harvest_tui.cli", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "cfg")},
        stdin=subprocess.DEVNULL,
    )


def test_cli_config_init_refuses_a_device_or_a_link(tmp_path: Path) -> None:
    link = specials(tmp_path)["link"]
    for target in (link, char_device(tmp_path)):
        before = target.lstat()
        result = run_cli("--config", str(target), "config", "init", "--force", home=tmp_path)
        assert result.returncode == 2, result
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "not a regular file" in result.stderr
        after = target.lstat()
        assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert (tmp_path / "target.txt").read_text() == "keep me\n"


def test_cli_refuses_a_debug_log_that_is_a_symlink(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[settings]\ndebug_log = true\n")
    log = tmp_path / "state" / "harvest-tui" / "log" / "harvest-tui.log"
    log.parent.mkdir(parents=True)
    target = tmp_path / "target.txt"
    target.write_text("")
    log.symlink_to(target)
    result = subprocess.run(
        [sys.executable, "-m", "harvest_tui.cli", "--config", str(config), "--sandbox"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")},
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2, result
    assert result.stderr.startswith("harvest-tui: cannot open the debug log")
    assert "symbolic link" in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert target.read_text() == "" and log.is_symlink()
