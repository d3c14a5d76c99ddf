"""AppFooter: Textual's Footer, recomposed only when the keys it shows change.

Footer rebuilds itself (a widget per key, each styled anew) whenever the screen says
its bindings may have changed: focus moved, the terminal gained focus, a screen came
or went. At start-up that is three times within 60 ms, just as the first data
arrives, and most of the time nothing it shows has changed.

Each rebuild also left the old keys alive (Textual keeps them watching the footer's
`compact`): recompose lets them go.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

from harvest_tui.ui.textual_private import let_removed_widgets_go


def shown_keys(screen: Screen) -> tuple[tuple[str, str, bool], ...]:
    """What a footer on `screen` would show: (key, description, enabled) per binding."""
    return tuple(
        (binding.key, binding.description, enabled)
        for (_, binding, enabled, _) in screen.active_bindings.values()
        if binding.show
    )


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
            self._composed_for = shown
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        """As Footer's, then let the keys it removed go (Footer's own binding to them
        would keep every key it ever composed alive: see let_removed_widgets_go)."""
        await super().recompose()
        let_removed_widgets_go(self)
