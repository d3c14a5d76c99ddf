"""Opt-in instrumentation for the benchmarks (tests/benchmarks/run.py). Off by default.

With HARVEST_TUI_BENCH=PATH set, the app appends one JSON object per line to PATH
(a file, or a pipe such as /dev/fd/N), each {"event": NAME, "t": NS, "cpu": NS, ...}
where t is time.monotonic_ns() (one clock for every process on the machine), stamped
once the frame that shows the event has been handed to the terminal driver (`frame`:
which frame, 1 for the first; for an event stamped at once, the frames painted so far):

    first_frame          the first frame
    groups_shown         the top level of the tree lists channel groups (or regions)
    children_shown       a node's children are in the tree (level=, count=)
    job_detail_shown     the detail pane shows a harvest job (from its list entry)
    job_detail_fetched   ... refreshed by its GetHarvestJob
    key_frame            the first frame after the n-th key press (n=, key=, key_cpu=: the
                         CPU time as the key arrived)
    filter_opened        the name filter's input is on screen, focused
    filter_shown         the name filter's matches are on screen (text=, count=)
    view_refreshed       a warm start's cached view has been read again, every list
    view_answered        (at once) the last answer of that refresh is in
    all_loaded           (HARVEST_TUI_BENCH_SCRIPT=expand_all) every node expanded
                         and loaded (jobs=)
    error                a node shows an error (no frame wait)

HARVEST_TUI_BENCH_SCRIPT=expand_all expands every group, channel and endpoint as
it loads, so a benchmark can load a whole account without driving it key by key.

When HARVEST_TUI_BENCH is unset, ENABLED is False and the app's only cost is
reading that flag: nothing is patched, opened or imported.
"""

from __future__ import annotations

import os
from typing import Any

ENABLED = bool(os.environ.get("HARVEST_TUI_BENCH"))
SCRIPT = os.environ.get("HARVEST_TUI_BENCH_SCRIPT", "") if ENABLED else ""

_out: Any = None
_pending: list[tuple[str, dict[str, Any]]] = []
_frames = 0
_keys = 0
_all_loaded = False


def stamp(event: str, **fields: Any) -> None:
    """Write one event now."""
    if not ENABLED:
        return
    import json
    import time

    global _out
    if _out is None:
        _out = open(os.environ["HARVEST_TUI_BENCH"], "a", buffering=1)  # noqa: SIM115
    record = {
        "event": event,
        "t": time.monotonic_ns(),
        "cpu": time.process_time_ns(),  # the process's CPU time so far (every thread)
        "frame": _frames,
        **fields,
    }
    _out.write(json.dumps(record) + "\n")


def on_next_frame(event: str, **fields: Any) -> None:
    """Write `event` once the next frame has been handed to the terminal."""
    if ENABLED:
        _pending.append((event, fields))


def install(app: Any) -> None:
    """Hook `app` (a Textual App): frames, keys, and its explorer's detail pane if any."""
    if not ENABLED:
        return
    import time

    from textual import events

    from harvest_tui.ui.textual_private import wrap_display

    on_event = app.on_event

    def wrap(display: Any) -> Any:
        def bench_display(screen: Any, renderable: Any) -> None:
            global _frames
            display(screen, renderable)
            if renderable is None:
                return
            _frames += 1
            if _frames == 1:
                stamp("first_frame")
            while _pending:
                event, fields = _pending.pop(0)
                stamp(event, **fields)

        return bench_display

    async def bench_on_event(event: Any) -> None:
        global _keys
        if isinstance(event, events.Key) and not event.is_forwarded:
            _keys += 1
            # The process's CPU time as the key arrives: the frame's "cpu" less this is
            # what the key cost to paint.
            on_next_frame("key_frame", n=_keys, key=event.key, key_cpu=time.process_time_ns())
        await on_event(event)

    wrap_display(app, wrap)
    app.on_event = bench_on_event

    explorer = getattr(app, "explorer", None)
    detail = getattr(explorer, "detail", None)
    if detail is not None and hasattr(detail, "show"):
        show = detail.show

        def bench_show(resource: Any, *args: Any, **kwargs: Any) -> Any:
            result = show(resource, *args, **kwargs)
            if type(resource).__name__ == "HarvestJob":
                fetched = kwargs.get("fetched_at") is not None
                event = "job_detail_fetched" if fetched else "job_detail_shown"
                on_next_frame(event, name=getattr(resource, "name", ""))
            return result

        detail.show = bench_show


def populated(tree: Any, node: Any, level: str, count: int) -> None:
    """ResourceTree.populate filled `node` with `count` children of `level`."""
    if not ENABLED:
        return
    if node is tree.root:
        on_next_frame("groups_shown", level=level, count=count)
    on_next_frame("children_shown", level=level, count=count)
    if SCRIPT == "expand_all":
        _expand_all(tree)


def error_shown(node: Any, error: Any) -> None:
    if ENABLED:
        stamp("error", node=str(getattr(node, "label", "")), error=str(error))


def _expand_all(tree: Any) -> None:
    """Expand every loaded, collapsed container; report once nothing is left to load."""
    global _all_loaded
    pending = False
    jobs = 0
    stack = list(tree.root.children)
    while stack:
        node = stack.pop()
        data = node.data
        if data is None:
            continue
        if data.kind == "job":
            jobs += 1
            continue
        if data.kind in ("loading",):
            pending = True
            continue
        if data.kind not in ("region", "group", "channel", "endpoint"):
            continue
        if not node.is_expanded:
            node.expand()
            pending = True
        elif not data.loaded or data.loading:
            pending = True
        stack.extend(node.children)
    if not pending and not _all_loaded:
        _all_loaded = True
        on_next_frame("all_loaded", jobs=jobs)
