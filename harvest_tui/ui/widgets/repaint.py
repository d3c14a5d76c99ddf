"""Repainting a widget without laying out the whole screen when its height stays.

`Static.update` and `refresh(layout=True)` make Textual lay out every widget of the
screen again. The detail pane changes its Statics on every cursor move, and most of
the time each keeps its height: then a repaint is all it takes.
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


def repaint(widget: Widget) -> None:
    """Redraw `widget`; lay out the screen only if its content's height changed (or it
    has not been laid out yet)."""
    widget.refresh()
    width, height = widget.content_size
    if not width or widget.get_content_height(widget.size, widget.size, width) != height:
        widget.refresh(layout=True)


def update_static(static: Static, content: VisualType) -> None:
    """`static.update(content)`, laying out the screen only if its height changes, and
    doing nothing if it shows an equal content already."""
    shown = static.content
    if type(shown) is type(content) and shown == content:
        return
    static.update(content, layout=False)
    repaint(static)
