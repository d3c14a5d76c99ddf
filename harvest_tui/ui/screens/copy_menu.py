"""CopyMenu (C): one letter copies one thing about the shown harvest job.

a ARN · e ETag · s the s3:// destination · m the manifest URLs · l the AWS CLI
get-harvest-job command · o the console URL · j the job as JSON · p the bucket policy
a failed job needs. The menu only picks; the explorer copies (OSC 52 and a note).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar, Literal
from urllib.parse import quote

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from harvest_tui.aws_cli import get_harvest_job_command
from harvest_tui.config import ActiveProfile
from harvest_tui.explain import explain_job
from harvest_tui.models import HarvestJob, OriginEndpoint
from harvest_tui.safe_text import clean


@dataclass(frozen=True)
class CopyItem:
    """One entry: its key, what it is (for the note), and the text (None: not known)."""

    key: str
    what: str
    text: str | None
    check: Literal["arn", "etag"] | None = None  # copied only if it is one (copy_checked)


def console_url(job: HarvestJob, region: str) -> str:
    """The job's page in the MediaPackage v2 console.

    The console's routes are not a documented interface: this is the shape of its
    harvest-job pages as far as known, and may land on the jobs list if it changes.
    """
    g, c, e, n = (quote(part, safe="") for part in job.key)
    r = quote(region, safe="")
    return (
        f"https://{r}.console.aws.amazon.com/mediapackagev2/home?region={r}"
        f"#/channelGroups/{g}/channels/{c}/originEndpoints/{e}/harvestJobs/{n}"
    )


def manifest_urls(job: HarvestJob, endpoint: OriginEndpoint | None) -> str | None:
    """The playback URLs of the endpoint's manifests this job harvests, one a line."""
    if endpoint is None:
        return None
    harvested = dict(job.manifests.by_type())
    urls = [m.url for m in endpoint.manifests if m.url and m.name in harvested.get(m.kind, ())]
    return "\n".join(urls) or None


def copy_items(
    job: HarvestJob, *, endpoint: OriginEndpoint | None, active: ActiveProfile, region: str
) -> list[CopyItem]:
    why = explain_job(job, region)
    return [
        CopyItem("a", "ARN", job.arn, "arn"),
        CopyItem("e", "ETag", job.etag, "etag"),
        CopyItem("s", "S3 URI", job.destination.uri if job.destination.bucket else None),
        CopyItem("m", "manifest URLs", manifest_urls(job, endpoint)),
        CopyItem(
            "l",
            "AWS CLI command",
            get_harvest_job_command(
                job,
                profile=active.aws_profile,
                region=region or None,
                endpoint_url=active.endpoint_url,
            ),
        ),
        CopyItem("o", "console URL", console_url(job, region) if region else None),
        CopyItem("j", "job JSON", json.dumps(job.to_json_dict(), indent=2)),
        CopyItem("p", "bucket policy", why.policy if why else None),
    ]


class CopyMenu(ModalScreen[CopyItem | None]):
    """Press a letter to copy; Esc closes. Entries that are not known are dimmed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_menu", "Close")]

    def __init__(self, items: list[CopyItem], title: str) -> None:
        super().__init__()
        self.items = {item.key: item for item in items}
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="copy-menu-body"):
            head = Text("Copy  ", style="bold")
            head.append(clean(self.title_text, max_len=60))
            yield Static(head, id="copy-menu-title")
            yield Static(self.entries(), id="copy-menu-entries")
            yield Static(Text("a letter copies · Esc closes", style="dim"), id="copy-menu-keys")

    def entries(self) -> Text:
        text = Text()
        for item in self.items.values():
            known = item.text is not None
            text.append(f" {item.key} ", style="bold reverse" if known else "dim")
            text.append(f" {item.what:<16}", style="" if known else "dim")
            preview = item.text.splitlines()[0] if known and item.text else "not known"
            text.append(clean(preview, max_len=48) + "\n", style="dim")
        text.rstrip()
        return text

    def on_key(self, event: events.Key) -> None:
        item = self.items.get(event.character or "")
        if item is None:
            return
        event.stop()
        if item.text is None:
            self.notify(f"No {item.what} for this job", severity="warning")
            return
        self.dismiss(item)

    def action_dismiss_menu(self) -> None:
        self.dismiss(None)
