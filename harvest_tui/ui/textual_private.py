"""Every use of Textual's private API, in one place.

Each has no public equivalent in Textual 8.2, and each is pinned by
tests/test_textual_private.py, which fails loudly if an upgrade changes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual.app import App
from textual.widgets import Tree
from textual.widgets.tree import TreeNode


def reorder_children(node: TreeNode[Any], ordered: list[TreeNode[Any]]) -> None:
    """Put `node`'s children in `ordered` order (they are the same nodes): Tree has no
    public move, and re-adding thousands of nodes would lose their expansion."""
    node._children[:] = ordered
    node.tree._invalidate()


@contextmanager
def one_invalidation(tree: Tree[Any]) -> Iterator[None]:
    """Add many nodes at the cost of one redraw: Tree.add invalidates the whole tree (and
    asks for a layout) on each call, a third of the time of adding thousands of nodes."""
    tree._invalidate = lambda: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del tree._invalidate
        tree._invalidate()


Wrapper = Callable[[Callable[..., None]], Callable[..., None]]


def wrap_display(app: App[Any], wrapper: Wrapper) -> None:
    """Wrap App._display, the call that hands a frame to the driver (benchmarks only)."""
    app._display = wrapper(app._display)  # type: ignore[method-assign]
