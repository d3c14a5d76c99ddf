"""Issue 4: no resource description (or name, tag, path, error...) can take over the terminal.

Hostile strings go in through the sandbox: CreateHarvestJob over boto3 for the fields the
service accepts them in (descriptions, tags, S3 bucket and path), and the store for the
fields whose patterns forbid them (names, manifest names, error messages): the app must
not trust the service's patterns. For each one the tests check what a user sees (the
text shown literally, markup as text, control characters as visible escapes), that the
app keeps running (a click on would-be markup does nothing), and what reaches the
terminal: the bytes Textual writes for the whole screen, and in one test the bytes the
real driver writes to a pseudo-terminal.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

import pytest
from pilotkit import (
    PtyApp,
    child,
    make_app,
    open_path,
    plain,
    settle,
    terminal,
    wait_for,
    widget_text,
)

from harvest_tui.config import Settings
from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.ui.screens.copy_screen import CopyScreen
from harvest_tui.ui.widgets import detail_pane

QUIET = Settings(poll_interval_seconds=60, poll_max_interval_seconds=120, bell=False)

PAYLOADS = {
    "click": "[@click=app.quit]x[/]",
    "close": "[/]",
    "var": "[$accent]",
    "osc52": "\x1b]52;c;aGk=\x07",
    "clear": "\x1b[2J",
    "rlo": "\u202e",
}
# A description at the service's limit, carrying every payload.
_BODY = "long<" + "".join(PAYLOADS.values()) + ">"
LONG = _BODY + "L" * (1024 - len(_BODY) - 4) + "<end"
assert len(LONG) == 1024
ALL = {**PAYLOADS, "long": LONG}

# What Textual writes for a screen: text, SGR styles and cursor moves, nothing else.
LEGIT_CSI = re.compile(r"\x1b\[[0-9;]*[mH]")
GROUP, CHANNEL, ENDPOINT = "aaa-hostile", "ch", "ep"


def assert_terminal_safe(raw: str) -> None:
    assert "\x1b]" not in raw  # no OSC at all: neither 52 (clipboard) nor 8 (links)
    assert "\u202e" not in raw
    rest = LEGIT_CSI.sub("", raw)
    assert "\x1b" not in rest, repr(rest[rest.index("\x1b") - 20 : rest.index("\x1b") + 20])
    bad = {c for c in rest if unicodedata.category(c) in ("Cc", "Cf") and c not in "\r\n"}
    assert not bad, bad


def assert_shown(app: Any, text: str) -> None:
    _, screen = terminal(app)
    assert text in screen, f"{text!r} not on screen"


def locate(screen: str, text: str) -> tuple[int, int]:
    for y, line in enumerate(screen.splitlines()):
        if text in line:
            return line.index(text), y
    raise AssertionError(f"{text!r} not on screen")


def hostile_endpoint(sandbox: Sandbox, **endpoint: Any) -> None:
    store = sandbox.store
    store.add_channel_group(GROUP)
    store.add_channel(GROUP, CHANNEL)
    store.add_origin_endpoint(GROUP, CHANNEL, ENDPOINT, hls=("index",), **endpoint)


class TestCreatedThroughTheService:
    async def test_descriptions_tags_and_s3_paths_render_literally(self, sandbox: Sandbox) -> None:
        hostile_endpoint(sandbox)
        client = sandbox.client()
        for key, p in ALL.items():
            client.create_harvest_job(
                ChannelGroupName=GROUP,
                ChannelName=CHANNEL,
                OriginEndpointName=ENDPOINT,
                HarvestJobName=f"job-{key}",
                Description=p if key == "long" else f"desc<{p}>",
                Tags={f"k<{p}>"[:128]: f"v<{p}>"},
                HarvestedManifests={"HlsManifests": [{"ManifestName": "index"}]},
                ScheduleConfiguration={
                    "StartTime": DEMO_NOW - timedelta(hours=2),
                    "EndTime": DEMO_NOW - timedelta(hours=1),
                },
                Destination={
                    "S3Destination": {
                        "BucketName": f"b<{p}>"[:63],
                        "DestinationPath": f"p<{p}>"[:1024],
                    }
                },
            )
        app = make_app(sandbox, settings=QUIET)
        async with app.run_test(size=(200, 60)) as pilot:
            endpoint = await open_path(pilot, GROUP, CHANNEL, ENDPOINT)
            for key, p in ALL.items():
                app.explorer.resource_tree.move_cursor(child(endpoint, f"job-{key}"))
                await settle(pilot)
                job = app.explorer.detail.resource
                assert job.name == f"job-{key}" and job.tags  # the Get answered
                fields = widget_text(app, "#detail-fields", width=4000)
                description = clean(job.description, multiline=True)
                assert description in fields
                assert f"{clean(f'k<{p}>'[:128])} = {clean(f'v<{p}>')}" in fields
                uri = f"s3://{clean(f'b<{p}>'[:63])}/{clean(f'p<{p}>'[:1024])}"
                assert uri in fields
                raw, screen = terminal(app)
                assert_terminal_safe(raw)
                if key != "long":  # the long one wraps; its pieces are checked below
                    assert f"desc<{clean(p)}>" in screen
                    assert uri in screen
                assert app.is_running
            # The long description is on screen in full, wrapped, and nothing else.
            _, screen = terminal(app)
            detail = "".join(line.split("│")[-1] for line in screen.splitlines())
            assert clean(LONG) in "".join(detail.split())

            # Markup stays text: clicking what would be an action link does nothing.
            app.explorer.resource_tree.move_cursor(child(endpoint, "job-click"))
            await settle(pilot)
            _, screen = terminal(app)
            x, y = locate(screen, "desc<[@click=app.quit]x[/]>")
            await pilot.click(offset=(x + len("desc<[@click=app.quit]"), y))
            await settle(pilot)
            assert app.is_running and app.return_code is None


class TestForbiddenByThePatterns:
    async def test_names_manifests_and_error_messages_render_literally(
        self, sandbox: Sandbox
    ) -> None:
        store = sandbox.store
        hostile_endpoint(sandbox, ll_hls=tuple(f"m<{p}>" for p in PAYLOADS.values()))
        for key, p in PAYLOADS.items():
            store.add_channel_group(f"g<{p}>")
            # A job whose name the service would refuse, in the tree.
            store.add_harvest_job(
                GROUP, CHANNEL, ENDPOINT, f"j<{p}>",
                start=DEMO_NOW - timedelta(hours=2), end=DEMO_NOW - timedelta(hours=1),
                bucket="acme-media-archive", path="ok/",
                created_at=DEMO_NOW - timedelta(hours=3),
            )  # fmt: skip
            # A failed job (valid name) with hostile manifest names and error message.
            bucket = f"unwritable-{key}"
            store.mark_unwritable(bucket, f"err<{p}>\nsecond line<{p}>")
            store.add_harvest_job(
                GROUP, CHANNEL, ENDPOINT, f"fail-{key}",
                start=DEMO_NOW - timedelta(hours=2), end=DEMO_NOW - timedelta(hours=1),
                bucket=bucket, path="ok/",
                manifests={"HlsManifests": [{"ManifestName": f"m<{p}>"}]},
                created_at=DEMO_NOW - timedelta(hours=3),
            )  # fmt: skip
        app = make_app(sandbox, settings=QUIET)
        async with app.run_test(size=(200, 60), notifications=True) as pilot:
            await settle(pilot)
            names = [c.data.name for c in app.explorer.resource_tree.root.children]
            for p in PAYLOADS.values():
                node = child(app.explorer.resource_tree.root, f"g<{p}>")
                assert str(node.label) == f"▣ g<{clean(p)}>"
                # Highlighted: its Get fails on the service's pattern; the error message
                # quotes the name, and both show literally.
                app.explorer.resource_tree.move_cursor(node)
                await settle(pilot)
                assert f"g<{clean(p)}>" in widget_text(app, "#detail-title")
                banner = widget_text(app, "#detail-error", width=400)
                assert "ValidationException" in banner and f"'g<{clean(p)}>'" in banner
                raw, screen = terminal(app)
                assert_terminal_safe(raw)
                assert f"▣ g<{clean(p)}>" in screen
            assert len(names) == len(set(names))

            # r on a group whose name is markup: the notification shows it as text.
            for p in ("[/]", "[@click=app.quit]x[/]", "[$accent]"):
                app.explorer.resource_tree.move_cursor(
                    child(app.explorer.resource_tree.root, f"g<{p}>")
                )
                await settle(pilot)
                await pilot.press("r")
                await wait_for(pilot, lambda p=p: f"Refreshing g<{p}>" in terminal(app)[1])
                assert_shown(app, f"Refreshing g<{p}>")
                assert app.is_running
            _, screen = terminal(app)
            x, y = locate(screen, "▣ g<[@click=app.quit]x[/]>")
            await pilot.click(offset=(x + len("▣ g<[@click=app.quit]"), y))
            await settle(pilot)
            assert app.is_running and app.return_code is None

            endpoint = await open_path(pilot, GROUP, CHANNEL, ENDPOINT)
            fields = widget_text(app, "#detail-fields", width=1000)
            for p in PAYLOADS.values():  # the endpoint's own manifests
                assert f"m<{clean(p)}>" in fields
            labels = [str(c.label) for c in endpoint.children]
            for key, p in PAYLOADS.items():
                assert any(f"j<{clean(p)}>" in label for label in labels)
                app.explorer.resource_tree.move_cursor(child(endpoint, f"fail-{key}"))
                await settle(pilot)
                assert str(app.explorer.detail.resource.status) == "FAILED"
                banner = widget_text(app, "#detail-error", width=400)
                assert "The job failed" in banner
                assert f"err<{clean(p)}>\nsecond line<{clean(p)}>" in banner
                assert f"m<{clean(p)}>" in widget_text(app, "#detail-fields", width=400)
                raw, _ = terminal(app)
                assert_terminal_safe(raw)
            # A hostile job name: title, label, the Get's error, and the copy screen.
            app.explorer.resource_tree.move_cursor(child(endpoint, "j<\x1b]52;c;aGk=\x07>"))
            await settle(pilot)
            assert "j<\\x1b]52;c;aGk=\\x07>" in widget_text(app, "#detail-title")
            await pilot.press("v")
            await wait_for(pilot, lambda: isinstance(app.screen, CopyScreen))
            await pilot.pause()
            assert isinstance(app.screen, CopyScreen)
            raw, screen = terminal(app)
            assert_terminal_safe(raw)
            assert "harvestJob/j<\\x1b]52;c;aGk=\\x07>" in screen
            await pilot.press("escape")
            assert app.is_running

    async def test_every_field_of_a_job_from_the_api(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The test draws the job into the pane itself: no ageing re-render over it.
        monkeypatch.setattr(detail_pane, "AGE_SECONDS", 3600.0)
        """Fields the sandbox computes itself (ARN, ETag, Status) still go through clean:
        a job from a hostile or broken endpoint, rendered in the pane and timeline."""
        p = "".join(PAYLOADS.values())
        job = HarvestJob.from_api(
            {
                "ChannelGroupName": f"g<{p}>",
                "ChannelName": f"c<{p}>",
                "OriginEndpointName": f"e<{p}>",
                "HarvestJobName": f"j<{p}>",
                "Arn": f"arn<{p}>",
                "Status": f"STATUS<{p}>",
                "Description": f"d<{p}>",
                "ErrorMessage": f"err<{p}>",
                "ETag": f"etag<{p}>",
                "Tags": {f"k<{p}>": f"v<{p}>"},
                "Destination": {"S3Destination": {"BucketName": f"b<{p}>", "DestinationPath": p}},
                "HarvestedManifests": {"DashManifests": [{"ManifestName": f"m<{p}>"}]},
                "ScheduleConfiguration": {
                    "StartTime": DEMO_NOW - timedelta(hours=2),
                    "EndTime": DEMO_NOW - timedelta(hours=1),
                },
                "CreatedAt": DEMO_NOW - timedelta(hours=3),
                "ModifiedAt": DEMO_NOW - timedelta(minutes=5),
            }
        )
        app = make_app(sandbox, settings=QUIET)
        async with app.run_test(size=(200, 60)) as pilot:
            await settle(pilot)
            app.explorer.detail.show(job, now=DEMO_NOW, tz=app.tz, fetched_at=None)
            await pilot.pause()
            fields = widget_text(app, "#detail-fields", width=2000)
            c = clean(p)
            for label in ("g", "c", "e", "j", "arn", "d", "etag", "m"):
                assert f"{label}<{c}>" in fields, label
            assert f"k<{c}> = v<{c}>" in fields
            assert f"s3://b<{c}>/{c}" in fields
            assert f"err<{c}>" in widget_text(app, "#detail-error", width=2000)
            assert f"j<{c}>" in widget_text(app, "#detail-title", width=2000)
            timeline = plain(app.query_one("#detail-timeline").render(), width=150)
            assert "STATUS<" in timeline
            raw, _ = terminal(app)
            assert_terminal_safe(raw)
            assert app.is_running


class TestRealDriver:
    def test_the_bytes_written_to_a_real_terminal(self, sandbox: Sandbox) -> None:
        """The app in a pseudo-terminal with Textual's real driver, walked by keys to
        hostile names and descriptions: the bytes it writes carry none of their escapes."""
        for p in PAYLOADS.values():
            sandbox.store.add_channel_group(f"g<{p}>")
        hostile_endpoint(sandbox)
        for key, p in PAYLOADS.items():
            sandbox.client().create_harvest_job(
                ChannelGroupName=GROUP,
                ChannelName=CHANNEL,
                OriginEndpointName=ENDPOINT,
                HarvestJobName=f"job-{key}",
                Description=f"desc<{p}>",
                Tags={f"k<{p}>": f"v<{p}>"},
                HarvestedManifests={"HlsManifests": [{"ManifestName": "index"}]},
                ScheduleConfiguration={
                    "StartTime": DEMO_NOW - timedelta(hours=2),
                    "EndTime": DEMO_NOW - timedelta(hours=1),
                },
                Destination={"S3Destination": {"BucketName": "b-ok", "DestinationPath": "p"}},
            )
        with PtyApp(sandbox) as app:
            app.wait_for("▣ events-popup".encode())
            # Down over every hostile group (each Get fails, quoting the name), and back.
            for key in b"j" * (len(PAYLOADS) + 1) + b"k" * (len(PAYLOADS) + 1):
                app.press(bytes([key]))
                app.pump(0.25)
            # aaa-hostile ▸ ch ▸ ep ▸ the first job, with l only (expand, then step in).
            for shown in ("◇ ch", "⌁ ep", "job-click", "desc<"):
                app.press(b"l")
                app.wait_for(shown.encode())
                app.pump(0.1)
                if shown != "desc<":
                    app.press(b"l")
                    app.pump(0.2)
            for _ in range(len(PAYLOADS) - 1):  # down through every job
                app.press(b"j")
                app.pump(0.3)
            app.press(b"q")
            app.pump(0.5)
            assert app.exit_code() == 0
            out = app.out
        data = bytes(out)
        assert b"Traceback" not in data
        # Every payload was drawn, as visible escapes...
        for p in PAYLOADS.values():
            assert f"desc<{clean(p)}>".encode() in data, p
            assert f"g<{clean(p)}>".encode() in data, p
        # ...and none of them reached the terminal as what it is.
        for p in PAYLOADS.values():
            if p != clean(p):
                assert f"<{p}".encode() not in data, p
        assert b"\x1b]52;c;aGk=" not in data
        assert "\u202e".encode() not in data
        assert b"<\x1b[2J" not in data


@pytest.fixture(autouse=True)
def _no_sandbox_bugs(sandbox: Sandbox) -> Any:
    yield
    assert sandbox.internal_errors == []
