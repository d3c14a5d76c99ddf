"""Every use of Textual's private API, in one place.

Each has no public equivalent in Textual 8.2, and each is pinned by
tests/test_textual_private.py, which fails loudly if an upgrade changes it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual.app import App
from textual.widgets import DataTable, Tree
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


def columns_resized(table: DataTable[Any]) -> None:
    """Redraw `table` after its columns' widths were set by hand (DataTable has no public
    way to resize a column): its cached renders are dropped, and its scrollable width is
    computed again once idle, as after add_column."""
    table._update_count += 1  # every render cache's key holds it
    table._require_update_dimensions = True
    table.refresh()


Wrapper = Callable[[Callable[..., None]], Callable[..., None]]


def wrap_display(app: App[Any], wrapper: Wrapper) -> None:
    """Wrap App._display, the call that hands a frame to the driver (benchmarks only)."""
    app._display = wrapper(app._display)  # type: ignore[method-assign]


def number_lines(tree: Tree[Any]) -> None:
    """Number `tree`'s lines now, as Tree does when next idle: a node just added then has
    its line, and `move_cursor` can go to it at once instead of after a frame."""
    tree._tree_lines  # noqa: B018 (the property builds the lines)


def bound_line_cache(tree: Tree[Any], lines: int) -> None:
    """Keep at most `lines` of `tree`'s rendered lines (Tree keeps 1,024). Each label
    change makes its lines new cache keys, so a walk fills all 1,024 with lines never
    drawn again: about 6 MiB that the soak saw as growth for the first quarter hour."""
    from textual.cache import LRUCache

    tree._line_cache = LRUCache(lines)


def bounded_render_caches() -> list[Any]:
    """Every bounded `functools.lru_cache` of Textual and Rich (module functions and
    methods, with the class- and static methods among them): Region geometry, Style
    combination, colours, cell widths, scalar sizes, ANSI codes... Each holds up to its
    1,024 to 16,384 entries for as long as the process; a session of varied frames fills
    them slowly, about a quarter of an hour (see trim_render_caches)."""
    found: dict[int, Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in ("textual", "rich"):
            continue
        for value in list(vars(module).values()):
            places = [value]
            if isinstance(value, type) and value.__module__ == name:
                places = [getattr(member, "__func__", member) for member in vars(value).values()]
            for place in places:
                if _is_bounded_lru(place):
                    found[id(place)] = place
    return list(found.values())


def share_css_parses() -> None:
    """From now on, every Stylesheet of this process takes the rules of a CSS source
    parsed before with the same variables, rather than parsing it again (tests only: a
    test process starts hundreds of apps, and each parsed the same dozen sources, about
    15 ms an app). Textual caches parses per Stylesheet, keyed as here but for the
    variables, which it substitutes while parsing; its RuleSets are not changed after,
    so it reuses them across parses already."""
    from textual.css.stylesheet import Stylesheet

    if getattr(Stylesheet._parse_rules, "shared", False):
        return
    parse_rules = Stylesheet._parse_rules
    parsed: dict[tuple[Any, ...], Any] = {}

    def shared(
        sheet: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> Any:
        variables = frozenset(sheet._variables.items())
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = parse_rules(
                sheet, css, read_from, is_default_rules, tie_breaker, scope
            )
        return rules

    shared.shared = True  # type: ignore[attr-defined]
    Stylesheet._parse_rules = shared  # type: ignore[method-assign,assignment]


def _is_bounded_lru(obj: Any) -> bool:
    info = getattr(obj, "cache_parameters", None)
    return callable(info) and hasattr(obj, "cache_clear") and info()["maxsize"] is not None


_found: tuple[int, list[Any]] = (0, [])  # (len(sys.modules) when found, the caches)


def trim_render_caches(app: App[Any]) -> None:
    """Empty Textual's and Rich's bounded lru_caches (bounded_render_caches) and the line
    caches of the app's trees, then hand glibc's free pages back (malloc_trim), so that
    the app holds what the last period drew, not what a quarter of an hour drew. Full,
    these caches held about 25,000 Regions, Styles, Fractions, colours and strings and
    256 rendered lines of each tree, which the 30-minute soak saw as the app's memory
    rising for 14 minutes. What is still drawn is cached again within a frame or two."""
    global _found
    for screen in app.screen_stack:
        for tree in screen.query(Tree):
            tree._line_cache.clear()
    if _found[0] != len(sys.modules):  # a module imported since holds caches too
        _found = (len(sys.modules), bounded_render_caches())
    for cache in _found[1]:
        cache.cache_clear()
    malloc_trim()


def malloc_trim() -> None:
    """glibc's malloc_trim(0): give the free pages inside the C heap back to the system
    (a soak's app had 1 to 2.5 MiB of them, free but resident). Nothing elsewhere."""
    global _malloc_trim
    if _malloc_trim is None:
        import ctypes

        try:
            _malloc_trim = ctypes.CDLL(None).malloc_trim
        except (AttributeError, OSError):  # not glibc
            _malloc_trim = False
    if _malloc_trim:
        _malloc_trim(0)


_malloc_trim: Any = None
