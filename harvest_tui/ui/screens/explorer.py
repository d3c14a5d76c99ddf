"""ExplorerScreen: the main view. Header, tree, detail pane, footer, and the watcher.

The screen composes its widgets and routes what they post: the tree's cursor to the
detail pane, fresh job states to the tree and the pane, call activity to the header.
Its widgets own their work (loading, fetching, polling), so their timers and workers
end with the screen and never touch widgets that are gone.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets.tree import TreeNode

from harvest_tui.backend import Backend, CancelHarvestJob
from harvest_tui.config import ActiveProfile, Settings
from harvest_tui.deep_link import Target
from harvest_tui.errors import ServiceError
from harvest_tui.history import JobHistory, WatchKey
from harvest_tui.models import HarvestJob, JobStatus, OriginEndpoint, Resource
from harvest_tui.safe_text import clean, copyable
from harvest_tui.timefmt import format_duration
from harvest_tui.ui import bench
from harvest_tui.ui.calls import CallRetrying, CallsInFlight, begin_call
from harvest_tui.ui.watcher import GroupWatcher, JobWatcher
from harvest_tui.ui.widgets.app_footer import AppFooter
from harvest_tui.ui.widgets.app_header import AppHeader
from harvest_tui.ui.widgets.detail_pane import KIND_NAMES, DetailPane
from harvest_tui.ui.widgets.resource_tree import ResourceTree, error_scope
from harvest_tui.ui.widgets.tree_cache import snapshot
from harvest_tui.ui.widgets.tree_nodes import NodeData
from harvest_tui.ui.widgets.watching_strip import WatchingStrip
from harvest_tui.view_cache import CachedView, ViewCache, ViewKey

if TYPE_CHECKING:
    from textual.widgets import Input

    from harvest_tui.ui.screens.copy_menu import CopyItem
    from harvest_tui.ui.widgets.filter_results import FilterResults

RETRY_NOTE_SECONDS = 3.0
AGES_SECONDS = 5.0  # how often the watching strip's ages and stale counts' ages are redrawn
TREE_WIDTH_STEP = 5  # % of the screen per [ or ]
# The footer's words are short (it must fit 80 columns); help and the palette say more.
LONG_NAMES = {
    "copy_arn": "Copy ARN",
    "copy_etag": "Copy ETag",
    "cancel_job": "Cancel job",
    "tree_narrower": "Narrower tree pane (remembered)",
    "tree_wider": "Wider tree pane (remembered)",
    "zoom": "Zoom the focused pane, and back",
}


@dataclass
class Connected:
    """What the explorer shows: a profile and one backend per region."""

    active: ActiveProfile
    backends: dict[str, Backend]
    endpoint_label: str | None


class ExplorerScreen(Screen[None]):
    """Browse channel groups, channels, origin endpoints and harvest jobs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Reload the focused subtree"),
        Binding(
            "ctrl+r",
            "refresh_all",
            "Refresh all",
            id="refresh_all",
            show=False,
            tooltip="Reload every region and channel group, keeping what is expanded",
        ),
        Binding("c", "copy_arn", "ARN", id="copy_arn", tooltip="Copy the ARN (OSC 52)"),
        Binding("e", "copy_etag", "ETag", id="copy_etag", tooltip="Copy the shown resource's ETag"),
        Binding(
            "y",
            "copy_json",
            "Copy JSON",
            id="copy_json",
            show=False,
            tooltip="Copy the job as JSON",
        ),
        Binding(
            "v",
            "show_copy",
            "Copy text",
            id="show_copy",
            show=False,
            tooltip="Show copyable text, for terminals without OSC 52",
        ),
        Binding(
            "x",
            "cancel_job",
            "Cancel",
            id="cancel_job",
            tooltip="Cancel the selected queued or in-progress job (asks first)",
        ),
        # Priority: the action runs before the keys typed after it reach any widget, so those
        # go into the filter bar, however long it takes to put up (see check_action).
        Binding(
            "slash",
            "filter",
            "Filter",
            id="filter",
            key_display="/",
            tooltip="Filter by name",
            priority=True,
        ),
        Binding(
            "s",
            "status_filter",
            "Status filter",
            id="status_filter",
            show=False,
            tooltip="Show only jobs in a status (sent to the service)",
        ),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding(
            "n", "new_job", "New job", id="new_job", show=False, tooltip="Create a harvest job"
        ),
        Binding("R", "rerun_job", "Re-run", id="rerun_job", show=False, tooltip="Re-run this job"),
        Binding("C", "copy_menu", "Copy…", id="copy_menu", show=False, tooltip="Copy menu"),
        Binding(
            "J",
            "jobs_table",
            "Jobs table",
            id="jobs_table",
            show=False,  # the footer must fit 80 columns: in help, the palette and README
            tooltip="Every job of the selected group, channel or endpoint in one table",
        ),
        Binding(
            "w",
            "focus_watching",
            "Watching strip",
            id="focus_watching",
            show=False,
            tooltip="The queued and in-progress jobs of the open groups (Enter goes to one)",
        ),
        Binding("tab", "app.focus_next", "Next pane", show=False),  # Screen has no focus_next
        Binding(
            "left_square_bracket",
            "tree_width(-1)",
            "Narrower tree",
            id="tree_narrower",
            key_display="[",
            show=False,
            tooltip="Make the tree pane narrower (remembered)",
        ),
        Binding(
            "right_square_bracket",
            "tree_width(1)",
            "Wider tree",
            id="tree_wider",
            key_display="]",
            show=False,
            tooltip="Make the tree pane wider (remembered)",
        ),
        Binding(
            "z", "zoom", "Zoom", id="zoom", show=False, tooltip="Zoom the focused pane, and back"
        ),
    ]

    @dataclass
    class JobFinished(Message):
        """A job this app watched has finished (the app rings the bell)."""

        job: HarvestJob

    @dataclass
    class SettingChanged(Message):
        """The user changed a setting in the app: the app remembers it in the config."""

        key: str
        value: int | bool | str

    @dataclass
    class _Cancelled(Message):
        job: HarvestJob
        error: ServiceError | None

    def __init__(
        self,
        connected: Connected,
        *,
        settings: Settings,
        clock: Callable[[], datetime],
        tz: tzinfo,
        target: Target | None = None,
        view_cache: ViewCache | None = None,
    ) -> None:
        super().__init__()
        self.target = target
        self.view_cache = view_cache  # the warm start (None: off)
        self.connected = connected
        self.settings = settings
        self.clock = clock
        self.tz = tz
        self.history = JobHistory(clock)
        self.calls_in_flight = 0
        self.last_copied = ""
        self._retry_note = ""
        self._retry_timer: Timer | None = None
        self.resource_tree = ResourceTree(
            tz=tz,
            id="tree",
            on_cursor=self.show_node,
            quota=settings.active_job_quota,
            job_order=settings.job_order,
        )
        self.resource_tree.prefetch.enabled = settings.prefetch
        self.watching = WatchingStrip(id="watching")
        self.tree_width = settings.tree_width  # % of the screen
        self.zoomed: Literal["tree", "detail"] | None = None
        self.detail = DetailPane(clock=clock, history=self.history, tz=tz, id="detail")
        self.header = AppHeader(id="header")
        # Made on the first `/`: nothing of the filter is on the first frame's path.
        self.results: FilterResults | None = None
        self.filter_bar: Input | None = None
        self.filter_text = ""
        self.watcher = JobWatcher(
            history=self.history,
            settings=settings,
            watched=self.watched_jobs,
            backend_for=self.backend_for,
        )
        self.group_watcher = GroupWatcher(
            settings=settings,
            clock=clock,
            groups=self.resource_tree.groups_to_poll,
            backend_for=self.backend_for,
        )

    def compose(self) -> ComposeResult:
        yield self.header
        with Horizontal(id="main"):
            yield self.resource_tree
            yield self.detail
        yield self.watching
        yield AppFooter()
        yield self.watcher
        yield self.group_watcher

    def on_mount(self) -> None:
        self.resource_tree.focus()
        self.lay_out_panes()
        self.show_connection()
        view = self.cached_view() if self.target is None else None  # a link opens its path
        self.resource_tree.connect(self.connected.backends, view)
        self.set_interval(AGES_SECONDS, self.show_watching)
        if self.target is not None:
            self.resource_tree.reveal(self.target.names, self.target.region)

    def connect(self, connected: Connected, target: Target | None = None) -> None:
        """Show another profile (or region): everything loads afresh; `target`: then
        walk to it (the fleet view opens a job so)."""
        self.save_view()
        self.connected = connected
        self.detail.clear_resource()
        self.show_connection()
        self.resource_tree.connect(connected.backends, self.cached_view() if not target else None)
        self.show_watching()  # nothing of the last profile's
        if target is not None:
            self.resource_tree.reveal(target.names, target.region)

    # The warm start: the last view of this profile, regions and endpoint, at once.

    def view_key(self) -> ViewKey:
        c = self.connected
        return ViewKey.of(c.active.name, tuple(c.backends), c.endpoint_label)

    def cached_view(self) -> CachedView | None:
        """The cached view to show first (the header says how old), if any."""
        self.header.cache_note = ""
        if self.view_cache is None:
            return None
        view, notice = self.view_cache.load(self.view_key())
        if notice:
            self.notify(notice, severity="warning", markup=False, timeout=8)
        if view is not None:
            age = self.clock() - view.saved_at
            words = format_duration(age, parts=1) + " ago" if age.total_seconds() >= 1 else "now"
            self.header.cache_note = f"cached {words}, refreshing…"
        return view

    def on_resource_tree_view_refreshed(self) -> None:
        self.header.cache_note = ""
        if bench.ENABLED:
            bench.stamp("view_answered")
            bench.on_next_frame("view_refreshed")

    def save_view(self) -> None:
        """Cache what is shown (as the app quits, or before another profile shows)."""
        tree = self.resource_tree
        if self.view_cache is None or not tree.root.children:
            return
        # While a cached view is being refreshed, it is as old as its oldest rows.
        saved_at = tree.warm.saved_at if tree.warm is not None else self.clock()
        problem = self.view_cache.save(snapshot(tree, self.view_key(), saved_at))
        if problem:
            self.notify(problem, severity="warning", markup=False)

    def on_unmount(self) -> None:
        self.save_view()

    def show_connection(self) -> None:
        active = self.connected.active
        self.header.set_connection(
            profile=active.name,
            regions=self.resolved_regions(),
            endpoint=self.connected.endpoint_label,
            production=active.production,
            read_only=active.read_only,
        )
        self.header.tz_label = "UTC" if self.tz is UTC else "local time"

    def resolved_regions(self) -> tuple[str, ...]:
        """The regions in use: a profile without one shows the region its AWS config gave."""
        regions = []
        for name, backend in self.connected.backends.items():
            regions.append(backend.region or name if name == "default" else name)
        return tuple(r for r in regions if r and r != "default")

    def first_frame(self) -> None:
        self.resource_tree.first_frame()

    def backend_for(self, region: str) -> Backend | None:
        return self.connected.backends.get(region)

    def set_tz(self, tz: tzinfo) -> None:
        self.tz = tz
        self.resource_tree.tz = tz
        self.detail.tz = tz
        self.resource_tree.relabel_all()
        self.detail.render_state()
        self.header.tz_label = "UTC" if tz is UTC else "local time"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys are dimmed in the footer (and pressed, say why they do nothing) where they do
        not apply: the ETag's unless a resource is shown, the JSON's unless a job is, and
        cancel unless that job can still be cancelled."""
        job = self.detail.resource if self.is_mounted else None
        if action == "filter" and self.filter_bar is not None and self.filter_bar.has_focus:
            return None  # a / typed in the filter bar is text (a priority binding comes first)
        if action == "copy_etag":
            return True if job is not None else None
        if action == "copy_json":
            return True if isinstance(job, HarvestJob) else None
        if action == "cancel_job":  # on a read-only profile, x says why it does nothing
            return True if isinstance(job, HarvestJob) and not job.finished else None
        return True

    def on_key(self, event: events.Key) -> None:
        """A dimmed job key still answers: its action says why it does nothing here (no job
        shown, a finished job, a read-only profile). Textual runs no action for a disabled
        binding, so x on a finished job was silent."""
        action = _DIMMED_BY_KEY.get(event.key)
        if action is not None and self.check_action(action, ()) is None:
            event.stop()
            getattr(self, f"action_{action}")()

    def on_detail_pane_shown(self, message: DetailPane.Shown) -> None:
        # After the frame that shows the data: the footer's redraw must not delay it.
        self.call_after_refresh(self.refresh_bindings)

    # Routing.

    def show_node(self, node: TreeNode[NodeData]) -> None:
        """The detail pane for the node under the cursor (the tree calls this as the cursor
        moves or the node changes, so both change in one frame)."""
        data = node.data
        if data is None:
            return
        if data.kind == "error" and data.error is not None:
            self.detail.show_node_error_of(data.error, error_scope(node.parent))
        elif data.stale is not None and data.resource is None:
            self.detail.show_node_error_of(data.stale, error_scope(node))
        elif data.resource is not None:
            self.detail.show_resource(data.region, data.resource, self.backend_for(data.region))
        elif data.kind in ("empty", "loading"):
            self.detail.clear_resource()

    def on_resource_tree_group_listed(self, message: ResourceTree.GroupListed) -> None:
        self.group_watcher.listed_elsewhere((message.region, message.group), message.jobs)

    def on_resource_tree_jobs_listed(self, message: ResourceTree.JobsListed) -> None:
        for job in message.jobs:
            self.history.observe(message.region, job)
        self.watcher.forget_gone(message.region, message.jobs)

    def on_detail_pane_fetched(self, message: DetailPane.Fetched) -> None:
        if isinstance(message.resource, HarvestJob):
            changed = self.history.observe(message.region, message.resource)
            self.job_updated(message.region, message.resource, changed)

    def on_job_watcher_job_changed(self, message: JobWatcher.JobChanged) -> None:
        self.detail.job_changed(message.region, message.job, message.fetched_at)
        self.job_updated(message.region, message.job, message.changed)

    def on_job_watcher_job_gone(self, message: JobWatcher.JobGone) -> None:
        self.detail.job_gone(message.region, message.key, message.error)
        self.resource_tree.departed.pop((message.region, message.key), None)

    def on_group_watcher_listed(self, message: GroupWatcher.Listed) -> None:
        if message.jobs is not None:
            tree = self.resource_tree
            tree.apply_active(message.region, message.group, message.jobs, message.fetched_at)
            self.show_watching()

    def show_watching(self) -> None:
        """The watching strip, and how old each group's counts are."""
        now = self.clock()
        stale_after = timedelta(seconds=2 * self.settings.poll_max_interval_seconds)
        self.resource_tree.show_ages(now, stale_after)
        self.watching.show_jobs(self.resource_tree.active_jobs(), now, self.tz)

    def action_focus_watching(self) -> None:
        if not self.watching.jobs:
            self.notify("No job is queued or in progress in the open channel groups")
            return
        self.watching.focus()

    def on_watching_strip_chosen(self, message: WatchingStrip.Chosen) -> None:
        """Go to the chosen job in the tree (its path expanded, as a deep link)."""
        self.action_clear_filter()
        self.resource_tree.focus()
        self.resource_tree.reveal(message.key, message.region)

    def job_updated(self, region: str, job: HarvestJob, changed: bool) -> None:
        """A fresh job state: its node, the counts above it, the strip; announce a finish."""
        self.resource_tree.apply_job(region, job)
        self.show_watching()
        if changed and job.finished:
            failed = str(job.status) == "FAILED"
            self.notify(
                f"{clean(job.name)} finished: {clean(str(job.status))}",
                title="Harvest job",
                severity="error" if failed else "information",
                markup=False,
            )
            self.post_message(self.JobFinished(job))

    def watched_jobs(self) -> dict[WatchKey, HarvestJob]:
        """The jobs to poll: unfinished ones in view, and the one shown in the detail pane."""
        watched: dict[WatchKey, HarvestJob] = {}
        for node in self.resource_tree.unfinished_job_nodes():  # not a walk of every job node
            data = node.data
            if data and isinstance(data.resource, HarvestJob) and not data.resource.finished:
                watched[(data.region, data.resource.key)] = data.resource
        shown = self.detail.resource
        if isinstance(shown, HarvestJob) and not shown.finished:
            watched[(self.detail.aws_region, shown.key)] = shown
        watched.update(self.resource_tree.departed)  # each fetched once, for its final state
        return watched

    # Call activity, in the header.

    def on_calls_in_flight(self, message: CallsInFlight) -> None:
        self.calls_in_flight += message.delta
        if self.calls_in_flight <= 0:
            self._retry_note = ""  # nothing in flight: nothing is being retried
            if "default" in self.connected.backends:
                self.show_connection()  # the region the AWS config resolved is known now
        self.show_activity()

    def on_call_retrying(self, message: CallRetrying) -> None:
        operation = clean(message.operation, max_len=40)
        self._retry_note = (
            f"⟳ retrying {operation} (attempt {message.attempt}/{message.max_attempts})"
        )
        self.show_activity()
        if self._retry_timer is not None:
            self._retry_timer.stop()
        self._retry_timer = self.set_timer(RETRY_NOTE_SECONDS, self._clear_retry_note)

    def _clear_retry_note(self) -> None:
        self._retry_note = ""
        self.show_activity()

    def show_activity(self) -> None:
        """The header's activity: the latest retry (kept for 3 s), else calls in flight."""
        if self._retry_note:
            extra = f" · {self.calls_in_flight} in flight" if self.calls_in_flight > 1 else ""
            self.header.activity = self._retry_note + extra
        elif self.calls_in_flight > 0:
            self.header.activity = f"⟳ loading ({self.calls_in_flight})"
        else:
            self.header.activity = ""

    @property
    def busy(self) -> bool:
        """Whether anything is loading or about to (for tests that wait for quiet)."""
        return (
            self.calls_in_flight > 0
            or self.detail.pending
            or self.resource_tree.prefetch.pending
            or any(w.is_running for w in self.app.workers)
        )

    # Filters: by name (what is loaded), and by status (sent to the service).

    async def action_filter(self) -> None:
        if self.filter_bar is None or self.results is None:
            from textual.widgets import Input

            from harvest_tui.ui.widgets.filter_results import FilterResults

            self.results = FilterResults(id="results", on_cursor=self.show_node)
            self.filter_bar = Input(
                placeholder="filter: part of a name (Esc clears)", id="filter-bar"
            )
            await self.query_one("#main").mount(self.results, after=self.resource_tree)
            await self.mount(self.filter_bar, before=self.query_one(AppFooter))
            self.lay_out_panes()
        self.filter_bar.add_class("-shown")
        # At once, not as focus() does (after what is queued): keys typed while the bar was
        # first put up wait in that queue, and must reach the bar, not the tree.
        self.set_focus(self.filter_bar)
        if bench.ENABLED:
            bench.on_next_frame("filter_opened")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self.filter_bar:
            self.apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input is self.filter_bar:
            target = self.results if self.filter_text and self.results else self.resource_tree
            target.focus()

    def apply_filter(self, text: str) -> None:
        """Narrow the tree to the loaded names containing `text` (case-insensitive)."""
        self.filter_text = text.strip()
        filtering = bool(self.filter_text)
        if self.results is None:
            return
        self.lay_out_panes()
        if filtering:
            found = self.results.show_matches(self.resource_tree.root, self.filter_text)
            note = f"/{self.filter_text}: {found.count} found"
            if found.unloaded:
                note += f" ({found.unloaded} unopened not searched)"
            self.header.filter_note = note
            if bench.ENABLED:
                bench.on_next_frame("filter_shown", text=self.filter_text, count=found.count)
        else:
            self.header.filter_note = ""
        self.show_status_note()

    def action_clear_filter(self) -> None:
        if self.filter_bar is None or (
            not self.filter_text and not self.filter_bar.has_class("-shown")
        ):
            return
        self.filter_bar.value = ""
        self.filter_bar.remove_class("-shown")
        self.apply_filter("")
        self.resource_tree.focus()

    def on_filter_results_chosen(self, message: FilterResults.Chosen) -> None:
        self.go_to_node(message.source)

    def go_to_node(self, source: TreeNode[NodeData]) -> None:
        """Go to `source` in the tree itself, its ancestors expanded (a filter match, or
        the palette's "Go to…"), and show it in the detail pane."""
        self.action_clear_filter()
        parent = source.parent
        while parent is not None and parent is not self.resource_tree.root:
            parent.expand()
            parent = parent.parent
        self.resource_tree.focus()
        # Once the tree is back on screen and its lines are laid out again.
        self.resource_tree.call_after_refresh(self.resource_tree.move_cursor, source)
        self.resource_tree.call_after_refresh(self.show_node, source)  # the line may not move

    def action_status_filter(self) -> None:
        from harvest_tui.ui.screens.status_picker import StatusPicker

        def chosen(choice: tuple[JobStatus, ...] | bool | None) -> None:
            if choice is False:
                return
            statuses = choice if isinstance(choice, tuple) else None
            self.resource_tree.set_status_filter(statuses)
            self.show_status_note()

        self.app.push_screen(StatusPicker(self.resource_tree.statuses), chosen)

    def show_status_note(self) -> None:
        from harvest_tui.ui.screens.status_picker import describe

        status = describe(self.resource_tree.statuses)
        self.header.status_note = f"status: {status}" if status else ""

    def action_jobs_table(self) -> None:
        """Every job below the cursor's group, channel or endpoint, in one table."""
        from harvest_tui.ui.screens.jobs_screen import JobsScreen, jobs_scope

        data = self.resource_tree.cursor_data
        scope = jobs_scope(data.region, data.resource) if data is not None else None
        backend = self.backend_for(scope.region) if scope is not None else None
        if scope is None or backend is None:
            self.notify("Select a channel group, channel or origin endpoint", severity="warning")
            return
        screen = JobsScreen(
            scope,
            backend,
            clock=self.clock,
            tz=self.tz,
            history=self.history,
            settings=self.settings,
        )
        self.app.push_screen(screen)

    # The panes: the tree's width ([ and ], remembered), and zoom (z).

    def lay_out_panes(self) -> None:
        """Show the tree (or the filter's results in its place) and the detail pane, at the
        chosen width, or the zoomed pane alone."""
        tree_shown = self.zoomed != "detail"
        self.resource_tree.display = tree_shown and not self.filter_text
        if self.results is not None:
            self.results.display = tree_shown and bool(self.filter_text)
        self.detail.display = self.zoomed != "tree"
        width = "1fr" if self.zoomed == "tree" else f"{self.tree_width}%"
        for pane in (self.resource_tree, self.results):
            if pane is not None:
                pane.styles.width = width
                pane.set_class(self.zoomed == "tree", "-zoomed")

    def action_tree_width(self, step: int) -> None:
        from harvest_tui.config_checks import TREE_WIDTHS

        low, high = TREE_WIDTHS
        width = min(high, max(low, self.tree_width + step * TREE_WIDTH_STEP))
        self.zoomed = None
        if width != self.tree_width:
            self.tree_width = width
            self.post_message(self.SettingChanged("tree_width", width))
        self.lay_out_panes()

    def action_zoom(self) -> None:
        """The focused pane alone, at full width; again, both panes."""
        if self.zoomed is not None:
            self.zoomed = None
        else:
            focused = self.focused
            in_detail = focused is not None and self.detail in focused.ancestors_with_self
            self.zoomed = "detail" if in_detail else "tree"
        self.lay_out_panes()

    # Refresh.

    def action_refresh(self) -> None:
        node = self.resource_tree.cursor_node
        if node is None or node.data is None:
            self.action_refresh_all()
            return
        if node.data.kind in ("error", "loading", "empty"):
            node = node.parent or self.resource_tree.root
        assert node.data is not None
        if node.data.kind == "job":
            self.detail.fetch(immediate=True)
            return
        self.resource_tree.refresh_node(node)
        if node is self.resource_tree.cursor_node:
            self.detail.fetch(immediate=True)
        self.notify(f"Refreshing {clean(node.data.name) or 'the account'}", timeout=2, markup=False)

    def action_refresh_all(self) -> None:
        """Every region and channel group again, keeping what is expanded."""
        self.resource_tree.refresh_node(self.resource_tree.root)
        self.detail.fetch(immediate=True)
        self.notify("Refreshing everything", timeout=2)

    # Clipboard.

    def copy(self, what: str, text: str) -> None:
        """Copy through OSC 52 (works over SSH and in tmux) and say what was copied."""
        self.app.copy_to_clipboard(text)
        self.last_copied = text
        shown = clean(text, max_len=80)
        self.notify(
            f"Copied {what}: {shown}\n(v shows it, if your terminal lacks OSC 52)", markup=False
        )

    def copy_checked(self, kind: Literal["arn", "etag"], what: str, text: str) -> None:
        """Copy an ARN or ETag only if it is one: a value with control characters (a hostile
        endpoint's names) could run commands when pasted into a shell."""
        if copyable(kind, text) is None:
            self.notify(
                f"Not copied: this {what} has characters no {what} has: {clean(text, max_len=120)}",
                severity="error",
                markup=False,
            )
            return
        self.copy(what, text)

    def shown_resource(self) -> Resource | None:
        return self.detail.resource

    def action_copy_arn(self) -> None:
        resource = self.shown_resource()
        if resource is None:
            self.notify("Select a resource first", severity="warning")
            return
        self.copy_checked("arn", "ARN", resource.arn)

    def action_copy_etag(self) -> None:
        """The shown resource's ETag: a job's (what cancel sends), or a group's, channel's or
        endpoint's (what an update of it would send)."""
        resource = self.shown_resource()
        if resource is None:
            self.notify("Select a resource first", severity="warning")
            return
        if not resource.etag:
            kind = KIND_NAMES.get(type(resource), "resource").lower()
            self.notify(f"This {kind} has no ETag yet", severity="warning")
            return
        self.copy_checked("etag", "ETag", resource.etag)

    def action_copy_json(self) -> None:
        job = self.job_to_copy("JSON")
        if job is not None:
            self.copy("job JSON", json.dumps(job.to_json_dict(), indent=2))

    def job_to_copy(self, what: str) -> HarvestJob | None:
        """The shown harvest job; None (and a warning) when a job is not what is shown."""
        resource = self.shown_resource()
        if not isinstance(resource, HarvestJob):
            self.notify(f"{what} copies apply to harvest jobs: select one", severity="warning")
            return None
        return resource

    def action_show_copy(self) -> None:
        resource = self.shown_resource()
        items: list[tuple[str, str]] = []
        if resource is not None:
            items.append(("ARN", resource.arn))
            if isinstance(resource, HarvestJob):
                if resource.etag:
                    items.append(("ETag", resource.etag))
                items.append(("JSON", json.dumps(resource.to_json_dict(), indent=2)))
        if self.last_copied:
            items.insert(0, ("Last copied", self.last_copied))
        if not items:
            self.notify("Nothing to copy yet: select a resource", severity="warning")
            return
        from harvest_tui.ui.screens.copy_screen import CopyScreen  # not on the first frame

        self.app.push_screen(CopyScreen(items))

    # Cancelling a job: guarded by its ETag, refused on read-only profiles.

    def action_cancel_job(self) -> None:
        from harvest_tui.fleet import account_of  # (not imported before the first frame)

        job = self.shown_resource()
        active = self.connected.active
        if not isinstance(job, HarvestJob):
            self.notify("Select a queued or in-progress harvest job to cancel", severity="warning")
            return
        if active.read_only:
            self.notify(
                f"Profile {clean(active.name)} is read-only: cancelling is switched off",
                severity="warning",
                markup=False,
            )
            return
        if job.finished:
            # (Not the job's name: the pane shows it, and a toast would break it mid-word.)
            self.notify(
                f"This job has already finished ({clean(str(job.status))}): only a queued or "
                "in-progress job can be cancelled",
                markup=False,
            )
            return
        question = Text("Cancel harvest job ", style="bold")
        question.append(clean(job.name), style="bold yellow")
        question.append("?\n\n")
        question.append(f"{clean(job.group_name)} / {clean(job.channel_name)} / ")
        question.append(
            f"{clean(job.endpoint_name)}\nstatus {clean(str(job.status))}, ETag {clean(job.etag)}"
        )
        backend = self.backend_for(self.detail.aws_region)
        region = self.detail.aws_region
        region = backend.region or region if backend and region == "default" else region
        account = account_of(job.arn) or "unknown"
        question.append(f"\naccount {clean(account)} · region {clean(region)}")
        typed = (job.name, job.name[-4:]) if active.production else ()
        if active.production:
            question.append(f"\n\nPRODUCTION profile {clean(active.name)}.", style="bold red")

        def answered(yes: bool | None) -> None:
            if yes and backend is not None:
                self.cancel(backend, job)

        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen

        prompt = "Type the job's name (or its last 4 characters) and Enter to cancel it:"
        self.app.push_screen(ConfirmScreen(question, typed=typed, prompt=prompt), answered)

    def cancel(self, backend: Backend, job: HarvestJob) -> None:
        finish = begin_call(self, backend, CancelHarvestJob(job))
        self.run_worker(
            partial(self._wait_for_cancel, job, finish),
            name="cancel",
            group=f"cancel-{job.arn}",
            thread=True,
            exit_on_error=False,
        )

    def _wait_for_cancel(self, job: HarvestJob, finish: Callable[[], None]) -> None:
        try:
            finish()
        except ServiceError as error:
            self.post_message(self._Cancelled(job, error))
            return
        self.post_message(self._Cancelled(job, None))

    def _on_explorer_screen__cancelled(self, message: _Cancelled) -> None:
        job, error = message.job, message.error
        if error is None:
            self.notify(f"Cancel requested for {clean(job.name)}", markup=False)
            self.group_watcher.poll_soon(self.detail.aws_region, job.group_name)
        elif error.code == "ConflictException":
            self.notify(
                f"{clean(job.name)} changed since it was shown, so it was not cancelled. "
                "It has been refreshed: check it and press x again.",
                severity="error",
                markup=False,
            )
        else:
            self.notify(
                f"Could not cancel {clean(job.name)}: {clean(str(error))}",
                severity="error",
                markup=False,
            )
        self.detail.fetch(immediate=True)

    # Acting on jobs: create (n), re-run (R), the copy menu (C).

    def action_new_job(self) -> None:
        self.open_job_form(rerun=False)

    def action_rerun_job(self) -> None:
        self.open_job_form(rerun=True)

    def open_job_form(self, *, rerun: bool) -> None:
        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen
        from harvest_tui.ui.screens.job_form import open_form

        def confirm(question: Text, answered: Callable[[bool | None], None]) -> None:
            self.app.push_screen(ConfirmScreen(question), answered)

        form, endpoint_node, problem = open_form(
            self.resource_tree.cursor_node,
            rerun=rerun,
            active=self.connected.active,
            backend_for=self.backend_for,
            quota=self.settings.active_job_quota,
            clock=self.clock,
            copy=self.copy,
            confirm=confirm,
        )
        if form is None or endpoint_node is None:
            self.notify(problem, severity="warning", markup=False)
            return

        def created(job: HarvestJob | None) -> None:
            if job is None:
                return
            if self.resource_tree.contains(endpoint_node) and endpoint_node.data:
                self.resource_tree.refresh_node(endpoint_node)
                # The new job selected (its endpoint opened) once the refreshed list has it.
                path = (job.group_name, job.channel_name, job.endpoint_name, job.name)
                self.resource_tree.reveal(path, endpoint_node.data.region)
                self.job_updated(endpoint_node.data.region, job, False)  # the meter, at once
                self.group_watcher.poll_soon(endpoint_node.data.region, job.group_name)
            self.notify(f"Created harvest job {clean(job.name)} ({job.status})", markup=False)

        self.app.push_screen(form, created)

    def action_copy_menu(self) -> None:
        from harvest_tui.ui.screens.copy_menu import CopyMenu

        job = self.job_to_copy("The copy menu")
        if job is None:
            return
        self.app.push_screen(CopyMenu(self.copy_menu_items(job), job.name), self.copy_item)

    def copy_menu_items(self, job: HarvestJob) -> list[CopyItem]:
        """What the copy menu (and the palette) offers to copy about the shown `job`."""
        from harvest_tui.ui.screens.copy_menu import copy_items

        region, backend = self.detail.aws_region, self.backend_for(self.detail.aws_region)
        region = backend.region or "" if backend and region == "default" else region
        node = self.resource_tree.job_node(self.detail.aws_region, job.key)
        parent = node.parent.data.resource if node and node.parent and node.parent.data else None
        endpoint = parent if isinstance(parent, OriginEndpoint) else None
        return copy_items(job, endpoint=endpoint, active=self.connected.active, region=region)

    def copy_item(self, item: CopyItem | None) -> None:
        if item is not None and item.text is not None:
            if item.check:
                self.copy_checked(item.check, item.what, item.text)
            else:
                self.copy(item.what, item.text)


# The keys of the job actions that check_action dims (and that then explain themselves).
_DIMMED_BY_KEY = {
    key.strip(): binding.action
    for binding in ExplorerScreen.BINDINGS
    if isinstance(binding, Binding) and binding.action in ("copy_etag", "copy_json", "cancel_job")
    for key in binding.key.split(",")
}
