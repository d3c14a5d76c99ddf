"""ChoiceList: an OptionList that j and k move too, as they move the tree and the tables."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList


class ChoiceList(OptionList):
    """The status pickers' list (the explorer's, the jobs table's and the fleet's) and the
    watching strip: without these bindings only the arrow keys moved their highlight."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
