"""ResourceTree at scale: populate reconciles in one pass, queries skip the job nodes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import Any

from textual.app import App, ComposeResult

from harvest_tui.models import HarvestJob
from harvest_tui.sandbox import DEMO_NOW
from harvest_tui.ui.widgets.resource_tree import ResourceTree
from harvest_tui.ui.widgets.tree_nodes import NodeData


@dataclass(frozen=True)
class Named:
    name: str


def job(name: str, status: str = "COMPLETED", endpoint: str = "e1") -> HarvestJob:
    start = DEMO_NOW - timedelta(hours=2)
    return HarvestJob.from_api(
        {
            "ChannelGroupName": "g",
            "ChannelName": "c",
            "OriginEndpointName": endpoint,
            "HarvestJobName": name,
            "Arn": f"arn:{name}",
            "Status": status,
            "Destination": {"S3Destination": {"BucketName": "b", "DestinationPath": "p/"}},
            "HarvestedManifests": {},
            "ScheduleConfiguration": {"StartTime": start, "EndTime": start + timedelta(hours=1)},
            "CreatedAt": DEMO_NOW,
            "ModifiedAt": DEMO_NOW,
        }
    )


class TreeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTree(tz=UTC, id="tree")


def build(tree: ResourceTree, jobs_per_endpoint: dict[str, list[HarvestJob]]) -> Any:
    """One group 'g', one channel 'c', the endpoints given, every level expanded."""
    assert tree.root.data is not None
    tree.root.data.region = "us-east-1"
    tree.populate(tree.root, [Named("g")])
    group = tree.root.children[0]
    tree.populate(group, [Named("c")])
    channel = group.children[0]
    tree.populate(channel, [Named(e) for e in sorted(jobs_per_endpoint)])
    for endpoint in channel.children:
        assert endpoint.data is not None
        tree.populate(endpoint, jobs_per_endpoint[endpoint.data.name])
        endpoint.expand()
    group.expand()
    channel.expand()
    return channel


def names(node: Any) -> list[str]:
    return [c.data.name for c in node.children]


async def test_populate_keeps_nodes_and_order_and_skips_unchanged_labels() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(ResourceTree)
        channel = build(tree, {"e1": [job(f"j{i:04d}") for i in range(0, 2000, 2)]})
        endpoint = channel.children[0]
        before = {c.data.name: c for c in endpoint.children}
        relabelled: list[str] = []
        for node in endpoint.children:
            original = node.set_label

            def spy(label: Any, _node: Any = node, _original: Any = original) -> None:
                relabelled.append(_node.data.name)
                _original(label)

            node.set_label = spy  # type: ignore[method-assign]
        # Odd names slot in between; j0000 goes; j0002 changes status.
        items = [job(f"j{i:04d}") for i in range(1, 2000)]
        items[1] = job("j0002", "FAILED")
        tree.populate(endpoint, items)
        await pilot.pause()
        assert names(endpoint) == [f"j{i:04d}" for i in range(1, 2000)]
        assert all(
            before[n] is c
            for n, c in zip(names(endpoint), endpoint.children, strict=True)
            if n in before
        )
        assert relabelled == ["j0002"]
        assert [line.node for line in tree._tree_lines][-1] is endpoint.children[-1]


async def test_populate_repairs_children_out_of_order() -> None:
    app = TreeApp()
    async with app.run_test():
        tree = app.query_one(ResourceTree)
        channel = build(tree, {"e1": [job("a"), job("b"), job("c")]})
        endpoint = channel.children[0]
        endpoint._children.reverse()  # as if sorted differently before
        tree.populate(endpoint, [job("a"), job("b"), job("c"), job("d")])
        assert names(endpoint) == ["a", "b", "c", "d"]


async def test_job_queries_visit_containers_not_every_job() -> None:
    app = TreeApp()
    async with app.run_test() as pilot:
        tree = app.query_one(ResourceTree)
        many = [job(f"done-{i:05d}", endpoint="e1") for i in range(5000)]
        active = [job("live-1", "IN_PROGRESS", "e2"), job("queued-1", "QUEUED", "e2")]
        channel = build(tree, {"e1": many, "e2": [*active, job("old", endpoint="e2")]})
        await pilot.pause()
        e1, e2 = channel.children
        watched = [n.data.name for n in tree.unfinished_job_nodes()]
        assert sorted(watched) == ["live-1", "queued-1"]
        assert sorted(watched) == sorted(
            n.data.name for n in tree.job_nodes() if not n.data.resource.finished
        )

        node = tree.job_node("us-east-1", ("g", "c", "e1", "done-04321"))
        assert node is not None and node.parent is e1 and node.data.name == "done-04321"
        assert tree.job_node("us-east-1", ("g", "c", "e1", "missing")) is None
        assert tree.job_nodes_of("us-east-1", ("g", "c", "e9", "x")) == []

        # A job that finishes leaves the watch list; one that starts joins it.
        live = tree.job_node("us-east-1", ("g", "c", "e2", "live-1"))
        assert live is not None
        tree.update_job(live, job("live-1", "COMPLETED", "e2"))
        old = tree.job_node("us-east-1", ("g", "c", "e2", "old"))
        assert old is not None
        tree.update_job(old, job("old", "QUEUED", "e2"))
        assert sorted(n.data.name for n in tree.unfinished_job_nodes()) == ["old", "queued-1"]

        # Collapsed: not shown, so neither watched nor found (as job_nodes()).
        e2.collapse()
        assert tree.unfinished_job_nodes() == []
        assert tree.job_node("us-east-1", ("g", "c", "e2", "old")) is None
        e2.expand()

        # Removed or cleared: gone from every query.
        queued = tree.job_node("us-east-1", ("g", "c", "e2", "queued-1"))
        assert queued is not None and tree.contains(queued)
        e2.remove_children()
        assert not tree.contains(queued)
        assert tree.unfinished_job_nodes() == []
        assert tree.job_node("us-east-1", ("g", "c", "e2", "queued-1")) is None
        tree.clear()
        assert not tree.contains(e1) and tree.contains(tree.root)


async def test_regions_are_a_level_of_their_own() -> None:
    app = TreeApp()
    async with app.run_test():
        tree = app.query_one(ResourceTree)
        tree.populate(tree.root, ["eu-west-1", "us-east-1"])  # type: ignore[list-item]
        region = tree.root.children[1]
        tree.populate(region, [Named("g")])
        group = region.children[0]
        tree.populate(group, [Named("c")])
        channel = group.children[0]
        tree.populate(channel, [Named("e2")])
        endpoint = channel.children[0]
        tree.populate(endpoint, [job("live-1", "IN_PROGRESS", "e2")])
        for node in (region, group, channel, endpoint):
            node.expand()
        assert isinstance(endpoint.data, NodeData) and endpoint.data.region == "us-east-1"
        found = tree.job_node("us-east-1", ("g", "c", "e2", "live-1"))
        assert found is endpoint.children[0]
        assert tree.job_node("eu-west-1", ("g", "c", "e2", "live-1")) is None
        assert tree.unfinished_job_nodes() == [found]
