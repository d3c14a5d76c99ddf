"""Toasts leave nothing behind on the terminal.

Textual 8.2.8 repaints only what changed: once more toasts were shown than fit (the
rack scrolls), an expired toast could stay painted on the terminal, over the header,
until something else drew there (README, Known issues). The app's own render was
right; the terminal was not. So these tests read the frames the app hands to the
terminal through a terminal emulator (pyte), as a person's terminal would show them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import pyte
from pilotkit import make_app, settle, terminal, wait_for
from rich.console import Console

from harvest_tui.sandbox import Sandbox
from harvest_tui.ui.textual_private import wrap_display

SIZES = [(80, 24), (100, 30), (140, 45), (90, 20), (120, 40)]


class TerminalModel:
    """The terminal the app writes to: every frame it displays, applied to a pyte screen."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.size = app.size
        self.screen = pyte.Screen(*self.size)
        self.stream = pyte.Stream(self.screen)

    def wrap(self, display: Callable[..., None]) -> Callable[..., None]:
        def to_terminal(screen: Any, renderable: Any) -> None:
            display(screen, renderable)  # headless: writes nothing
            if renderable is None:
                return
            width, height = self.app.size
            if (width, height) != self.size:
                self.size = (width, height)
                self.screen.resize(height, width)
            console = Console(
                width=width,
                height=height,
                file=io.StringIO(),
                force_terminal=True,
                color_system="truecolor",
                legacy_windows=False,
                safe_box=False,
            )
            self.stream.feed(renderable.render_segments(console))

        return to_terminal

    def text(self) -> str:
        return "\n".join(self.screen.display)


async def test_no_toast_stays_painted_after_many_toggles_and_resizes(sandbox: Sandbox) -> None:
    """25 toggles of the time zone, with resizes, ending at 120x40: more toasts than fit,
    the rack scrolls. Once every notification has expired, the terminal shows none."""
    app = make_app(sandbox)
    model = TerminalModel(app)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        wrap_display(app, model.wrap)
        await settle(pilot)
        started = time.monotonic()
        for size in SIZES:  # ending at 120x40
            await pilot.press("t", "t")
            await pilot.resize_terminal(*size)
        # Toasts that outlive the next 15 keys, however slow this machine is now.
        per_key = (time.monotonic() - started) / 10
        app.NOTIFICATION_TIMEOUT = max(5.0, 30 * per_key)  # type: ignore[misc]
        for _ in range(15):  # one by one: the rack overflows and scrolls to each new one
            await pilot.press("t")
        await wait_for(pilot, lambda: model.text().count("Times now shown") >= 9, timeout=60)
        await wait_for(pilot, lambda: not app._notifications, timeout=120)
        await wait_for(pilot, lambda: "Times now shown" not in terminal(app)[1])  # its render
        await wait_for(pilot, lambda: "Times now shown" not in model.text(), timeout=5)
        assert "▌" not in model.text()  # no toast's edge either


async def test_a_toast_repaint_due_while_the_app_closes_is_harmless(sandbox: Sandbox) -> None:
    """The repaint after a toast expires can come due after the screens are gone (a toast
    shown just before quitting): it is then a no-op, not a ScreenStackError."""
    app = make_app(sandbox)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.notify("shown just before quitting")
    assert not app.screen_stack
    app._repaint_after_toast()  # what the toast's timer calls when it comes due
