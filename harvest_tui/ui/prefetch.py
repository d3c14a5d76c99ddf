"""Prefetch: the lists of the collapsed node the cursor rests on, asked for before the
user expands it, so that an expand after a rest is instant.

The tree says which lists a node still needs (a channel group: its channels; a
channel: its origin endpoints, then its job list) and how to begin one; this module
decides when, within bounds:

- only after the cursor has rested on the node for `REST_SECONDS` (the detail pane's
  debounce): scrolling past sends nothing;
- at most one speculative list in flight: a rest while one is out waits for its answer;
- never for a node whose list failed (an error or a stale refresh shown, or a failed
  prefetch);
- cancelled when the cursor moves on: a call sent cannot be unsent, but nothing follows
  it (a channel's job list after its endpoints). Its answer is only kept, and an expand
  of that node takes it, in flight or arrived, once, within `KEEP_SECONDS`.

The lists a prefetch answered are `used` when an expand takes them; the others
(moved on and never expanded, expired, failed) are `wasted`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import ClassVar

from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets.tree import TreeNode

from harvest_tui.errors import ServiceError
from harvest_tui.ui import bench
from harvest_tui.ui.widgets.detail_pane import DETAIL_DEBOUNCE
from harvest_tui.ui.widgets.tree_nodes import NodeData

REST_SECONDS = DETAIL_DEBOUNCE  # as long as the detail pane waits before its Get
KEEP_SECONDS = 30.0  # an older answer is not used: the expand asks again
KEPT_MAX = 8  # answers kept for nodes the cursor has left

ListKey = tuple[str, ...]  # which of a node's lists: ("children",), ("jobs",)
Finish = Callable[[], list[object]]


@dataclass(eq=False)
class Speculation:
    """One speculative list: sent, then answered (items or error)."""

    node: TreeNode[NodeData]
    key: ListKey
    sent_at: float = field(default_factory=time.monotonic)
    done: threading.Event = field(default_factory=threading.Event)
    items: list[object] | None = None
    error: ServiceError | None = None

    def wait(self) -> list[object]:
        """In a thread: the answer, once it is in (raises its ServiceError)."""
        self.done.wait()
        if self.error is not None:
            raise self.error
        return self.items or []

    @property
    def fresh(self) -> bool:
        return time.monotonic() - self.sent_at <= KEEP_SECONDS


@dataclass
class PrefetchArrived(Message):
    """A speculative list was answered (posted from its thread to the owner)."""

    speculation: Speculation
    bubble: ClassVar[bool] = False


class Prefetcher:
    """Speculative lists for one tree. `wanted(node)`: the lists the node still needs, in
    order (none for a node that must not be prefetched); `begin(node, key)`: start one."""

    def __init__(
        self,
        owner: Widget,
        *,
        wanted: Callable[[TreeNode[NodeData]], list[ListKey]],
        begin: Callable[[TreeNode[NodeData], ListKey], Finish | None],
        alive: Callable[[TreeNode[NodeData]], bool],
    ) -> None:
        self.owner = owner
        self._wanted = wanted
        self._begin = begin
        self._alive = alive
        self.enabled = True
        self.resting: TreeNode[NodeData] | None = None  # the cursor's node, rested on
        self.in_flight: Speculation | None = None
        self.kept: dict[tuple[int, ListKey], Speculation] = {}
        self.failed: set[int] = set()  # node ids whose prefetch failed
        self.sent = self.used = self.wasted = 0
        self._timer: Timer | None = None

    @property
    def pending(self) -> bool:
        """A rest is being timed (for tests that wait for quiet)."""
        return self._timer is not None

    # The cursor.

    def cursor_moved(self, node: TreeNode[NodeData] | None) -> None:
        """The cursor is on `node` now: time a rest there; whatever was resting is left."""
        self._stop_timer()
        self.resting = None
        if not self.enabled or node is None:
            return
        self._timer = self.owner.set_timer(REST_SECONDS, partial(self._rested, node))

    def _rested(self, node: TreeNode[NodeData]) -> None:
        self._timer = None
        self.resting = node
        self._next()

    def _needs(self, node: TreeNode[NodeData]) -> list[ListKey]:
        if node.id in self.failed or not self._alive(node):
            return []
        return [k for k in self._wanted(node) if (node.id, k) not in self.kept]

    def _next(self) -> None:
        """Send the next list the resting node needs, unless one is in flight."""
        node = self.resting
        if node is None or self.in_flight is not None:
            return
        needs = self._needs(node)
        if not needs:
            return
        key = needs[0]
        finish = self._begin(node, key)
        if finish is None:
            return
        spec = self.in_flight = Speculation(node, key)
        self.kept[(node.id, key)] = spec
        self.sent += 1
        bench.stamp("prefetch_sent", list=key[0], name=node.data.name if node.data else "")
        self.owner.run_worker(
            partial(self._wait, spec, finish),
            name="prefetch",
            group="prefetch",
            thread=True,
            exclusive=False,
            exit_on_error=False,
        )

    def _wait(self, spec: Speculation, finish: Finish) -> None:
        """In a thread worker: the speculative list's answer."""
        try:
            spec.items = finish()
        except ServiceError as error:
            spec.error = error
        finally:
            spec.done.set()
            self.owner.post_message(PrefetchArrived(spec))

    def arrived(self, spec: Speculation) -> None:
        """On the UI thread: a speculative list was answered; send the next one."""
        if self.in_flight is spec:
            self.in_flight = None
        if spec.error is not None:
            self.failed.add(spec.node.id)
            self._drop(spec)
        self._prune()
        self._next()

    # The expand.

    def take(self, node: TreeNode[NodeData], key: ListKey) -> Speculation | None:
        """The prefetched list `key` of `node` (in flight or arrived), once; None if there
        is none to use (never sent, failed, or too old: the caller asks itself)."""
        spec = self.kept.pop((node.id, key), None)
        if spec is None:
            return None
        if spec.node is not node or spec.error is not None or not spec.fresh:
            self._wasted(spec)
            return None
        self.used += 1
        bench.stamp("prefetch_used", list=key[0], name=node.data.name if node.data else "")
        return spec

    def arrived_items(self, node: TreeNode[NodeData], key: ListKey) -> list[object] | None:
        """The prefetched list `key` of `node` if its answer is in (taken); else None and
        the speculation, if in flight, stays for `take`."""
        spec = self.kept.get((node.id, key))
        if spec is None or not spec.done.is_set():
            return None
        taken = self.take(node, key)
        return taken.items if taken is not None and taken.items is not None else None

    def forget(self, node: TreeNode[NodeData]) -> None:
        """`node` is read afresh (r): no speculative answer of its may stand in."""
        for spec in [s for s in self.kept.values() if s.node is node]:
            self._drop(spec)

    def clear(self) -> None:
        """The tree was cleared: nothing kept applies to it any more."""
        self._stop_timer()
        self.resting = None
        for spec in list(self.kept.values()):
            self._drop(spec)
        self.failed.clear()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _drop(self, spec: Speculation) -> None:
        if self.kept.get((spec.node.id, spec.key)) is spec:
            del self.kept[(spec.node.id, spec.key)]
            self._wasted(spec)

    def _wasted(self, spec: Speculation) -> None:
        self.wasted += 1
        name = spec.node.data.name if spec.node.data else ""
        bench.stamp("prefetch_wasted", list=spec.key[0], name=name)

    def _prune(self) -> None:
        """Forget answers too old to use, of nodes gone, and all but the newest few."""
        for spec in list(self.kept.values()):
            if spec.done.is_set() and (not spec.fresh or not self._alive(spec.node)):
                self._drop(spec)
        done = [s for s in self.kept.values() if s.done.is_set()]
        for spec in sorted(done, key=lambda s: s.sent_at)[: max(0, len(done) - KEPT_MAX)]:
            self._drop(spec)
