"""RowTree: a Tree whose rows are laid out to the pane's width, k9s style.

A row is a glyph and a name, then a right-hand column (counts, a job's window) set
flush with the pane's right edge, so the columns of sibling rows line up. A name too
long for the room left is cut in the middle (`football-al…-20261102`), so both its
start and its date suffix stay readable; at a width where the name would get too
little room, the column gives way. Nothing is wider than the pane: no horizontal
scrollbar, ever.

The layout happens as a row is drawn (only the rows on screen, and Tree caches
them), never as a label is built: a label is built for each of 10,000 jobs.
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.style import Style
from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from harvest_tui.statuses import MARK, TREE_GLYPHS
from harvest_tui.ui.textual_private import bound_line_cache
from harvest_tui.ui.widgets.tree_nodes import NodeData

MIN_HEAD = 20  # the cells a name keeps before its row's column gives way
LINE_CACHE = 256  # rendered rows kept (Tree keeps 1,024: see bound_line_cache)
MIN_COLUMN = 12  # the cells a column cut at its left keeps, else it gives way whole
_TOGGLE = Style.from_meta({"toggle": True})  # as Tree's icon: a click on it toggles


def middle_cut(text: Text, width: int, cut: str) -> Text:
    """`text` in at most `width` cells: its middle replaced by `cut` when too long."""
    if text.cell_len <= width:
        return text
    room = width - cell_len(cut)
    if room <= 0:
        return text[: max(width, 0)]
    plain = text.plain
    left_cells = (room + 1) // 2
    left = _chars_within(plain, left_cells)
    right = _chars_within(plain[::-1], room - cell_len(plain[:left]))
    kept = text[:left]
    kept.append(cut)
    if right:
        kept.append_text(text[len(plain) - right :])
    return kept


def left_cut(text: Text, width: int, cut: str) -> Text:
    """`text`'s right end in at most `width` cells, after `cut`, from a word's start."""
    plain = text.plain
    right = _chars_within(plain[::-1], width - cell_len(cut) - 1)
    start = len(plain) - right
    if start > 0 and plain[start - 1] != " ":
        space = plain.find(" ", start)
        start = space if space != -1 else len(plain)
    kept = Text(f" {cut}", style="dim")
    kept.append_text(text[start:])
    return kept


def _chars_within(plain: str, cells: int) -> int:
    """How many characters from the start of `plain` fit in `cells`."""
    if len(plain) == cell_len(plain):  # one cell each: the common case
        return min(len(plain), max(cells, 0))
    used = count = 0
    for ch in plain:
        used += get_character_cell_size(ch)
        if used > cells:
            break
        count += 1
    return count


def fit_row(label: Text, column_at: int, width: int, cut: str) -> Text:
    """The row for `label` (a head, then from `column_at` its column) in `width` cells:
    the column flush right, the head cut in the middle if it must be."""
    if width <= 0 or (column_at <= 0 and label.cell_len <= width):
        return label.copy()
    if column_at <= 0:
        return middle_cut(label, width, cut)
    head, column = label[: column_at - 1], label[column_at:]
    room = width - column.cell_len - 1
    if room < min(head.cell_len, MIN_HEAD):
        # Too narrow: the column loses its left end (a group's quota meter is at its right),
        # and gives way whole when too little of it would be left.
        keep = width - min(head.cell_len, MIN_HEAD) - 1
        if keep < MIN_COLUMN:
            return middle_cut(head, width, cut)
        column = left_cut(column, keep, cut)
        room = width - column.cell_len - 1
    head = middle_cut(head, room, cut)
    head.append(" " * (width - head.cell_len - column.cell_len))
    head.append_text(column)
    return head


class RowTree(Tree[NodeData]):
    """A Tree of NodeData whose rows are laid out to its width (see the module's doc)."""

    def __init__(self, label: str, data: NodeData, *, id: str | None = None) -> None:
        # As Text: Tree would parse a str as markup (importing Rich's emoji table for it).
        super().__init__(Text(label), data=data, id=id)
        # A screenful of rows, twice over (cursor and hover states), is all a frame reuses.
        bound_line_cache(self, LINE_CACHE)
        # The glyphs of the app's terminal (statuses.use_ascii), fixed per tree.
        lines = TREE_GLYPHS["lines"]
        self.LINES = {"default": lines, "bold": lines, "double": lines}  # type: ignore[dict-item]
        self.ICON_NODE, self.ICON_NODE_EXPANDED = TREE_GLYPHS["icons"]

    def process_label(self, label: str | Text) -> Text:
        """Our labels are one-line Text already: use them as they are (Tree copies each)."""
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        """Rows are laid out to the pane's width, so none is wider: the tree's virtual
        width is its pane's (no horizontal scrollbar), at no cost per node."""
        return 0

    def row_width(self, node: TreeNode[NodeData]) -> int:
        """The cells `node`'s label has: the pane's width less the guides, the icon and a
        cell of margin on the right."""
        depth = 0
        parent = node.parent
        while parent is not None and (parent is not self.root or self.show_root):
            depth += 1
            parent = parent.parent
        icon = 0
        if node.allow_expand:
            icon = cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return self.scrollable_content_region.width - depth * self.guide_depth - icon - 1

    def row_label(self, node: TreeNode[NodeData]) -> Text:
        """The label `node`'s row shows (drawn only for the rows on screen)."""
        return node.label if isinstance(node.label, Text) else Text(str(node.label))

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        label = self.row_label(node)
        column_at = node.data.column_at if node.data is not None else 0
        width = self.row_width(node)
        row = fit_row(label, column_at, width, MARK["cut"])
        if row.cell_len < width:  # the cursor's bar spans the row, column or not
            row.append(" " * (width - row.cell_len))
        row.stylize(style)
        if not node.allow_expand:
            return row
        icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
        return Text.assemble((icon, base_style + _TOGGLE), row)
