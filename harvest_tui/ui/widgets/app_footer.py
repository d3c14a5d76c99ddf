"""AppFooter: the screen's keys on one line, drawn by one widget.

It looks as Textual's Footer does (each key bold in the key colour, its description
after it, the command palette's key on the right), but it is one widget that paints a
line, not a container that mounts a widget per key:

- Footer rebuilds itself (a dozen widgets, each styled anew) whenever the screen says
  its bindings may have changed: focus moved, the terminal gained focus, a screen came
  or went, a job's keys dimmed as the cursor moved. Each rebuild lays out the screen.
  Here a change of keys is a repaint of one line, and an unchanged set is nothing.
- Every frame that lays out the screen arranged those widgets too: a cursor walk spent
  about a tenth of its CPU time on the footer.
- Each rebuild also left the old keys alive (Textualize/textual#6666).

A click on a key presses it (a dimmed key rings the bell, as Footer's does), and the key
under the pointer is highlighted.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

_SEPARATOR = "▏"  # before the palette's key, as Footer's border-left: vkey draws it


@dataclass(frozen=True)
class ShownKey:
    """One key the footer shows."""

    key: str  # the binding's key, what a click presses
    display: str  # as the app shows it (^p for ctrl+p)
    description: str
    action: str
    enabled: bool
    tooltip: str = ""  # shown while the pointer rests on the key, as Footer's


def shown_keys(screen: Screen) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
    """What the footer shows on `screen`: its keys, in binding order, one per action (as
    Footer shows them), and the command palette's key if the app has a palette."""
    app = screen.app
    active = screen.active_bindings
    keys: dict[str, ShownKey] = {}
    for _, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in keys:
            display = app.get_key_display(binding)
            keys[binding.action] = ShownKey(
                binding.key, display, binding.description, binding.action, enabled, tooltip
            )
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
        display = app.get_key_display(binding)
        tooltip = binding.tooltip or binding.description
        palette = ShownKey(
            binding.key, display, binding.description, binding.action, enabled, tooltip
        )
    return tuple(keys.values()), palette


def _palette_cells(key: ShownKey) -> int:
    """The cells the palette's key takes: separator, key, a space, description, padding."""
    return cell_len(f"{_SEPARATOR}{key.display} {key.description} ")


class AppFooter(Widget):
    """The active screen's keys, one line, docked at the bottom."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "app-footer--key",
        "app-footer--description",
        "app-footer--separator",
        "app-footer--hover",
    }
    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        & > .app-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .app-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .app-footer--separator {
            color: $foreground 20%;
        }
        & > .app-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.keys: tuple[ShownKey, ...] = ()
        self.palette: ShownKey | None = None
        self._hover = ""  # the action of the key under the pointer

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen) -> None:
        """Repaint if the keys shown (or whether each is enabled) changed. Not while the
        terminal has lost focus: Textual then unfocuses the focused widget, and the keys of
        the screen without it would show until focus comes back (as Footer, it waits)."""
        if screen is not self.screen or not screen.app.app_focus:
            return
        keys, palette = shown_keys(screen)
        if (keys, palette) != (self.keys, self.palette):
            self.keys, self.palette = keys, palette
            self.refresh()

    def key_spans(self, width: int) -> tuple[list[tuple[int, int, ShownKey]], int, bool]:
        """Where each key goes at `width`: (start, end, key) per key drawn, the cells the
        keys left of the palette's have, and whether the palette's key is drawn (against
        the right edge; when it does not fit, the other keys have the whole line)."""
        palette = self.palette
        tail = _palette_cells(palette) if palette is not None else 0
        if tail > width:
            palette, tail = None, 0
        room = width - tail
        spans: list[tuple[int, int, ShownKey]] = []
        used = 0
        for key in self.keys:
            if used >= room:
                break
            start, used = used, used + cell_len(f" {key.display} {key.description} ")
            spans.append((start, min(used, room), key))
        if palette is not None:
            spans.append((room + 1, width, palette))
        return spans, room, palette is not None

    def render_line(self, y: int) -> Strip:
        """The keys, then the palette's key against the right edge. Drawn as segments of
        their own styles (the blank between them is the footer's background only), as
        Footer's widgets are drawn."""
        width = self.size.width
        if y != 0 or width <= 0:
            return Strip.blank(width, self.rich_style)
        key_style = self.get_component_rich_style("app-footer--key")
        text_style = self.get_component_rich_style("app-footer--description")
        hover = self.get_component_rich_style("app-footer--hover", partial=True)
        blank = Style(bgcolor=self.rich_style.bgcolor)
        spans, room, with_palette = self.key_spans(width)
        line: list[Segment] = []
        for _, _, key in spans[:-1] if with_palette else spans:
            extra = self._extra(key, hover)
            line += [
                Segment(f" {key.display} ", key_style + extra),
                Segment(f"{key.description} ", text_style + extra),
            ]
        strip = Strip(line).crop_extend(0, room, blank)
        if with_palette and self.palette is not None:
            key, extra = self.palette, self._extra(self.palette, hover)
            separator = self.get_component_rich_style("app-footer--separator")
            tail = [
                Segment(_SEPARATOR, separator),
                Segment(key.display, key_style + extra),
                Segment(f" {key.description}", text_style + extra),
                Segment(" ", blank),  # Footer's padding
            ]
            strip = Strip.join([strip, Strip(tail)])
        return strip

    def _extra(self, key: ShownKey, hover: Style) -> Style:
        """Dimmed if the key does nothing now; highlighted under the pointer."""
        style = Style(dim=True) if not key.enabled else Style()
        return style + hover if key.action == self._hover else style

    def key_at(self, x: int) -> ShownKey | None:
        """The key drawn at cell `x`, if any."""
        for start, end, key in self.key_spans(self.size.width)[0]:
            if start <= x < end:
                return key
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self.key_at(event.x)
        if key is None:
            return
        if key.enabled:
            self.app.simulate_key(key.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self.key_at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, key: ShownKey | None) -> None:
        action = key.action if key is not None else ""
        if action != self._hover:
            self._hover = action
            self.tooltip = (key.tooltip or None) if key is not None else None
            self.refresh()
