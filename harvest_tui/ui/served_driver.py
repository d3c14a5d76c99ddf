"""ServedDriver: Textual's web driver for an app that must end with its server.

`harvest-tui serve` runs one app process per browser tab through textual-serve, which
talks to it over the process's stdin and stdout. When the server dies (killed,
crashed), both pipes close; Textual's WebDriver then only stops reading: the app lived
on, orphaned, with its service worker and its sandbox, and whatever it wrote next
raised BrokenPipeError (a SIGTERM ended it with a traceback and exit code 1). This
driver ends the app when its input ends or its output is gone, and writes nothing
more once the server has gone.
"""

from __future__ import annotations

import threading

from textual.drivers.web_driver import WebDriver
from textual.messages import ExitApp

DRIVER = "harvest_tui.ui.served_driver:ServedDriver"  # for TEXTUAL_DRIVER


class ServedDriver(WebDriver):
    """A WebDriver whose app exits when textual-serve's end of the pipes closes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.gone = threading.Event()

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # the input ended, not the app: the server went
            self.lost_server()

    def write(self, data: str) -> None:
        if not self.gone.is_set():
            try:
                super().write(data)
            except OSError:
                self.lost_server()

    def write_meta(self, data: dict[str, object]) -> None:
        if not self.gone.is_set():
            try:
                super().write_meta(data)
            except OSError:
                self.lost_server()

    def write_binary_encoded(self, data: tuple[str | bytes, ...]) -> None:
        if not self.gone.is_set():
            try:
                super().write_binary_encoded(data)
            except OSError:
                self.lost_server()

    def lost_server(self) -> None:
        """Nobody reads or writes the app any more: end it (once)."""
        if not self.gone.is_set():
            self.gone.set()
            self.send_message(ExitApp())
