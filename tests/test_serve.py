"""`harvest-tui serve`: loopback only unless --allow-remote, the app's command line, and
no process left behind when the server is killed or a tab closes (the real server, a
real websocket as a browser tab opens it, the real app with its worker and sandbox)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest
from browser import free_port, listening
from pilotkit import wait_until

from harvest_tui.cli import add_app_arguments, build_parser
from harvest_tui.serve import app_command, is_loopback

HARVEST_TUI = [sys.executable, "-P", "-m", "harvest_tui.cli"]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = {int(k) for k in (task / "children").read_text().split()}
                todo += list(kids - found)
                found |= kids
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z":
                out.add(pid)
    return out


SEEN: set[int] = set()  # every app process a test saw: killed at the end, orphaned or not


@contextlib.contextmanager
def server(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    proc = subprocess.Popen(
        [*HARVEST_TUI, "serve", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until(lambda: listening(port), 60, "the server never listened")
        yield proc, port
    finally:
        everything = descendants(proc.pid) | {proc.pid} | SEEN
        for pid in alive(everything):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.stderr is not None
        proc.stderr.close()


@contextlib.asynccontextmanager
async def tab(port: int) -> AsyncIterator[aiohttp.ClientWebSocketResponse]:
    """A browser tab's websocket, once the app in it has drawn its first frame."""
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"http://127.0.0.1:{port}/ws?width=100&height=30") as ws,
    ):
        message = await asyncio.wait_for(ws.receive(), 60)
        assert message.type == aiohttp.WSMsgType.BINARY, message
        yield ws


def app_tree(server_pid: int) -> set[int]:
    """The app, its service worker and its sandbox: all started before the first frame."""
    pids: set[int] = set()

    def three() -> bool:
        nonlocal pids
        pids = alive(descendants(server_pid))
        return len(pids) >= 3

    wait_until(three, 30, "the app, its worker and its sandbox never all ran")
    SEEN.update(pids)
    return pids


class TestHost:
    @pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"])
    def test_loopback(self, host: str) -> None:
        assert is_loopback(host)

    @pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com", ""])
    def test_not_loopback(self, host: str) -> None:
        assert not is_loopback(host)

    def test_a_remote_host_without_allow_remote_is_refused_with_exit_2(self) -> None:
        done = subprocess.run(
            [*HARVEST_TUI, "serve", "--host", "0.0.0.0", "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert "refusing --host 0.0.0.0" in done.stderr and "--allow-remote" in done.stderr
        assert "SSH tunnel" in done.stderr

    def test_allow_remote_serves_with_a_warning(self) -> None:
        with server("--host", "0.0.0.0", "--allow-remote", "--sandbox") as (proc, _):
            assert proc.stderr is not None
            line = proc.stderr.readline().decode()
            assert line.startswith("warning: serving on 0.0.0.0") and "credentials" in line


class TestCommand:
    def test_the_app_gets_the_same_flags_and_the_served_driver(self, tmp_path: Path) -> None:
        argv = ["serve", "--sandbox", "--speed", "10", "--fleet", "--config", "c.toml"]
        args = build_parser(argv).parse_args(argv)
        command = app_command(args)
        assert command.startswith("TEXTUAL_DRIVER=harvest_tui.ui.served_driver:ServedDriver exec ")
        assert " -P -m harvest_tui.cli " in command
        assert "--sandbox --seed 7 --speed 10.0 --fleet" in command
        assert f"--config {Path('c.toml').absolute()}" in command

    def test_every_flag_of_the_app_reaches_it(self) -> None:
        given = {
            "--profile": "prod", "--region": "eu-west-1", "--endpoint-url": "http://127.0.0.1:9",
            "--config": "c.toml", "--ascii": None, "--sandbox": None, "--seed": "3",
            "--speed": "10.0", "--no-cache": None, "--fleet": None,
        }  # fmt: skip
        probe = argparse.ArgumentParser()
        add_app_arguments(probe)
        flags = {o for a in probe._actions for o in a.option_strings if o.startswith("--")}
        assert flags - {"--help"} == set(given)  # a new flag of the app: add it here
        argv = ["serve"] + [x for f, v in given.items() for x in (f, v) if x is not None]
        command = app_command(build_parser(argv).parse_args(argv))
        for flag, value in given.items():
            assert flag in command.split(), flag
            if value is not None and flag != "--config":  # the config's path, absolute
                assert f"{flag} {value}" in command, flag

    def test_flags_before_serve_count_too(self) -> None:
        argv = ["--profile", "prod", "serve", "--port", "9000"]
        args = build_parser(argv).parse_args(argv)
        assert isinstance(args, argparse.Namespace) and args.port == 9000
        assert "--profile prod" in app_command(args)


class TestCleanup:
    async def test_killing_the_server_leaves_no_process_behind(self) -> None:
        with server("--sandbox") as (proc, port):
            async with tab(port):
                pids = app_tree(proc.pid)
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
                wait_until(lambda: not alive(pids), 30, f"left behind: {alive(pids)}")

    async def test_closing_a_tab_ends_its_app(self) -> None:
        with server("--sandbox") as (proc, port):
            async with tab(port):
                pids = app_tree(proc.pid)
            wait_until(lambda: not alive(pids), 30, f"left behind: {alive(pids)}")
            assert proc.poll() is None  # the server serves on
