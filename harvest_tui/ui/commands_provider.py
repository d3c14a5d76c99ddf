"""The command palette (ctrl+p): "Go to…" any loaded resource, and the commands that
apply to what is shown, each with a description.

GoToProvider searches every loaded group, channel, endpoint and job by name (and the
active jobs of every group, as the watching strip lists them), as
Posting's providers search its collection: the entries are gathered once when the
palette opens (a walk of the loaded nodes), and each keystroke is a substring test
per entry, with the hits capped, so 10,000 loaded jobs stay fast. palette_commands()
is what the app yields as system commands: the explorer's keys that apply now (Cancel
only on a job that can still be cancelled) and the copy menu's items.

Remote names reach the palette only as clean, markup-escaped text: the palette parses
help strings as markup.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import Hit, Hits, Provider
from textual.markup import escape
from textual.widgets.tree import TreeNode

from harvest_tui.models import Channel, ChannelGroup, HarvestJob, OriginEndpoint
from harvest_tui.safe_text import clean
from harvest_tui.ui.widgets.tree_index import listed_jobs
from harvest_tui.ui.widgets.tree_nodes import PLACEHOLDERS, NodeData

if TYPE_CHECKING:
    from textual.binding import Binding

    from harvest_tui.ui.screens.explorer import ExplorerScreen

MAX_HITS = 40  # more than the palette shows: the rest would cost time and say nothing
KIND_WORDS = {"group": "channel group", "channel": "channel", "endpoint": "endpoint", "job": "job"}
KIND_RANK = {"group": 0, "channel": 1, "endpoint": 2, "job": 3}

# What each key does, in words (the footer's are short: it must fit 80 columns).
DESCRIPTIONS = {
    "refresh": "Reload the subtree under the cursor, and the shown resource",
    "refresh_all": "Reload every region and channel group, keeping what is expanded",
    "copy_arn": "Copy the shown resource's ARN to the clipboard (OSC 52)",
    "copy_etag": "Copy the shown resource's ETag to the clipboard (OSC 52)",
    "copy_json": "Copy the shown job as JSON, as the API returns it",
    "show_copy": "Show the ARN, ETag and JSON as plain text to select, for terminals "
    "without OSC 52",
    "cancel_job": "Cancel the shown queued or in-progress job (asks first)",
    "filter": "Narrow the tree to the loaded names containing some text",
    "status_filter": "Show only jobs in a status: the lists ask the service for it",
    "clear_filter": "Clear the name filter and show the whole tree again",
    "new_job": "Create a harvest job on the endpoint under the cursor",
    "rerun_job": "Harvest the shown finished job's window again, as a new job",
    "copy_menu": "Pick what to copy about the shown job: ARN, S3 URI, CLI command, …",
    "jobs_table": "Every job of the selected group, channel or endpoint, in one sortable table",
    "help": "Every key, and what the tree's glyphs mean",
    "toggle_time": "Show times in UTC or in local time",
    "profiles": "Switch to another profile or region",
}
# The copy menu's items the palette offers under their own key's command already.
COPY_KEYS_ELSEWHERE = {"a", "e", "j"}


def palette_help(text: str, max_len: int = 100) -> str:
    """`text` for the palette's help line, which is parsed as markup."""
    return escape(clean(text, max_len=max_len))


def applies(screen: ExplorerScreen, action: str) -> bool:
    """Whether `action` does something for what the explorer shows now (the palette
    hides the rest: Cancel on a finished job, Copy ETag on a channel, …)."""
    if not screen.is_mounted:
        return True
    if screen.check_action(action, ()) is not True:
        return False
    shown = screen.detail.resource
    cursor = screen.resource_tree.cursor_data
    job = shown if isinstance(shown, HarvestJob) else None
    read_only = screen.connected.active.read_only
    if action == "copy_arn":
        return shown is not None
    if action == "show_copy":
        return shown is not None or bool(screen.last_copied)
    if action == "copy_menu":
        return job is not None
    if action == "cancel_job":
        return job is not None and not job.finished and not read_only
    if action == "rerun_job":
        return not read_only and cursor is not None and cursor.kind == "job" and bool(job)
    if action == "new_job":
        return not read_only and cursor is not None and cursor.kind in ("endpoint", "job")
    if action == "jobs_table":
        return cursor is not None and isinstance(
            cursor.resource, ChannelGroup | Channel | OriginEndpoint
        )
    if action == "clear_filter":
        return bool(screen.filter_text)
    return True


@dataclass(frozen=True)
class Command:
    """A palette entry: its title, its help line (markup-safe) and what it does."""

    title: str
    help: str
    run: Callable[[], object]


def key_commands(
    screen: ExplorerScreen, bindings: Iterable[Binding], titles: dict[str, str]
) -> Iterator[Command]:
    """One command per key that applies now, titled by `titles` (by id) or its description."""
    seen: set[str] = set()
    for binding in bindings:
        title = titles.get(binding.id or "", binding.description)
        if binding.action == "quit" or title in seen or not applies(screen, binding.action):
            continue
        seen.add(title)
        words = DESCRIPTIONS.get(binding.id or binding.action, binding.tooltip or title)
        key = binding.key_display or binding.key.split(",")[0]
        # The explorer's own actions run on it; the app's (help, profiles, time, fleet) on the app.
        namespace = screen if hasattr(screen, f"action_{binding.action}") else screen.app
        run = partial(screen.app.run_action, binding.action, namespace)
        yield Command(title, f"{escape(words)}  ({escape(key)})", run)


def copy_commands(screen: ExplorerScreen) -> Iterator[Command]:
    """The copy menu's items for the shown job (those with no key of their own)."""
    if not screen.is_mounted or not isinstance(screen.detail.resource, HarvestJob):
        return
    if screen.check_action("copy_menu", ()) is not True:
        return
    for item in screen.copy_menu_items(screen.detail.resource):
        if item.key in COPY_KEYS_ELSEWHERE or item.text is None:
            continue
        preview = item.text.splitlines()[0] if item.text else ""
        yield Command(
            f"Copy {item.what}",
            f"{palette_help(preview, max_len=60)}  (C {item.key})",
            partial(screen.copy_item, item),
        )


# Go to…


@dataclass(frozen=True, slots=True)
class Place:
    """A loaded resource the palette can go to."""

    kind: str
    name: str
    folded: str  # the name, case-folded, as searched
    path: tuple[str, ...]  # its ancestors' names (group, channel, endpoint)
    region: str
    node: TreeNode[NodeData] | None  # None: a job its channel listed, not yet a row

    @property
    def where(self) -> str:
        return " / ".join(self.path)


def places(root: TreeNode[NodeData]) -> list[Place]:
    """Every loaded group, channel, endpoint and job below `root`, parents first; the jobs
    of a channel's job list too, where their endpoint has no rows for them yet (it was
    not opened: its rows are made as it is)."""
    out: list[Place] = []
    stack: list[tuple[TreeNode[NodeData], tuple[str, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        with_rows: set[str] = set()
        for child in node.children:
            data = child.data
            if data is None or data.kind in PLACEHOLDERS:
                continue
            if data.kind == "region":
                stack.append((child, ()))
                continue
            name = data.name
            if data.kind in KIND_WORDS:
                out.append(Place(data.kind, name, name.casefold(), path, data.region, child))
            if data.kind == "endpoint" and any(_is_job(row) for row in child.children):
                with_rows.add(name)
            if data.kind != "job" and child.children:
                stack.append((child, (*path, name)))
        if node.data is not None and node.data.kind == "channel":
            for endpoint, jobs in (listed_jobs(node.data) or {}).items():
                if endpoint not in with_rows:
                    where, region = (*path, endpoint), node.data.region
                    out += (
                        Place("job", j.name, j.name.casefold(), where, region, None) for j in jobs
                    )
    return out


def watched_places(active: Iterable[tuple[str, HarvestJob]], found: list[Place]) -> list[Place]:
    """The active jobs the group watcher knows (the watching strip's), where `found` has
    them not: their groups listed them, though nobody opened the way to them."""
    known = {(p.region, p.path, p.name) for p in found if p.kind == "job"}
    out = []
    for region, job in active:
        path = (job.group_name, job.channel_name, job.endpoint_name)
        if (region, path, job.name) not in known:
            known.add((region, path, job.name))
            out.append(Place("job", job.name, job.name.casefold(), path, region, None))
    return out


def _is_job(node: TreeNode[NodeData]) -> bool:
    return node.data is not None and node.data.kind == "job"


def rank(place: Place, needle: str) -> tuple[float, float] | None:
    """(score for the palette, tie-break) if `needle` is in the name, else None. A whole
    name beats a prefix beats a part; groups before jobs."""
    at = place.folded.find(needle)
    if at < 0:
        return None
    if at == 0 and len(needle) == len(place.folded):
        score = 1.0
    elif at == 0:
        score = 0.9
    else:
        score = 0.8
    score -= KIND_RANK.get(place.kind, 3) * 0.01  # keeps the kinds apart within a score
    return score, -len(place.folded)


def place_title(place: Place, needle: str) -> Text:
    """ "Go to job NAME", the match highlighted (a Text: never parsed as markup)."""
    text = Text("Go to ")
    text.append(KIND_WORDS[place.kind] + " ", style="dim")
    start = len(text)
    name = clean(place.name, max_len=120)
    text.append(name)
    at = name.casefold().find(needle) if needle else -1
    if at >= 0:
        text.stylize("bold reverse", start + at, start + at + len(needle))
    return text


def find_places(found: list[Place], query: str, limit: int = MAX_HITS) -> list[tuple[float, Place]]:
    """The best `limit` places whose names contain `query` (case-insensitive)."""
    needle = query.strip().casefold()
    if not needle:
        return []
    ranked = ((rank(place, needle), place) for place in found if needle in place.folded)
    best = heapq.nlargest(limit, ranked, key=lambda pair: pair[0] or (0.0, 0.0))
    return [(r[0], place) for r, place in best if r is not None]


class GoToProvider(Provider):
    """ "Go to…": every loaded resource by name; choosing one selects it in the tree."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.found: list[Place] = []

    def explorer(self) -> ExplorerScreen | None:
        from harvest_tui.ui.screens.explorer import ExplorerScreen

        stack = self.app.screen_stack
        screen = stack[0] if stack else None
        return screen if isinstance(screen, ExplorerScreen) and screen.is_mounted else None

    async def startup(self) -> None:
        screen = self.explorer()
        if screen is None:
            self.found = []
            return
        tree = screen.resource_tree
        self.found = places(tree.root)
        self.found += watched_places(tree.active_jobs(), self.found)

    async def search(self, query: str) -> Hits:
        screen = self.explorer()
        if screen is None:
            return
        needle = query.strip().casefold()
        for score, place in find_places(self.found, query):
            where = place.where or "the top level"
            if len(screen.connected.backends) > 1:
                where += f" ({place.region})"
            yield Hit(
                score,
                place_title(place, needle),
                partial(self.go_to, screen, place),
                text=f"Go to {KIND_WORDS[place.kind]} {place.name}",
                help=f"in {palette_help(where)}",
            )

    @staticmethod
    def go_to(screen: ExplorerScreen, place: Place) -> None:
        """Select the place in the tree; or open its path, for a job not yet a row or a
        node the tree has reloaded since the palette opened."""
        if place.node is not None and screen.resource_tree.contains(place.node):
            screen.go_to_node(place.node)
            return
        screen.action_clear_filter()
        screen.resource_tree.focus()
        screen.resource_tree.reveal((*place.path, place.name), place.region)
