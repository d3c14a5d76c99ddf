"""The warm start: the last view, cached per profile, regions and endpoint, shown at once
and then refreshed node by node (issue 14, item 4).

The app runs on the sandbox as everywhere; `sandbox.faults.hold()` keeps the refresh's
calls waiting, so the cached view can be looked at before anything fresh arrives.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pilotkit import (
    TEST_SETTINGS,
    PtyApp,
    child,
    explorer,
    make_app,
    open_path,
    sandbox_profile,
    settle,
    wait_for,
)

from harvest_tui import view_cache
from harvest_tui.backend import ListChannels, ListHarvestJobs, ListOriginEndpoints
from harvest_tui.deep_link import Target
from harvest_tui.models import JobStatus
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.statuses import KIND_GLYPH
from harvest_tui.ui.widgets.tree_cache import CACHED
from harvest_tui.view_cache import CacheError, ViewCache, ViewKey, parse, refresh_requests

PATH = ("live-sports", "football-main", "cmaf-main", "cup-final-highlights")
GONE_JOB = "cup-final-full-match"  # deleted between the two sessions
GONE_CHANNEL = "motorsport"
KEY = ViewKey.of("sandbox", ("us-east-1",), "built-in sandbox")  # make_app's view
STILL = replace(TEST_SETTINGS, poll_interval_seconds=3600, poll_max_interval_seconds=3600)


def notes(app: Any) -> list[str]:
    return [n.message for n in app._notifications]


async def cache_a_session(sandbox: Sandbox, directory: Path, *path: str) -> Path:
    """Run the app, walk to `path`, quit: the view is cached as the app ends."""
    app = make_app(sandbox, view_cache=ViewCache(directory), settings=STILL)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, *path)
    return directory / KEY.file_name


def age_file(path: Path, hours: int) -> None:
    """Make the cached view `hours` old (the sandbox's clock stands still)."""
    doc = json.loads(path.read_text())
    doc["saved_at"] = (DEMO_NOW - timedelta(hours=hours)).isoformat()
    path.write_text(json.dumps(doc))


def dimmed(node: Any) -> bool:
    """The whole row dimmed: the cached view's mark."""
    label = node.label
    return any(s.style == "dim" and (s.start, s.end) == (0, len(label)) for s in label.spans)


def cached_nodes(app: Any) -> list[str]:
    out, stack = [], list(explorer(app).resource_tree.root.children)
    while stack:
        node = stack.pop()
        if node.data is not None and node.data.extra.get(CACHED):
            out.append(node.data.name)
        stack.extend(node.children)
    return out


class TestWarmStart:
    async def test_the_cached_view_comes_first_then_the_refresh_replaces_and_removes(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        age_file(path, hours=3)
        store = sandbox.store
        store.delete_harvest_job(*PATH[:3], GONE_JOB)
        store.delete_channel("live-sports", GONE_CHANNEL)
        sandbox.faults.hold()  # nothing fresh arrives until release()

        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            tree = screen.resource_tree
            # Before any answer: the cached tree, its cursor, the job's detail, marked.
            assert screen.header.cache_note == "cached 3 h ago, refreshing…"
            assert tree.cursor_node is not None and tree.cursor_node.data is not None
            assert tree.cursor_node.data.name == PATH[-1]
            assert screen.detail.resource is not None and screen.detail.resource.name == PATH[-1]
            endpoint = tree.cursor_node.parent
            assert endpoint is not None and endpoint.is_expanded
            assert GONE_JOB in [c.data.name for c in endpoint.children if c.data]
            group = child(tree.root, "live-sports")
            assert GONE_CHANNEL in [c.data.name for c in group.children if c.data]
            assert PATH[-1] in cached_nodes(app)
            assert dimmed(tree.cursor_node)

            sandbox.faults.release()
            await wait_for(pilot, lambda: screen.header.cache_note == "")
            await settle(pilot)
            assert GONE_JOB not in [c.data.name for c in endpoint.children if c.data]
            assert GONE_CHANNEL not in [c.data.name for c in group.children if c.data]
            assert cached_nodes(app) == []
            assert tree.cursor_node.data.name == PATH[-1]  # kept through the refresh
            assert not dimmed(tree.cursor_node)

    async def test_a_refresh_whose_answers_are_all_in_at_the_start_completes(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """As `harvest-tui` runs it: the refresh's lists are asked for before Textual starts
        and can all be answered by the first frame, each level then filled as it opens."""
        from pilotkit import FAST_RETRY, shared_worker

        from harvest_tui.backend import ListChannelGroups
        from harvest_tui.service import connections_for

        path = await cache_a_session(sandbox, tmp_path, *PATH)
        age_file(path, hours=3)
        cache = ViewCache(tmp_path)
        view = cache.preload(KEY)
        assert view is not None
        (connection,) = connections_for(
            sandbox_profile(sandbox), sandbox_url=sandbox.endpoint_url, retry=FAST_RETRY
        ).values()
        worker = shared_worker()
        requests = [ListChannelGroups(), *(r for _, r in refresh_requests(view))]
        calls = [worker.prefetch(connection, r) for r in requests]
        assert all(worker.answered(call, timeout=10) for call in calls)
        app = make_app(sandbox, view_cache=cache, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            await wait_for(pilot, lambda: screen.header.cache_note == "")  # refreshed
            assert screen.resource_tree.warm is None and cached_nodes(app) == []
        # Saved again as fresh, not with the cached view's age.
        assert json.loads(path.read_text())["saved_at"] == DEMO_NOW.isoformat()

    async def test_the_refresh_asks_for_every_open_list_at_once(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """One round trip: each cached open level's list is asked for before any answers."""
        await cache_a_session(sandbox, tmp_path, *PATH)
        sandbox.faults.hold()
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            # Four lists (groups, channels, endpoints, the channel's jobs) wait together.
            await wait_for(pilot, lambda: screen.calls_in_flight >= 4)
            assert screen.header.cache_note.startswith("cached")
            sandbox.faults.release()
            await wait_for(pilot, lambda: screen.header.cache_note == "")

    async def test_a_failed_refresh_keeps_the_cached_rows_marked_stale(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH)
        age_file(path, hours=3)
        sandbox.faults.deny_groups.add("live-sports")
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            group = child(screen.resource_tree.root, "live-sports")
            await wait_for(pilot, lambda: group.data is not None and group.data.stale is not None)
            assert group.data is not None
            assert group.data.stale_since == DEMO_NOW - timedelta(hours=3)
            assert "stale since" in str(group.label)
            assert "football-main" in [c.data.name for c in group.children if c.data]

    async def test_a_deep_link_opens_its_path_not_the_cached_view(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        """A job created since the view was cached: the link finds it in fresh lists."""
        await cache_a_session(sandbox, tmp_path, *PATH[:3])
        store = sandbox.store
        start = DEMO_NOW - timedelta(hours=2)
        store.add_harvest_job(
            *PATH[:3], "made-since", start=start, end=start, bucket="b", path="p/"
        )
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        app.target = Target((*PATH[:3], "made-since"))
        async with app.run_test(size=(120, 40)) as pilot:
            screen = explorer(app)
            assert screen.header.cache_note == ""
            await wait_for(pilot, lambda: screen.detail.resource is not None
                           and screen.detail.resource.name == "made-since")  # fmt: skip

    async def test_quitting_before_the_refresh_keeps_the_views_age(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH)
        age_file(path, hours=3)
        sandbox.faults.hold()
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        app.on_close = sandbox.faults.release
        async with app.run_test(size=(120, 40)):
            assert explorer(app).header.cache_note.startswith("cached 3 h ago")
        saved = json.loads(path.read_text())["saved_at"]
        assert saved == (DEMO_NOW - timedelta(hours=3)).isoformat()

    async def test_job_lists_narrowed_by_a_status_filter_are_not_cached(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, *PATH[:3])
            explorer(app).resource_tree.set_status_filter((JobStatus.FAILED,))
            await settle(pilot)
        text = (tmp_path / KEY.file_name).read_text()
        assert '"cmaf-main"' in text and '"kind":"job"' not in text and "counts" not in text

    async def test_several_regions_come_back_as_they_were(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        active = sandbox_profile(sandbox, regions=("us-east-1", "eu-west-1"))
        cache = ViewCache(tmp_path)
        app = make_app(sandbox, active=active, view_cache=cache, settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await open_path(pilot, "eu-west-1", "eu-broadcast")
        sandbox.faults.hold()
        app = make_app(sandbox, active=active, view_cache=cache, settings=STILL)
        app.on_close = sandbox.faults.release
        async with app.run_test(size=(120, 40)):
            tree = explorer(app).resource_tree
            assert [c.data.name for c in tree.root.children] == ["us-east-1", "eu-west-1"]
            assert tree.cursor_node.data.name == "eu-broadcast"
            assert tree.cursor_node.data.region == "eu-west-1"
            assert tree.cursor_node.is_expanded and tree.cursor_node.children


class TestBadFiles:
    async def started_with(self, sandbox: Sandbox, directory: Path) -> list[str]:
        """Start the app on `directory`'s cache: it loads cold; its notices."""
        app = make_app(sandbox, view_cache=ViewCache(directory), settings=STILL)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = explorer(app)
            assert screen.header.cache_note == ""
            names = [c.data.name for c in screen.resource_tree.root.children if c.data]
            assert "live-sports" in names  # loaded afresh
            return notes(app)

    async def test_a_corrupt_file_is_ignored_with_a_notice(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        (tmp_path / KEY.file_name).write_bytes(b'{"format": "harvest-tui view cache", "vers\xff')
        found = await self.started_with(sandbox, tmp_path)
        assert any("Ignored the view cache" in n and "not valid JSON" in n for n in found)

    async def test_a_foreign_file_is_ignored_with_a_notice(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH[:2])
        doc = json.loads(path.read_text())
        doc["key"]["profile"] = "prod"  # another profile's view under this one's name
        path.write_text(json.dumps(doc))
        found = await self.started_with(sandbox, tmp_path)
        assert any("another profile or endpoint" in n for n in found)

    async def test_a_named_pipe_in_its_place_does_not_hang_the_start(
        self, sandbox: Sandbox, tmp_path: Path
    ) -> None:
        os.mkfifo(tmp_path / KEY.file_name)
        found = await self.started_with(sandbox, tmp_path)
        assert any("not a regular file" in n for n in found)

    async def test_a_file_too_big_is_ignored_with_a_notice(
        self, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH)
        monkeypatch.setattr(view_cache, "MAX_BYTES", path.stat().st_size - 1)
        found = await self.started_with(sandbox, tmp_path)
        assert any("bigger than" in n for n in found)

    async def test_a_hostile_name_is_shown_escaped(self, sandbox: Sandbox, tmp_path: Path) -> None:
        path = await cache_a_session(sandbox, tmp_path, *PATH[:1])
        doc = json.loads(path.read_text())
        doc["top"][0]["resource"]["name"] = "evil\x1b]52;c;aGk=\x07[bold]x[/]"
        path.write_text(json.dumps(doc))
        sandbox.faults.hold()
        app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
        async with app.run_test(size=(120, 40)):
            first = explorer(app).resource_tree.root.children[0]
            assert "evil\\x1b]52;c;aGk=\\x07[bold]x[/]" in str(first.label)
            sandbox.faults.release()


class TestFileFormat:
    def view(self, **top: Any) -> dict[str, Any]:
        group = {
            "kind": "group",
            "region": "us-east-1",
            "resource": {
                "name": "g",
                "arn": "arn:aws:mediapackagev2:us-east-1:1:channelGroup/g",
                "created_at": "2026-11-01T00:00:00+00:00",
                "modified_at": "2026-11-01T00:00:00+00:00",
            },
        } | top
        return {
            "format": view_cache.FORMAT,
            "version": view_cache.VERSION,
            "key": KEY.to_json(),
            "saved_at": "2026-11-02T11:30:00+00:00",
            "cursor": ["g"],
            "top": [group],
        }

    def test_a_valid_view_is_read(self) -> None:
        view = parse(json.dumps(self.view()), KEY)
        assert view.top[0].name == "g" and view.cursor == ("g",)

    @pytest.mark.parametrize(
        ("change", "why"),
        [
            ({"kind": "job"}, "under a root"),
            ({"resource": {"name": 5}}, "group.name is not a string"),
            ({"counts": {"FAILED": -1}}, "negative"),
            ({"children": [{"kind": "group", "region": "us-east-1"}]}, "under a group"),
            ({"expanded": "yes"}, "expanded is not true or false"),
        ],
    )
    def test_a_wrong_value_is_named(self, change: dict[str, Any], why: str) -> None:
        doc = self.view(**change)
        with pytest.raises(CacheError, match=why):
            parse(json.dumps(doc), KEY)

    def test_too_long_a_string_and_another_version_are_refused(self) -> None:
        doc = self.view()
        doc["top"][0]["resource"]["name"] = "x" * (view_cache.MAX_TEXT + 1)
        with pytest.raises(CacheError, match="at most"):
            parse(json.dumps(doc), KEY)
        with pytest.raises(CacheError, match="version 2"):
            parse(json.dumps(self.view() | {"version": 2}), KEY)

    def test_jobs_round_trip_through_their_dataclasses(self) -> None:
        job_doc = {
            "group_name": "g",
            "channel_name": "c",
            "endpoint_name": "e",
            "name": "j",
            "arn": "arn",
            "status": "SOMETHING_NEW",
            "destination": {"bucket": "b", "path": "p/"},
            "manifests": {"hls": ["index"], "low_latency_hls": [], "dash": []},
            "schedule": {
                "start": "2026-11-02T10:00:00+00:00",
                "end": "2026-11-02T11:00:00Z",
            },
            "created_at": "2026-11-02T10:00:00+00:00",
            "modified_at": "2026-11-02T10:00:00+00:00",
            "tags": {"team": "home"},
        }
        from harvest_tui.models import HarvestJob

        job = view_cache._decode(HarvestJob, job_doc, "job")
        assert job.status == "SOMETHING_NEW" and job.manifests.hls == ("index",)
        assert job.tags == {"team": "home"} and job.schedule.end.tzinfo is not None
        again = view_cache._decode(HarvestJob, view_cache.to_json(job), "job")
        assert again == job
        done = view_cache._decode(HarvestJob, job_doc | {"status": "FAILED"}, "job")
        assert done.status is JobStatus.FAILED

    def test_the_prefetched_lists_are_the_open_levels(self) -> None:
        channel = {
            "kind": "channel",
            "region": "us-east-1",
            "expanded": True,
            "children": [],
            "resource": {
                "group_name": "g",
                "name": "c",
                "arn": "arn",
                "created_at": "2026-11-01T00:00:00+00:00",
                "modified_at": "2026-11-01T00:00:00+00:00",
            },
        }
        view = parse(json.dumps(self.view(expanded=True, children=[channel])), KEY)
        assert sorted(map(repr, refresh_requests(view))) == sorted(
            map(
                repr,
                [
                    ("us-east-1", ListChannels("g")),
                    ("us-east-1", ListOriginEndpoints("g", "c")),
                    ("us-east-1", ListHarvestJobs("g", "c")),
                ],
            )
        )

    def test_a_view_too_big_is_written_without_its_jobs_or_not_at_all(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        view = parse(json.dumps(self.view()), KEY)
        endpoint = view_cache.CachedNode("endpoint", "us-east-1", children=[])
        view.top[0].children = [endpoint]
        monkeypatch.setattr(view_cache, "MAX_BYTES", 10)
        assert view_cache.save_view(tmp_path, view) is None
        assert list(tmp_path.iterdir()) == []

    def test_endpoint_urls_lose_their_credentials(self) -> None:
        key = ViewKey.of("p", ("us-east-1",), "http://user:hunter2@127.0.0.1:4566/x?token=abc")
        assert key.endpoint == "http://127.0.0.1:4566/x"


# -- the real command: flags, settings, and what the file holds --------------------

SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzzSECRETKEY"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"


def run_and_quit(sandbox: Sandbox, cache: Path, *args: str) -> None:
    """`harvest-tui` on the sandbox: open the first group, then q; it must exit 0."""
    env = {
        "HARVEST_TUI_CACHE_DIR": str(cache),
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN,
    }
    channel_row = f"{KIND_GLYPH['channel']} concert-stage-a".encode()  # events-popup's
    with PtyApp(sandbox, size=(120, 40), args=args, cache=True, env=env) as app:
        app.wait_for(b"events-popup")
        app.press(b"l")
        app.wait_for(channel_row)
        app.press(b"q")
        deadline = time.monotonic() + 30
        while app.proc.poll() is None and time.monotonic() < deadline:
            app.pump(0.05)  # read what it writes: an unread terminal blocks its last frame
        assert app.proc.poll() == 0


def test_a_hangup_keeps_the_view(sandbox: Sandbox, tmp_path: Path) -> None:
    """An SSH session that drops (SIGHUP) ends the app, with the view it showed cached."""
    channel_row = f"{KIND_GLYPH['channel']} concert-stage-a".encode()
    env = {"HARVEST_TUI_CACHE_DIR": str(tmp_path)}
    with PtyApp(sandbox, size=(120, 40), cache=True, env=env) as app:
        app.wait_for(b"events-popup")
        app.press(b"l")
        app.wait_for(channel_row)
        app.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while app.proc.poll() is None and time.monotonic() < deadline:
            app.pump(0.05)
        assert app.proc.poll() == -signal.SIGHUP  # ended by the signal, as before
    (path,) = tmp_path.iterdir()
    assert '"concert-stage-a"' in path.read_text()


def test_the_cache_holds_no_credentials(sandbox: Sandbox, tmp_path: Path) -> None:
    run_and_quit(sandbox, tmp_path)
    (path,) = tmp_path.iterdir()
    text = path.read_text()
    assert '"concert-stage-a"' in text  # what was shown is there
    for secret in (SECRET, TOKEN, "AKIAIOSFODNN7EXAMPLE"):
        assert secret not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_serve_passes_no_cache_on_to_each_tab() -> None:
    from harvest_tui.cli import build_parser
    from harvest_tui.serve import app_command

    for argv in (["serve", "--no-cache"], ["--no-cache", "serve"]):
        assert app_command(build_parser(argv).parse_args(argv)).endswith(" --no-cache")
    assert "--no-cache" not in app_command(build_parser(["serve"]).parse_args(["serve"]))


def test_no_cache_flag_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    run_and_quit(sandbox, tmp_path, "--no-cache")
    assert list(tmp_path.iterdir()) == []


def test_cache_false_in_settings_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[settings]\ncache = false\n")
    cache = tmp_path / "cache"
    run_and_quit(sandbox, cache, "--config", str(config))
    assert not cache.exists() or list(cache.iterdir()) == []


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_the_cached_first_frame(
    snap_compare: Any, sandbox: Sandbox, tmp_path: Path, size: tuple[int, int]
) -> None:
    """The first frame of a warm start: the cached tree dimmed, the cursor's job in the
    detail pane, and the header saying how old the view is; nothing fresh has arrived."""
    import asyncio

    age_file(asyncio.run(cache_a_session(sandbox, tmp_path, *PATH)), hours=3)
    sandbox.faults.hold()
    app = make_app(sandbox, view_cache=ViewCache(tmp_path), settings=STILL)
    app.on_close = sandbox.faults.release  # once the picture is taken, as the app ends

    async def refreshing(pilot: Any) -> None:
        # The refresh's four lists and the detail's GetHarvestJob, all waiting.
        await wait_for(pilot, lambda: explorer(app).calls_in_flight == 5)

    assert snap_compare(app, terminal_size=size, run_before=refreshing)
