"""The floor: a bare Textual app with harvest-tui's widgets and nothing else.

No boto3, no service, no config: a one-line header Static, a Tree beside a
VerticalScroll of Statics, and a Footer with a few bindings. It stamps the same
bench events as the app (harvest_tui.ui.bench, which imports nothing), and for
"first data" puts three fixed names in the tree right away: the framework's
floor for showing data.

    HARVEST_TUI_BENCH=FILE python tests/benchmarks/floor_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, Tree

from harvest_tui.ui import bench

CSS = """
#header { height: 1; background: $panel; }
#main { height: 1fr; }
Tree { width: 45%; min-width: 30; border-right: solid $panel-lighten-2; }
#detail { width: 1fr; padding: 0 1; }
"""


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

    def compose(self) -> ComposeResult:
        yield Static(" harvest-tui  sandbox · us-east-1", id="header")
        with Horizontal(id="main"):
            tree: Tree[None] = Tree("account")
            tree.show_root = False
            yield tree
            with VerticalScroll(id="detail"):
                yield Static("Select a resource in the tree", id="detail-title")
                yield Static("", id="detail-fields")
        yield Footer()

    def on_mount(self) -> None:
        bench.install(self)
        tree = self.query_one(Tree)
        tree.focus()
        for name in ("events-popup", "live-sports", "news-24x7"):
            tree.root.add(f"▣ {name}")
        bench.on_next_frame("groups_shown", level="group", count=3)

    def action_noop(self) -> None:
        pass


if __name__ == "__main__":
    FloorApp().run()
