"""The floor: a bare Textual app with harvest-tui's widgets and nothing else.

No boto3, no service, no config: a one-line header Static, a Tree beside a
VerticalScroll of Statics, and a Footer with a few bindings. It stamps the same
bench events as the app (harvest_tui.ui.bench, which imports nothing), and for
"first data" puts three fixed names in the tree right away: the framework's
floor for showing data.

    HARVEST_TUI_BENCH=FILE python tests/benchmarks/floor_app.py

With `--tree GROUPS,CHANNELS,ENDPOINTS,JOBS` it is the floor for a frame: a tree of
that shape (channels per group, endpoints per channel, jobs per endpoint), every
node expanded, as the app's tree is once loaded ("all_loaded" is stamped once it is
painted). As the cursor moves, the header's Static and the detail's Statics are
updated with the highlighted node's fields, as one Text each: the framework's cost
of a cursor move that shows what it lands on.
"""

from __future__ import annotations

import sys

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from harvest_tui.ui import bench

CSS = """
#header { height: 1; background: $panel; }
#main { height: 1fr; }
Tree { width: 45%; min-width: 30; border-right: solid $panel-lighten-2; }
#detail { width: 1fr; padding: 0 1; }
"""
ARN = "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/{path}"
LABELS = ("Status", "ARN", "Job", "Group", "Channel", "Endpoint", "Description",
          "Destination", "Manifests", "  HLS", "  DASH", "Window", "  Start", "  End",
          "  Duration", "Created", "Modified", "ETag", "Tags", "")  # fmt: skip


def fields(path: str) -> Text:
    """About as many lines, and as long, as the app's detail pane shows for a job."""
    text = Text()
    for label in LABELS:
        text.append(f"{label:<12}", style="bold")
        text.append(ARN.format(path=path) if label in ("ARN", "Destination") else path)
        text.append("\n")
    return text


class FloorApp(App[int]):
    CSS = CSS
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("r", "noop", "Refresh"),
        Binding("c", "noop", "Copy ARN"),
        Binding("e", "noop", "Copy ETag"),
        Binding("t", "noop", "UTC/local"),
        Binding("p", "noop", "Profile"),
    ]

    def __init__(self, shape: tuple[int, int, int, int] | None = None) -> None:
        super().__init__()
        self.shape = shape

    def compose(self) -> ComposeResult:
        yield Static(" harvest-tui  sandbox · us-east-1", id="header")
        with Horizontal(id="main"):
            tree: Tree[str] = Tree("account")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="detail"):
                yield Static("Select a resource in the tree", id="detail-title")
                yield Static("", id="detail-fields")
        yield Footer()

    def on_mount(self) -> None:
        bench.install(self)
        tree: Tree[str] = self.query_one(Tree)
        tree.focus()
        if self.shape is None:
            for name in ("events-popup", "live-sports", "news-24x7"):
                tree.root.add(f"▣ {name}")
            bench.on_next_frame("groups_shown", level="group", count=3)
            return
        groups, channels, endpoints, jobs = self.shape
        for g in range(groups):
            group = tree.root.add(Text(f"▣ group-{g:02}"), data=f"group-{g:02}", expand=True)
            for c in range(channels):
                path = f"group-{g:02}/channel/channel-{c:02}"
                channel = group.add(Text(f"◆ channel-{c:02}"), data=path, expand=True)
                for e in range(endpoints):
                    at = f"{path}/originEndpoint/endpoint-{e:02}"
                    endpoint = channel.add(Text(f"● endpoint-{e:02}"), data=at, expand=True)
                    for j in range(jobs):
                        endpoint.add_leaf(
                            Text(f"✔ job-{j:05}  COMPLETED"), data=f"{at}/harvestJob/job-{j:05}"
                        )
        bench.on_next_frame("all_loaded", jobs=groups * channels * endpoints * jobs)

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[str]) -> None:
        node: TreeNode[str] = event.node
        path = node.data or ""
        self.query_one("#detail-title", Static).update(Text(path.rsplit("/", 1)[-1]))
        self.query_one("#detail-fields", Static).update(fields(path))

    def action_noop(self) -> None:
        pass


def main(argv: list[str]) -> None:
    """`--tree G,C,E,J` (argparse is not imported: the first-frame floor must not pay for it)."""
    shape = None
    if argv[:1] == ["--tree"] and len(argv) == 2:
        g, c, e, j = (int(n) for n in argv[1].split(","))
        shape = (g, c, e, j)
    elif argv:
        raise SystemExit("usage: floor_app.py [--tree GROUPS,CHANNELS,ENDPOINTS,JOBS]")
    FloorApp(shape).run()


if __name__ == "__main__":
    main(sys.argv[1:])
