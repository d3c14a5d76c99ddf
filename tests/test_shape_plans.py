"""ShapePlans: one plan per shape, shared by threads, recursive shapes included."""

from __future__ import annotations

import threading
from typing import Any

from harvest_tui.shape_plans import ShapePlans


class Node:
    """A shape whose members may be itself (botocore allows recursive shapes)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.members: dict[str, Node] = {}


def test_a_recursive_shape_plans_once_and_walks_to_any_depth() -> None:
    tree = Node("Tree")
    tree.members["Child"] = tree
    made: list[str] = []

    def make(shape: Any) -> Any:
        made.append(shape.name)
        inner = {k: plans.plan(m) for k, m in shape.members.items()}
        return lambda value: {
            "depth": 1 + max([inner[k](v)["depth"] for k, v in value.items()] or [0])
        }

    plans = ShapePlans(make)
    assert plans.plan(tree)({"Child": {"Child": {"Child": {}}}}) == {"depth": 4}
    assert plans.plan(tree) is plans.plan(tree) and made == ["Tree"]


def test_a_thread_asking_while_another_makes_the_plan_waits_for_the_whole_plan() -> None:
    shape = Node("Job")
    release, started = threading.Event(), threading.Event()
    whole = lambda value: ("whole", value)  # noqa: E731

    def make(_: Any) -> Any:
        started.set()
        assert release.wait(10)
        return whole

    plans = ShapePlans(make)
    got: list[Any] = []
    maker = threading.Thread(target=lambda: got.append(plans.plan(shape)))
    maker.start()
    assert started.wait(10)
    asker = threading.Thread(target=lambda: got.append(plans.plan(shape)))
    asker.start()
    asker.join(0.2)
    assert asker.is_alive()  # it waits: it is not handed a stand-in for the plan
    release.set()
    maker.join(10)
    asker.join(10)
    assert got == [whole, whole]
