"""HarvestApp: the explorer. Composition, key bindings and actions.

Every AWS call runs in a thread worker (see DataWorkers); results arrive as
messages, so the UI never waits on the network.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen

from harvest_tui.config import ActiveProfile, Config, Settings
from harvest_tui.errors import ServiceError
from harvest_tui.models import HarvestJob
from harvest_tui.safe_text import clean
from harvest_tui.service import Connection, MediaPackageService, connections_for
from harvest_tui.ui import bench
from harvest_tui.ui.data_workers import DataWorkers
from harvest_tui.ui.detail_workers import DetailWorkers
from harvest_tui.ui.job_polling import JobPolling
from harvest_tui.ui.widgets.app_footer import AppFooter
from harvest_tui.ui.widgets.app_header import AppHeader
from harvest_tui.ui.widgets.detail_pane import DetailPane
from harvest_tui.ui.widgets.resource_tree import ResourceTree

if TYPE_CHECKING:
    from harvest_tui.service_worker import ServiceWorker

BELL_COALESCE_SECONDS = 3.0
STARTUP_GC_LIMIT = 2.0  # seconds after mount, at most: see end_startup_gc


def end_startup_gc() -> None:
    """`harvest-tui` starts with the cyclic garbage collector off (see cli.main), and
    what startup made lives on: freeze it, so later collections skip it (no more pauses
    of tens of ms scanning Textual and botocore), and collect again from here on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


class HarvestApp(DataWorkers, DetailWorkers, JobPolling, App[int]):
    """Browse channel groups, channels, origin endpoints and harvest jobs."""

    TITLE = "harvest-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Reload the focused subtree"),
        Binding("c", "copy_arn", "Copy ARN", id="copy_arn"),
        Binding("e", "copy_etag", "Copy ETag", id="copy_etag"),
        Binding("y", "copy_json", "Copy JSON", id="copy_json", show=False),
        Binding("v", "show_copy", "Copy text", id="show_copy", show=False),
        Binding("t", "toggle_time", "UTC/local", id="toggle_time"),
        Binding("p", "profiles", "Profile", id="profiles"),
        Binding("x", "cancel_job", "Cancel job", id="cancel_job", show=False),
        Binding("tab", "focus_next", "Next pane", show=False),
    ]

    def __init__(
        self,
        *,
        active: ActiveProfile,
        config: Config | None = None,
        settings: Settings | None = None,
        sandbox: Any = None,
        clock: Callable[[], datetime] | None = None,
        service_worker: ServiceWorker | None = None,
    ) -> None:
        super().__init__()
        self.service_worker = service_worker
        self.active = active
        self.config = config
        self.settings = settings or (config.settings if config else Settings())
        self.sandbox = sandbox
        self.sandbox_profile = active if sandbox is not None else None
        if clock is None:
            clock = sandbox.clock.now if sandbox is not None else (lambda: datetime.now(UTC))
        self.clock = clock
        self.local_time = self.settings.local_time
        self.services: dict[str, MediaPackageService] = {}
        self.bells_rung = 0
        self._last_bell = -BELL_COALESCE_SECONDS
        self.last_copied = ""
        self.init_workers()

    # Composition.

    @property
    def tz(self) -> tzinfo:
        return local_tz() if self.local_time else UTC

    def compose(self) -> ComposeResult:
        yield AppHeader(id="header")
        with Horizontal(id="main"):
            yield ResourceTree(tz=self.tz, id="tree", on_cursor=self.show_highlighted)
            yield DetailPane(id="detail")
        yield AppFooter()

    @property
    def tree(self) -> ResourceTree:
        return self.query_one(ResourceTree)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def header(self) -> AppHeader:
        return self.query_one(AppHeader)

    def on_mount(self) -> None:
        bench.install(self)
        self.tree.focus()
        self.connect_profile(self.active, load=False)
        self.tree.show_loading(self.tree.root)
        if self.service_worker is not None:
            self.reset_tree()  # boto3 lives in the worker: nothing here can hold up a frame
        else:
            # Importing boto3 here holds the GIL for ~0.1 s: the first frame shows
            # "Loading…", and the load starts once that frame is on screen.
            self.call_after_refresh(self.reset_tree)
        self.set_interval(0.5, self.poll_tick)
        if not gc.isenabled():
            # Startup ends with the first data (or after a while): later loads collect.
            started = time.monotonic()

            def startup_over() -> None:
                root = self.tree.root.data
                if (root and root.loaded) or time.monotonic() - started > STARTUP_GC_LIMIT:
                    end_startup_gc()
                    check.stop()

            check = self.set_interval(0.05, startup_over)

    def connect_profile(self, active: ActiveProfile, *, load: bool = True) -> None:
        """Build the services for `active` (one per region) and load the tree afresh."""
        self.active = active
        sandbox_url = self.sandbox.endpoint_url if self.sandbox is not None else None
        self.services = {
            region: self.service_for(connection)
            for region, connection in connections_for(active, sandbox_url=sandbox_url).items()
        }
        self.header.set_connection(
            profile=active.name,
            regions=tuple(active.regions),
            endpoint=self.endpoint_for(active),
            production=active.production,
            read_only=active.read_only,
        )
        self.header.tz_label = "local time" if self.local_time else "UTC"
        if load:
            self.reset_tree()

    def endpoint_for(self, active: ActiveProfile) -> str | None:
        """What the header says about the endpoint (the built-in sandbox by name)."""
        if self.sandbox is not None and active.endpoint_url == self.sandbox.endpoint_url:
            return "built-in sandbox"
        return active.endpoint_url

    def service_for(self, connection: Connection) -> MediaPackageService:
        """Calls through the service worker when there is one, else in this process."""
        if self.service_worker is not None:
            from harvest_tui.remote_service import RemoteService

            return RemoteService(connection, self.service_worker)
        return MediaPackageService(connection)

    # Actions.

    def action_help(self) -> None:
        from harvest_tui.ui.screens.help_screen import HelpScreen  # not on the first frame's path

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_rows()))

    def help_rows(self) -> list[tuple[str, str]]:
        rows = [
            ("↑ ↓  j k", "Move the cursor"),
            ("→  l  Enter  Space", "Expand a node (loads its children)"),
            ("←  h", "Collapse, or go to the parent"),
            ("PgUp PgDn Home End", "Move by page, to the top or the bottom"),
            ("Tab", "Switch between the tree and the detail pane"),
        ]
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("focus_next",):
                continue
            keys = binding.key_display or binding.key.replace(",", "  ")
            rows.append((keys, binding.description))
        rows.append(("ctrl+p", "Command palette: every action by name"))
        return rows

    def action_toggle_time(self) -> None:
        self.local_time = not self.local_time
        self.tree.tz = self.tz
        self.tree.relabel_all()
        self.header.tz_label = "local time" if self.local_time else "UTC"
        self.render_detail()
        self.notify(f"Times now shown in {'local time' if self.local_time else 'UTC'}")

    def action_profiles(self) -> None:
        from harvest_tui.config import switcher_entries

        entries: list[tuple[Any, str | None]] = list(switcher_entries(self.config, self.active))
        sp = self.sandbox_profile
        if sp is not None and self.active.endpoint_url != sp.endpoint_url:
            region = self.sandbox_profile.regions[0]
            entries.insert(0, (self.sandbox_profile, region))

        def chosen(choice: tuple[Any, str | None] | None) -> None:
            if choice is None:
                return
            profile, region = choice
            self.switch_profile(profile, region)

        hint = None
        if self.config is None:
            from harvest_tui.config import config_path

            path = config_path(None, os.environ)
            hint = f"No profiles file yet: harvest-tui config init writes one at {path}"
        from harvest_tui.ui.screens.profile_picker import ProfilePicker

        self.push_screen(ProfilePicker(entries, self.active, hint=hint), chosen)

    def switch_profile(self, profile: Any, region: str | None) -> None:
        from dataclasses import replace

        regions = (region,) if region else tuple(profile.regions)
        if isinstance(profile, ActiveProfile):
            active = replace(profile, regions=regions)
        else:
            fields = {**vars_of(profile), "regions": regions}
            active = ActiveProfile(**fields, source="profile switcher", from_config=True)
        where = clean(", ".join(regions) or "default region")
        self.notify(f"Connecting to {clean(active.name)} ({where})", markup=False)
        self.connect_profile(active)

    # Clipboard.

    def selected_resource(self) -> Any:
        data = self.tree.cursor_data
        return data.resource if data is not None else None

    def copy(self, what: str, text: str) -> None:
        """Copy through OSC 52 (works over SSH and in tmux) and say what was copied."""
        self.copy_to_clipboard(text)
        self.last_copied = text
        shown = clean(text, max_len=80)
        self.notify(
            f"Copied {what}: {shown}\n(v shows it, if your terminal lacks OSC 52)", markup=False
        )

    def action_copy_arn(self) -> None:
        resource = self.selected_resource()
        if resource is None:
            self.notify("Select a resource first", severity="warning")
            return
        self.copy("ARN", resource.arn)

    def action_copy_etag(self) -> None:
        job = self.job_to_copy("ETag")
        if job is None:
            return
        if not job.etag:
            self.notify("This job has no ETag yet", severity="warning")
            return
        self.copy("ETag", job.etag)

    def action_copy_json(self) -> None:
        job = self.job_to_copy("JSON")
        if job is not None:
            self.copy("job JSON", json.dumps(job.to_json_dict(), indent=2))

    def job_to_copy(self, what: str) -> HarvestJob | None:
        """The shown harvest job; None (and a warning) when a job is not what is shown."""
        resource = self.current_detail_resource()
        if not isinstance(resource, HarvestJob):
            self.notify(f"{what} copies apply to harvest jobs: select one", severity="warning")
            return None
        return resource

    def action_show_copy(self) -> None:
        resource = self.current_detail_resource()
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
        from harvest_tui.ui.screens.copy_screen import CopyScreen  # imports TextArea: ~9 ms

        self.push_screen(CopyScreen(items))

    # Cancelling a job: guarded by its ETag, refused on read-only profiles.

    def action_cancel_job(self) -> None:
        job = self.current_detail_resource()
        if not isinstance(job, HarvestJob):
            self.notify("Select a queued or in-progress harvest job to cancel", severity="warning")
            return
        if self.active.read_only:
            self.notify(
                f"Profile {clean(self.active.name)} is read-only: cancelling is switched off",
                severity="warning",
                markup=False,
            )
            return
        if job.finished:
            self.notify(f"{clean(job.name)} has already finished ({job.status})", markup=False)
            return
        question = Text("Cancel harvest job ", style="bold")
        question.append(clean(job.name), style="bold yellow")
        question.append("?\n\n")
        question.append(f"{clean(job.group_name)} / {clean(job.channel_name)} / ")
        question.append(
            f"{clean(job.endpoint_name)}\nstatus {clean(str(job.status))}, ETag {clean(job.etag)}"
        )
        if self.active.production:
            question.append("\n\nThis is a PRODUCTION profile.", style="bold red")
        region = self.detail_region

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(
                    lambda: self._cancel(region, job),
                    thread=True,
                    group=f"cancel-{job.arn}",
                    exit_on_error=False,
                )

        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen

        self.push_screen(ConfirmScreen(question), answered)

    def _cancel(self, region: str, job: HarvestJob) -> None:
        """In a worker: cancel with the ETag we showed; a stale one is a conflict, not a loss."""
        try:
            self.begin_call(region, "cancel_harvest_job", job)()
        except ServiceError as error:
            if error.code == "ConflictException":
                message = (
                    f"{clean(job.name)} changed since it was shown, so it was not cancelled. "
                    "It has been refreshed: check it and press x again."
                )
            else:
                message = f"Could not cancel {clean(job.name)}: {clean(str(error))}"
            self.call_from_thread(self.notify, message, severity="error", markup=False)
            self.call_from_thread(self.fetch_detail, immediate=True)
            return
        self.call_from_thread(self.notify, f"Cancel requested for {clean(job.name)}", markup=False)
        self.call_from_thread(self.fetch_detail, immediate=True)

    def ring_bell(self) -> None:
        """The terminal bell, once for a burst of finishes (jobs often end together)."""
        now = time.monotonic()
        if self.settings.bell and now - self._last_bell > BELL_COALESCE_SECONDS:
            self._last_bell = now
            self.bells_rung += 1
            self.bell()

    def get_system_commands(self, screen: Screen) -> Any:
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.action in ("quit", "focus_next"):
                continue
            yield SystemCommand(
                binding.description,
                binding.tooltip or binding.description,
                lambda action=binding.action: self.run_action(action),
            )


def vars_of(profile: Any) -> dict[str, Any]:
    from dataclasses import fields

    return {f.name: getattr(profile, f.name) for f in fields(profile)}
