"""The command palette lists each command once (the old app listed "Cancel job" twice)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pilotkit import explorer, make_app, open_path, plain, settle, terminal, wait_for
from textual.pilot import Pilot

from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import DEMO_NOW, Sandbox


def duplicates(titles: list[str]) -> list[str]:
    return [title for title, n in Counter(titles).items() if n > 1]


async def test_every_palette_title_is_unique(sandbox: Sandbox) -> None:
    """On a job (where every command applies) and with help open on top."""
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "cmaf-main")
        tree = explorer(app).resource_tree
        assert tree.cursor_node is not None
        tree.move_cursor(tree.cursor_node.children[0])
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Cancel job" in titles
        assert not duplicates(titles), titles
        await pilot.press("question_mark")
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert not duplicates(titles), titles


# The palette as a user drives it: ctrl+p, type, Enter.


async def palette_titles(pilot: Pilot[Any], query: str) -> list[str]:
    """Open the palette, type `query`, and return the titles it lists once gathered."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    palette = pilot.app.screen
    await pilot.press(*query)
    group = CommandPalette._GATHER_COMMANDS_GROUP

    def gathered() -> bool:
        workers = [w for w in pilot.app.workers if w.group == group]
        return palette.query_one("Input").value == query and not any(
            w.is_running or w.state.name == "PENDING" for w in workers
        )

    await wait_for(pilot, gathered)
    await pilot.pause()
    options = palette.query_one(CommandList)
    return [plain(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_go_to_finds_a_job_in_a_collapsed_endpoint_and_selects_it(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        endpoint = await open_path(pilot, "live-sports", "football-main", "dash-tv")
        tree = explorer(app).resource_tree
        endpoint.collapse()
        group = endpoint.parent.parent  # type: ignore[union-attr]
        assert group is not None
        group.collapse()
        tree.move_cursor(group)
        await settle(pilot)
        titles = await palette_titles(pilot, "post-match-20261101")
        assert titles[0].startswith("Go to job football-main-post-match-20261101-2215"), titles
        assert "in live-sports / football-main / dash-tv" in titles[0]
        await pilot.press("enter")
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None and node.data is not None
        assert node.data.name == "football-main-post-match-20261101-2215"
        assert endpoint.is_expanded and group.is_expanded
        shown = explorer(app).detail.resource
        assert isinstance(shown, HarvestJob) and shown.name == node.data.name
        assert tree.has_focus


async def test_go_to_finds_a_job_its_channel_listed_in_an_endpoint_never_opened(
    sandbox: Sandbox,
) -> None:
    """A channel's one job list counts every endpoint's jobs: those of an endpoint not yet
    opened have no rows, and the palette still finds them, and opens the way to them."""
    from harvest_tui.ui.commands_provider import places

    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        channel = await open_path(pilot, "live-sports", "football-main")
        tree = explorer(app).resource_tree
        await wait_for(pilot, lambda: channel.data is not None and channel.data.loaded)
        unopened = [p for p in places(tree.root) if p.node is None]
        assert unopened and all(p.path[:2] == ("live-sports", "football-main") for p in unopened)
        endpoint = next(c for c in channel.children if c.data.name == unopened[0].path[2])
        assert not endpoint.is_expanded and not endpoint.children
        name = unopened[0].name
        titles = await palette_titles(pilot, name)
        assert titles[0].startswith(f"Go to job {name}"), titles
        await pilot.press("enter")
        await wait_for(pilot, lambda: tree.cursor_node.data.name == name)
        assert endpoint.is_expanded
        shown = explorer(app).detail.resource
        assert isinstance(shown, HarvestJob) and shown.name == name


async def test_go_to_finds_an_active_job_of_a_group_never_opened(sandbox: Sandbox) -> None:
    """The watching strip lists every group's active jobs from the start: the palette finds
    them too, and opens the way to one."""
    from dataclasses import replace

    from pilotkit import TEST_SETTINGS

    app = make_app(sandbox, settings=replace(TEST_SETTINGS, poll_groups=True))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        tree = explorer(app).resource_tree
        await wait_for(pilot, lambda: bool(tree.active_jobs()))
        job = next(j for _, j in tree.active_jobs() if j.group_name == "live-sports")
        group = next(c for c in tree.root.children if c.data.name == "live-sports")
        assert not group.is_expanded
        titles = await palette_titles(pilot, job.name)
        assert titles[0].startswith(f"Go to job {job.name}"), titles
        await pilot.press("enter")
        await wait_for(pilot, lambda: tree.cursor_node.data.name == job.name)
        shown = explorer(app).detail.resource
        assert isinstance(shown, HarvestJob) and shown.name == job.name


async def test_go_to_after_the_tree_was_reloaded_opens_the_path_again(sandbox: Sandbox) -> None:
    """A node gathered when the palette opened, gone by the time it is chosen."""
    from harvest_tui.ui.commands_provider import GoToProvider, places

    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "news-24x7", "news-main", "hls-ts")
        screen = explorer(app)
        found = [p for p in places(screen.resource_tree.root) if p.name.endswith("0548")]
        assert len(found) == 1
        screen.resource_tree.reload_all()  # as a profile switch does
        await settle(pilot)
        assert not screen.resource_tree.contains(found[0].node)
        GoToProvider.go_to(screen, found[0])
        await wait_for(
            pilot,
            lambda: (
                isinstance(screen.detail.resource, HarvestJob)
                and screen.detail.resource.name == "news-main-noon-bulletin-20261101-0548"
            ),
        )


async def test_palette_hides_what_does_not_apply(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "dash-tv")
        titles = command_titles(app)
        assert "Jobs table" in titles and "New job" in titles and "Copy ETag" in titles
        assert not {"Cancel job", "Copy JSON", "Re-run", "Copy…"} & set(titles)
        # A completed job: no cancel; re-run and the copies apply.
        await open_path(
            pilot,
            "live-sports",
            "football-main",
            "dash-tv",
            "football-main-full-match-20261019-1748",
        )
        titles = command_titles(app)
        assert "Cancel job" not in titles
        assert {"Re-run", "Copy ETag", "Copy JSON", "Copy S3 URI", "Copy AWS CLI command"} <= set(
            titles
        )
        assert "Jobs table" not in titles and "Clear filter" not in titles
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Copy S3 URI"].endswith("(C s)")
        assert commands["Refresh"].startswith("Reload the subtree")


async def test_the_explorers_commands_are_not_offered_over_the_jobs_table(
    sandbox: Sandbox,
) -> None:
    """Over J, Copy ARN or ETag would copy the tree's node under the table, not the job
    the table shows: the palette offers the explorer's commands on the explorer only."""
    from harvest_tui.ui.screens.jobs_screen import JobsScreen

    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(pilot, "live-sports")
        assert "Copy ETag" in command_titles(app)
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, JobsScreen))
        titles = command_titles(app)
        assert not {"Copy ARN", "Copy ETag", "Refresh", "Jobs table"} & set(titles), titles
        assert "Quit" in titles  # Textual's own still are


async def test_copy_items_are_palette_commands(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_path(
            pilot,
            "live-sports",
            "football-main",
            "hls-ts",
            "football-main-highlights-20261023-0823",
        )
        job = explorer(app).detail.resource
        assert isinstance(job, HarvestJob)
        titles = await palette_titles(pilot, "copy s3")
        assert titles[0].startswith("Copy S3 URI"), titles
        await pilot.press("enter")
        await settle(pilot)
        assert explorer(app).last_copied == job.destination.uri
        assert explorer(app).last_copied.startswith("s3://")


async def test_remote_names_in_the_palette_are_not_markup(sandbox: Sandbox) -> None:
    """A hostile job name (markup, an escape) shows as text in the palette's help line."""
    from harvest_tui.ui.commands_provider import palette_help

    shown = palette_help("[@click=app.quit]x[/] \x1b[31m")
    assert "\x1b" not in shown
    from textual.content import Content

    assert "[@click=app.quit]x[/]" in Content.from_markup(shown).plain


async def test_screenshot_is_saved_and_its_path_said(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ~/Downloads (a server, a container): Textual's own would fail."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    app = make_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = await palette_titles(pilot, "screenshot")
        assert titles[0].startswith("Screenshot"), titles
        await pilot.press("enter")
        folder = tmp_path / "state" / "harvest-tui" / "screenshots"
        await wait_for(pilot, lambda: any(folder.glob("*.svg")))
        saved = next(folder.glob("*.svg"))
        assert "<svg" in saved.read_text()[:2000]
        await wait_for(pilot, lambda: any(str(saved) in n.message for n in app._notifications))


def test_go_to_search_is_capped_and_ranked() -> None:
    """10,000 loaded jobs: a keystroke looks at each name once and returns the best few."""
    from textual.widgets import Tree

    from harvest_tui.ui.commands_provider import MAX_HITS, find_places, places
    from harvest_tui.ui.widgets.tree_nodes import NodeData

    tree: Tree[NodeData] = Tree("root", data=NodeData("root", ""))
    group = tree.root.add("g", NodeData("group", "us-east-1", resource=_named("big")))
    endpoint = group.add("e", NodeData("endpoint", "us-east-1", resource=_named("ep")))
    for i in range(10_000):
        endpoint.add_leaf("j", NodeData("job", "us-east-1", resource=_named(f"job-{i:05d}")))
    found = places(tree.root)
    assert len(found) == 10_002
    hits = find_places(found, "JOB-0")
    assert len(hits) == MAX_HITS
    exact = find_places(found, "job-04242")
    assert [p.name for _, p in exact] == ["job-04242"]
    assert exact[0][1].path == ("big", "ep")
    assert find_places(found, "   ") == []


def _named(name: str) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(name=name)


def command_titles(app: Any) -> list[str]:
    return [command.title for command in app.get_system_commands(app.screen)]


async def test_go_to_shows_a_hostile_name_as_text(sandbox: Sandbox) -> None:
    """A name that is markup (and would quit the app if parsed) is shown as it is."""
    name = "[@click=app.quit]boom[/]\x1b]52;c;aGk=\x07"
    sandbox.store.add_harvest_job(
        "events-popup",
        "keynote-live",
        "hls-ts",
        name,
        start=DEMO_NOW - timedelta(hours=3),
        end=DEMO_NOW - timedelta(hours=2),
        bucket="acme-media-archive",
        path="boom/",
    )
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        endpoint = await open_path(pilot, "events-popup", "keynote-live", "hls-ts")
        endpoint.collapse()
        titles = await palette_titles(pilot, "click=app")
        assert titles[0].startswith("Go to job [@click=app.quit]boom[/]\\x1b]52;c;aGk=\\x07")
        raw, _ = terminal(app)
        assert "\x1b]52" not in raw
        await pilot.press("enter")
        await settle(pilot)
        shown = explorer(app).detail.resource
        assert isinstance(shown, HarvestJob) and shown.name == name
        assert app.is_running


async def test_the_apps_own_commands_run_from_the_palette(sandbox: Sandbox) -> None:
    """UTC/local, help and the others are the app's actions, not the explorer's: chosen in
    the palette they do what their key does (they used to run against the explorer, and
    did nothing)."""
    app = make_app(sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = app.local_time
        titles = await palette_titles(pilot, "utc")
        assert titles and "UTC" in titles[0], titles
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.local_time != before)
        titles = await palette_titles(pilot, "help")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
