"""The command palette lists each command once (the old app listed "Cancel job" twice)."""

from __future__ import annotations

from collections import Counter

from pilotkit import explorer, make_app, open_path, settle

from harvest_tui.sandbox import Sandbox


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
