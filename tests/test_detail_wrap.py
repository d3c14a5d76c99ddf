"""The detail pane wraps ARNs and S3 paths after `/` and `:`, never mid-name; an age
such as "(18 s ago)", and a timeline stage such as "○ COMPLETED", wrap whole."""

from __future__ import annotations

import itertools

from pilotkit import explorer, make_app, open_path, terminal, wait_for
from rich.console import Console
from rich.text import Text

from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.widgets.wrapping import (
    GLUE,
    RichWrapped,
    SpacedText,
    break_offsets,
    glued,
)

ARN = (
    "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/live-sports/channel/"
    "football-main/originEndpoint/dash-tv/harvestJob/football-main-post-match-20261101-2215"
)


def pieces(text: str, width: int) -> list[str]:
    cuts = [0, *break_offsets(text, width), len(text)]
    return [text[a:b] for a, b in itertools.pairwise(cuts)]


def test_breaks_after_the_last_separator_that_fits() -> None:
    lines = pieces(ARN, 50)
    assert "".join(lines) == ARN
    assert all(len(line) <= 50 for line in lines)
    assert all(line[-1] in "/:" for line in lines[:-1]), lines
    assert lines[1] == "channelGroup/live-sports/channel/football-main/"


def test_a_token_wider_than_the_line_is_folded_at_the_width() -> None:
    assert pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert pieces("ab/" + "x" * 12, 10) == ["ab/", "x" * 10, "xx"]
    assert break_offsets("short", 10) == []
    assert pieces("s3://b/" + "界" * 6, 8) == ["s3://b/", "界" * 4, "界" * 2]  # cells, not chars


def wrapped(text: Text, width: int) -> list[str]:
    return [line.plain for line in text.wrap(Console(width=width), width)]


def test_a_glued_phrase_moves_to_the_next_line_whole() -> None:
    text = SpacedText("2026-12-08 00:52:14 UTC")
    text.append(f"  ({glued('18 s ago')})", style="dim")
    assert wrapped(text, 30) == ["2026-12-08 00:52:14 UTC  ", "(18 s ago)"]  # no U+00A0
    assert wrapped(text, 40) == ["2026-12-08 00:52:14 UTC  (18 s ago)"]
    assert wrapped(text, 12) == ["2026-12-08 ", "00:52:14 ", "UTC  ", "(18 s ago)"]
    assert wrapped(text, 6)[-2:] == ["(18 s ", "ago)"]  # wider than the line: folded
    (line,) = text.wrap(Console(width=40), 40)
    assert line.spans[-1].style == "dim" and line.plain[line.spans[-1].start] == " "


def test_an_etag_is_folded_at_the_width_not_broken_at_its_slashes() -> None:
    from harvest_tui.ui.widgets.detail_pane import etag_text

    etag = "M1+NnWpHXt5x+FBTj/b/kuuAX6YpEuZSlLHLHv8R0Iyc="
    lines = wrapped(etag_text(etag), 20)
    assert lines == [etag[:20], etag[20:40], etag[40:]], lines
    assert wrapped(etag_text(None), 20) == ["—"]


def test_the_timeline_wraps_between_stages_never_inside_one() -> None:
    from harvest_tui.timeline import Stage
    from harvest_tui.ui.widgets.status_timeline import stages_text

    stages = [
        Stage("QUEUED", "done"),
        Stage("IN_PROGRESS", "current", current=True),
        Stage("COMPLETED", "pending"),
    ]
    lines = wrapped(stages_text(stages), 32)
    assert lines[-1].strip() == "○ COMPLETED", lines
    assert all(not line.rstrip().endswith(("○", "✓", "◐")) for line in lines), lines


async def test_last_refreshed_keeps_its_age_whole(sandbox: Sandbox) -> None:
    """ "Last refreshed … UTC (8 s ago)": narrow, the age goes to the next line whole."""
    from textual.widgets import Static

    app = make_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "dash-tv")
        detail = explorer(app).detail
        await wait_for(pilot, lambda: detail.fetched_at is not None)
        await pilot.pause()
        shown = detail.query_one("#detail-freshness", Static).content
        assert isinstance(shown, RichWrapped)  # a Text would become Content, wrapped by Textual
        content = shown.text
        assert "Last refreshed" in content.plain
        age = content.plain[content.plain.rindex("(") :].replace(GLUE, " ")
        assert age in ("(just now)", "(1 s ago)") or age.endswith(" ago)"), age
        for width in range(len(age), 60):
            lines = wrapped(content, width)
            assert any(age in line for line in lines), (width, lines)


async def test_the_pane_breaks_the_arn_at_separators(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(110, 60)) as pilot:  # the ARN below the failure banner
        await open_path(pilot, "live-sports", "football-main", "dash-tv", ARN.rsplit("/", 1)[1])
        job = explorer(app).detail.resource
        assert isinstance(job, HarvestJob) and job.arn == ARN
        _, screen = terminal(app)
        pane = [line.partition("│")[2] for line in screen.splitlines()]
        start = next(i for i, line in enumerate(pane) if line.lstrip(" ").startswith("ARN"))
        shown = []
        for line in pane[start:]:
            value = line.strip()[3:].strip() if not shown else line.strip()
            shown.append(value)
            if "".join(shown) == ARN:
                break
        assert "".join(shown) == ARN, shown
        assert len(shown) > 1 and all(part[-1] in "/:" for part in shown[:-1]), shown


async def test_another_resource_is_shown_from_its_top(sandbox: Sandbox) -> None:
    """At 80x24 a job's detail scrolls: scrolled down on one job, the next is shown from its
    name and status, not from where the last was left."""
    app = make_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        endpoint = await open_path(pilot, "live-sports", "football-main", "dash-tv")
        first, second = endpoint.children[0], endpoint.children[1]
        tree, detail = explorer(app).resource_tree, explorer(app).detail
        tree.move_cursor(first)
        await wait_for(pilot, lambda: detail.resource is first.data.resource)
        await pilot.pause()
        assert detail.max_scroll_y > 0
        detail.scroll_end(animate=False, immediate=True)
        await wait_for(pilot, lambda: detail.scroll_y > 0)
        tree.move_cursor(second)
        await wait_for(pilot, lambda: detail.resource is second.data.resource)
        await pilot.pause()
        assert detail.scroll_y == 0


async def test_the_focused_pane_scrolls_with_j_k_g_and_capital_g(sandbox: Sandbox) -> None:
    app = make_app(sandbox)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_path(pilot, "live-sports", "football-main", "dash-tv", ARN.rsplit("/", 1)[1])
        detail = explorer(app).detail
        await wait_for(pilot, lambda: detail.max_scroll_y > 0)
        cursor = explorer(app).resource_tree.cursor_line
        await pilot.press("tab")
        assert detail.has_focus
        await pilot.press("j", "j")
        await wait_for(pilot, lambda: detail.scroll_y == 2)
        await pilot.press("k")
        await wait_for(pilot, lambda: detail.scroll_y == 1)
        await pilot.press("G")
        await wait_for(pilot, lambda: detail.scroll_y == detail.max_scroll_y)
        await pilot.press("g")
        await wait_for(pilot, lambda: detail.scroll_y == 0)
        assert explorer(app).resource_tree.cursor_line == cursor  # the tree stayed put
