"""AppFooter: Textual's Footer, recomposed only when the keys it shows change.

Footer rebuilds itself (a widget per key, each styled anew) whenever the screen says
its bindings may have changed: focus moved, the terminal gained focus, a screen came
or went. At start-up that is three times within 60 ms, just as the first data
arrives, and most of the time nothing it shows has changed.

When only whether a key is enabled changed (a job's keys, as the cursor moves between
jobs and other resources), the keys it shows are dimmed or undimmed where they are:
a rebuild mounts and styles a dozen widgets, and cost a cursor move a tenth of its CPU.

Each rebuild also left the old keys alive (Textual keeps them watching the footer's
`compact`): recompose lets them go.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

from harvest_tui.ui.textual_private import let_removed_widgets_go, set_footer_keys_enabled


def shown_keys(screen: Screen) -> tuple[tuple[str, str, bool], ...]:
    """What a footer on `screen` would show: (key, description, enabled) per binding."""
    return tuple(
        (binding.key, binding.description, enabled)
        for (_, binding, enabled, _) in screen.active_bindings.values()
        if binding.show
    )


def same_keys(a: tuple[tuple[str, str, bool], ...], b: tuple[tuple[str, str, bool], ...]) -> bool:
    """The same keys with the same descriptions, enabled or not."""
    return [k[:2] for k in a] == [k[:2] for k in b]


class AppFooter(Footer):
    """A Footer that skips rebuilding itself for an unchanged set of keys."""

    def __init__(self) -> None:
        super().__init__()
        self._composed_for: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = shown_keys(screen)
            if shown == self._composed_for:
                return
            before, self._composed_for = self._composed_for, shown
            if before is not None and same_keys(before, shown) and self.children:
                self._set_enabled(screen)
                return
        super().bindings_changed(screen)

    def _set_enabled(self, screen: Screen) -> None:
        """Dim or undim the keys already shown, as Footer's compose would have made them."""
        active = screen.active_bindings
        set_footer_keys_enabled(self, {key: entry[2] for key, entry in active.items()})

    async def recompose(self) -> None:
        """As Footer's, then let the keys it removed go (Footer's own binding to them
        would keep every key it ever composed alive: see let_removed_widgets_go)."""
        await super().recompose()
        let_removed_widgets_go(self)
