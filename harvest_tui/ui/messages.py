"""Messages that workers post to the UI: the only way data reaches widgets.

Workers run in threads; `post_message` is thread-safe, so each worker ends by
posting one of these and the handlers (on the main thread) update widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message
from textual.widgets.tree import TreeNode

from harvest_tui.errors import ServiceError
from harvest_tui.models import HarvestJob, Resource


@dataclass
class ChildrenLoaded(Message):
    """The children of a tree node arrived (complete, sorted by name)."""

    node: TreeNode
    items: list[object]


@dataclass
class ChildrenFailed(Message):
    """A node's children could not be listed."""

    node: TreeNode
    error: ServiceError


@dataclass
class ChannelJobsLoaded(Message):
    """Every job of a channel (one ListHarvestJobs page chain), for its endpoints."""

    channel_node: TreeNode
    jobs: list[HarvestJob]
    error: ServiceError | None = None


@dataclass
class DetailLoaded(Message):
    """A Get call's answer for the resource shown in the detail pane."""

    resource: Resource
    fetched_at: datetime


@dataclass
class DetailFailed(Message):
    """The Get call for the shown resource failed."""

    key: tuple[str, ...]
    error: ServiceError


@dataclass
class JobPolled(Message):
    """A watched job's fresh state, or None for the job when it no longer exists."""

    key: tuple[str, str, str, str]
    region: str
    job: HarvestJob | None
    fetched_at: datetime
    error: ServiceError | None = None


@dataclass
class CallRetrying(Message):
    """A call is being retried (throttling, a dropped connection): tell the user."""

    operation: str
    attempt: int
    max_attempts: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CallRetrying)


@dataclass
class CallsInFlight(Message):
    """A call started (+1) or ended (-1), for the header's activity."""

    delta: int
