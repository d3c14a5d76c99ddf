"""HarvestApp: composes the screens, holds the global keys, routes messages.

The main view is ExplorerScreen (screens/explorer.py); the widgets there own their
work. Build an app with builder.build_app, as the CLI, tests, screenshots and
benchmarks all do.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import time
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from harvest_tui.config import ActiveProfile, Config, Profile, Settings
from harvest_tui.deep_link import Target
from harvest_tui.safe_text import clean
from harvest_tui.server_clock import ServerClock
from harvest_tui.statuses import use_ascii
from harvest_tui.ui import bench
from harvest_tui.ui.screens.explorer import LONG_NAMES, Connected, ExplorerScreen
from harvest_tui.ui.textual_private import trim_render_caches

if TYPE_CHECKING:
    from textual.command import Provider

    from harvest_tui.ui.screens.fleet_screen import FleetScreen
    from harvest_tui.view_cache import ViewCache

BELL_COALESCE_SECONDS = 3.0
TOAST_REPAINT_SECONDS = 0.5  # after a toast's timeout: see HarvestApp.notify
STARTUP_GC_SECONDS = 1.0  # after the first frame: see end_startup_gc
TRIM_CACHES_SECONDS = 60.0  # see trim_render_caches


def end_startup_gc() -> None:
    """`harvest-tui` starts with the cyclic garbage collector off (see cli.main), and
    what startup made lives on: freeze it, so later collections skip it (no more pauses
    of tens of ms scanning Textual and botocore), and collect again from here on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def active_in(profile: Profile | ActiveProfile, region: str | None) -> ActiveProfile:
    """`profile` made active in `region` (None: in all of its regions)."""
    regions = (region,) if region else tuple(profile.regions)
    if isinstance(profile, ActiveProfile):
        return replace(profile, regions=regions)
    values = {f.name: getattr(profile, f.name) for f in fields(profile)}
    values["regions"] = regions
    return ActiveProfile(**values, source="profile switcher", from_config=True)


def local_tz() -> tzinfo:
    return datetime.now().astimezone().tzinfo or UTC


def go_to_provider() -> type[Provider]:
    """The palette's "Go to…" (imported when the palette opens, not at startup)."""
    from harvest_tui.ui.commands_provider import GoToProvider

    return GoToProvider


def screenshot_dir() -> Path:
    """Where the palette's Screenshot saves: ~/Downloads where there is one (as Textual
    would), else harvest-tui's state directory (platformdirs), made if need be."""
    from platformdirs import user_downloads_path, user_state_path

    downloads = user_downloads_path()
    if downloads.is_dir() and os.access(downloads, os.W_OK):
        return downloads
    return user_state_path("harvest-tui") / "screenshots"


class Connect(Protocol):
    """How the app connects to a profile (ui/builder.py's `connect`). `share`: the fleet
    view's `share`-th profile-region, whose calls the fleet's workers take in turn."""

    def __call__(self, profile: ActiveProfile, *, share: int | None = None) -> Connected: ...


class HarvestApp(App[int]):
    """Browse channel groups, channels, origin endpoints and harvest jobs."""

    TITLE = "harvest-tui"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {go_to_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("question_mark,f1", "help", "Help", key_display="?", id="help"),
        # Out of the footer (it must fit 80 columns); in help and the palette.
        Binding(
            "t", "toggle_time", "UTC/local", id="toggle_time", show=False, tooltip="UTC or local"
        ),
        Binding(
            "p", "profiles", "Profile", id="profiles", show=False, tooltip="Switch profile/region"
        ),
        Binding("F", "fleet", "Fleet", id="fleet", show=False, tooltip="Jobs of every profile"),
    ]

    def __init__(
        self,
        *,
        active: ActiveProfile,
        connect: Connect,
        config: Config | None = None,
        settings: Settings | None = None,
        clock: Callable[[], datetime] | None = None,
        extra_profiles: Iterable[ActiveProfile] = (),
        endpoint_label: Callable[[Profile], str | None] = lambda p: p.endpoint_url,
        target: Target | None = None,
        fleet: bool = False,
        on_close: Callable[[], None] | None = None,
        view_cache: ViewCache | None = None,
    ) -> None:
        super().__init__()
        self.view_cache = view_cache  # the warm start's cached views (None: off)
        # Called as the app unmounts (the CLI ends its service worker there, so that no
        # thread still waiting on a call holds the process open after q).
        self.on_close = on_close
        self.open_fleet = fleet  # --fleet: the fleet view over the explorer at start
        self.target = target  # where to open (harvest-tui TARGET)
        self.endpoint_label = endpoint_label  # how the header and switcher name an endpoint
        self.active = active
        self.connect_to = connect
        self.config = config
        self.settings = settings or (config.settings if config else Settings())
        # The service's "now" (its Date headers), unless a clock is given (tests, --sandbox).
        self.clock = clock or ServerClock(self.clock_skew)
        self.extra_profiles = tuple(extra_profiles)  # offered first by the profile switcher
        self.local_time = self.settings.local_time
        use_ascii(self.settings.ascii)  # the terminal's glyphs, for every widget made from now
        self.settings_path: Path | None = None  # the file that remembers settings (CLI sets it)
        self.bells_rung = 0
        self._last_bell = -BELL_COALESCE_SECONDS

    def clock_skew(self) -> float | None:
        """How far the local clock is ahead of the service's, as the last answers showed."""
        screen = self.screen_stack[0] if self.screen_stack else None
        if not isinstance(screen, ExplorerScreen):
            return None
        for backend in screen.connected.backends.values():
            if backend.clock_skew is not None:
                return backend.clock_skew
        return None

    @property
    def tz(self) -> tzinfo:
        return local_tz() if self.local_time else UTC

    def get_default_screen(self) -> Screen[None]:
        return ExplorerScreen(
            self.connect_to(self.active),
            settings=self.settings,
            clock=self.clock,
            tz=self.tz,
            target=self.target,
            view_cache=self.view_cache,
        )

    @property
    def explorer(self) -> ExplorerScreen:
        """The main view (the bottom of the screen stack)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, ExplorerScreen)
        return screen

    def on_mount(self) -> None:
        bench.install(self)
        if (
            not self.is_headless
            and not self.is_web
            and signal.getsignal(signal.SIGHUP) is signal.SIG_DFL  # not under nohup
        ):
            # A dropped SSH session hangs the terminal up: the process gets SIGHUP.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._hung_up)

    def _hung_up(self) -> None:
        """The terminal is gone. Keep the view for the next start (the warm start), then
        end as the signal would have ended the app: there is nothing left to draw on."""
        with contextlib.suppress(Exception):  # nowhere to report it any more
            self.explorer.save_view()
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGHUP)

    def on_unmount(self) -> None:
        if self.on_close is not None:
            self.on_close()

    def on_ready(self) -> None:
        """The first frame is on screen."""
        self.explorer.first_frame()
        if not gc.isenabled():
            self.set_timer(STARTUP_GC_SECONDS, end_startup_gc)
        self.set_interval(TRIM_CACHES_SECONDS, lambda: trim_render_caches(self))
        if self.open_fleet:
            self.action_fleet()

    def on_explorer_screen_setting_changed(self, message: ExplorerScreen.SettingChanged) -> None:
        """Remember a setting the user changed in the app (the tree's width) in the file."""
        self.settings = replace(self.settings, **{message.key: message.value})  # type: ignore[arg-type]
        if self.settings_path is None:
            return
        from harvest_tui.config import ConfigError, remember_setting

        try:
            remember_setting(self.settings_path, message.key, message.value)
        except ConfigError as exc:
            self.notify(f"Not remembered: {exc}", severity="warning", markup=False)

    def on_explorer_screen_job_finished(self, message: ExplorerScreen.JobFinished) -> None:
        self.ring_bell()

    def ring_bell(self) -> None:
        """The terminal bell, once for a burst of finishes (jobs often end together)."""
        now = time.monotonic()
        if self.settings.bell and now - self._last_bell > BELL_COALESCE_SECONDS:
            self._last_bell = now
            self.bells_rung += 1
            self.bell()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual 8.2.8 can leave an expired toast painted on the terminal once more toasts
        were shown than fit (README, Known issues): repaint the screen after it expires."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)
        delay = (self.NOTIFICATION_TIMEOUT if timeout is None else timeout) + TOAST_REPAINT_SECONDS
        self.call_later(self.set_timer, delay, self._repaint_after_toast)

    def _repaint_after_toast(self) -> None:
        if self.screen_stack:  # none while the app closes: nothing left to repaint
            self.screen.refresh()

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
            ("PgUp PgDn Home End g G", "Move by page, to the top or the bottom"),
            ("Tab", "Next pane: tree, detail, watching strip"),
        ]
        for binding in self.all_bindings():
            keys = binding.key_display or binding.key.replace(",", "  ")
            rows.append((keys, LONG_NAMES.get(binding.id or "", binding.description)))
        rows.append(("ctrl+p", "Command palette: go to a loaded name, or run a command"))
        return rows

    def all_bindings(self) -> list[Binding]:
        """The explorer's keys, then the app's (tab and quit aside), each once."""
        out: list[Binding] = []
        for binding in [*ExplorerScreen.BINDINGS, *self.BINDINGS]:
            if isinstance(binding, Binding) and binding.action not in ("app.focus_next",):
                out.append(binding)
        return out

    def action_toggle_time(self) -> None:
        self.local_time = not self.local_time
        self.explorer.set_tz(self.tz)
        self.notify(f"Times now shown in {'local time' if self.local_time else 'UTC'}")

    def action_profiles(self) -> None:
        from harvest_tui.config import config_path, switcher_entries
        from harvest_tui.ui.screens.profile_picker import Entry, ProfilePicker

        entries: list[Entry] = list(switcher_entries(self.config, self.active))
        for extra in self.extra_profiles:
            if self.active.endpoint_url != extra.endpoint_url:
                entries.insert(0, (extra, extra.regions[0] if extra.regions else None))

        def chosen(choice: Entry | None) -> None:
            if choice is not None:
                self.switch_profile(*choice)

        hint = None
        if self.config is None:
            path = config_path(None, os.environ)
            hint = f"No profiles file yet: harvest-tui config init writes one at {path}"
        label = self.endpoint_label
        self.push_screen(
            ProfilePicker(entries, self.active, endpoint_label=label, hint=hint), chosen
        )

    def switch_profile(
        self, profile: Profile | ActiveProfile, region: str | None, target: Target | None = None
    ) -> None:
        """Show `profile` in `region` (None: all of its regions); `target`: walk to it."""
        active = active_in(profile, region)
        where = clean(", ".join(active.regions) or "default region")
        self.notify(f"Connecting to {clean(active.name)} ({where})", markup=False)
        self.active = active
        self.explorer.connect(self.connect_to(active), target)

    def action_fleet(self) -> None:
        """Every job of every profile and region of the config, in one table."""
        from harvest_tui.config import switcher_entries
        from harvest_tui.fleet import fleet_targets
        from harvest_tui.ui.screens.fleet_screen import FleetScreen

        if isinstance(self.screen, FleetScreen):
            return
        entries = [(p, r or "") for p, r in switcher_entries(self.config, self.active)]
        entries += [(p, r) for p in self.extra_profiles for r in p.regions or ("",)]
        targets = []
        for i, t in enumerate(fleet_targets(entries)):
            connected = self.connect_to(active_in(t.profile, t.region), share=i)
            targets.append((t, next(iter(connected.backends.values()))))
        self.push_screen(FleetScreen(targets, settings=self.settings, clock=self.clock, tz=self.tz))

    def on_fleet_screen_open_job(self, message: FleetScreen.OpenJob) -> None:
        """Enter in the fleet: that job in the explorer, on its profile and region."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        job, region = message.job, message.target.region or None
        self.switch_profile(message.target.profile, region, Target(job.key, region))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands (a Screenshot that works), then, on the explorer, its keys that
        apply to what is shown, each with a description, and the copy menu's items."""
        from harvest_tui.ui.commands_provider import copy_commands, key_commands

        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":
                help = "Save an SVG screenshot of the screen, and say where"
                yield SystemCommand(command.title, help, self.action_save_screenshot)
            else:
                yield command
        if screen is not self.explorer:
            # The jobs table, the fleet, a form: the explorer's keys would act on the tree's
            # node under that screen (its ARN, its ETag), not on what this screen shows.
            return
        for entry in key_commands(self.explorer, self.all_bindings(), LONG_NAMES):
            yield SystemCommand(entry.title, entry.help, entry.run)
        for entry in copy_commands(self.explorer):
            yield SystemCommand(entry.title, entry.help, entry.run)

    def action_save_screenshot(self) -> None:
        """Textual's own Screenshot saves to ~/Downloads, and fails where that does not
        exist (servers, containers): save to screenshot_dir() and say where."""
        try:
            folder = screenshot_dir()
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as error:
            self.notify(f"Could not save the screenshot: {error}", severity="error", markup=False)
            return
        self.notify(f"Saved screenshot to {path}", title="Screenshot", markup=False)
