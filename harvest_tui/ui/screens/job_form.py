"""JobForm: create a harvest job (n), or re-run one (R), checked before anything is sent.

The form reads the origin endpoint (GetOriginEndpoint: its manifests and startover
window) and counts the channel group's active jobs (ListHarvestJobs, QUEUED and
IN_PROGRESS) when it opens, then checks what is typed with job_spec.build_spec on
every change: each problem is shown under its field, the window's length and the
equivalent AWS CLI command live below. ctrl+s sends CreateHarvestJob only when every
check passes; a refusal from the service is explained at the form and nothing typed is
lost. On success the form is dismissed with the new job. Esc closes it, asking first
if anything was changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Static
from textual.widgets.tree import TreeNode

from harvest_tui.aws_cli import create_harvest_job_command
from harvest_tui.backend import Backend, CreateHarvestJob, GetOriginEndpoint
from harvest_tui.backend import JobSpec as RequestSpec
from harvest_tui.config import ActiveProfile
from harvest_tui.config_checks import fill_path, path_problem
from harvest_tui.errors import ServiceError
from harvest_tui.explain import arn_parts, explain_refusal
from harvest_tui.job_spec import (
    JobSpec,
    SpecInput,
    build_spec,
    default_path,
    iso,
    parse_time,
    redated,
)
from harvest_tui.models import HarvestedManifests, HarvestJob, OriginEndpoint
from harvest_tui.safe_text import clean
from harvest_tui.timefmt import format_duration
from harvest_tui.ui.calls import ACTIVE, begin_call, jobs_call
from harvest_tui.ui.widgets.tree_nodes import NodeData

FIELDS = ("name", "description", "tags", "manifests", "start", "end", "bucket", "path")
KIND_PREFIX = {"HLS": "hls", "LL-HLS": "ll-hls", "DASH": "dash"}
_FORM_INPUTS = {f"form-{field}" for field in FIELDS if field != "manifests"}


@dataclass(frozen=True)
class Target:
    """Where the job goes, and who sends it."""

    group: str
    channel: str
    endpoint: str
    region: str  # as shown and passed to the AWS CLI
    backend: Backend
    active: ActiveProfile
    quota: int = 10


@dataclass(frozen=True)
class Prefill:
    """What the form opens with (a new job's defaults, or the job being re-run)."""

    name: str
    start: str
    end: str
    bucket: str = ""
    path: str = ""
    description: str = ""
    tags: str = ""
    manifests: HarvestedManifests | None = None  # None: every manifest of the endpoint
    note: str = ""
    path_template: str | None = None  # {group}/{channel}/{job}…: the path follows the name


def window_presets(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """The window presets: last 15 min, last hour, and the last full clock hour."""
    now = now.replace(microsecond=0)
    hour = now.replace(minute=0, second=0)
    return {
        "last-15": (now - timedelta(minutes=15), now),
        "last-hour": (now - timedelta(hours=1), now),
        "full-hour": (hour - timedelta(hours=1), hour),
    }


def new_job_prefill(
    target: Target, now: datetime, recent: HarvestJob | None, *, taken: Iterable[str] = ()
) -> Prefill:
    """A new job's defaults: `<channel>-<yyyymmdd-hhmm>`, the last 15 minutes, and the
    profile's default bucket and path (else those of the endpoint's most recent job)."""
    name = unique_name(f"{target.channel}-{now:%Y%m%d-%H%M}", taken, sep="-")
    start, end = window_presets(now)["last-15"]
    active = target.active
    template = active.default_path if active.default_path else None
    bucket = active.default_bucket or (recent.destination.bucket if recent else "")
    if template:
        path = fill_path(
            template, group=target.group, channel=target.channel, endpoint=target.endpoint, job=name
        )
    elif recent is not None and recent.name in recent.destination.path:
        path = recent.destination.path.replace(recent.name, name)
        path = redated(path, recent.schedule.start, start)
    else:
        path = default_path(target.group, target.channel, target.endpoint, name)
    return Prefill(name, iso(start), iso(end), bucket, path, path_template=template)


def rerun_prefill(job: HarvestJob, taken: Iterable[str]) -> Prefill:
    """The same manifests, window and destination, named `<name>-rerun-N` (free N)."""
    name = unique_name(f"{job.name}-rerun", taken, first=1)
    path = job.destination.path
    if job.name in path:
        path = path.replace(job.name, name)
    tags = ", ".join(f"{k}={v}" for k, v in sorted((job.tags or {}).items()))
    note = f"Re-run of {job.name} ({job.status})"
    return Prefill(
        name,
        iso(job.schedule.start),
        iso(job.schedule.end),
        job.destination.bucket,
        path,
        description=job.description or "",
        tags=tags,
        manifests=job.manifests,
        note=note,
    )


def unique_name(base: str, taken: Iterable[str], *, first: int = 0, sep: str = "-") -> str:
    """`base` (or `base-N` from `first`) not among `taken`; `first` > 0 always numbers."""
    names = set(taken)
    n = first
    while True:
        name = f"{base}{sep}{n}" if n else base
        if name not in names:
            return name
        n += 1


class TickBox(Checkbox):
    """A checkbox that reads without colour: X when ticked, blank when not (Checkbox draws
    an X either way, and only its colour tells the two apart)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Checkbox's name, read as it draws
        return "X" if self.value else " "


class JobForm(ModalScreen[HarvestJob | None]):
    """The create (and re-run) form. ctrl+s creates, ctrl+y copies the AWS CLI command."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "create", "Create", priority=True),
        Binding("ctrl+y", "copy_command", "Copy CLI command", priority=True),
        Binding("escape", "close", "Cancel"),
    ]

    @dataclass
    class _Endpoint(Message):
        endpoint: OriginEndpoint | None
        error: ServiceError | None

    @dataclass
    class _Active(Message):
        count: int | None
        error: ServiceError | None

    @dataclass
    class _Created(Message):
        job: HarvestJob | None
        error: ServiceError | None

    def __init__(
        self,
        target: Target,
        prefill: Prefill,
        *,
        clock: Callable[[], datetime],
        copy: Callable[[str, str], None],
        confirm: Callable[[Text, Callable[[bool | None], None]], None] | None = None,
        title: str = "New harvest job",
    ) -> None:
        super().__init__()
        self.target = target
        self.prefill = prefill
        self.clock = clock
        self.copy = copy
        self.confirm = confirm
        self.title_text = title
        self.endpoint: OriginEndpoint | None = None
        self.endpoint_error: ServiceError | None = None
        self.active_count: int | None = None
        self.active_error: ServiceError | None = None
        self.touched: set[str] = {f for f in FIELDS if self._prefilled(f)}
        self._as_opened: dict[str, str] = {}
        self._manifests_edited = False
        self.show_all = False
        self.sending = False
        self.sent = 0  # CreateHarvestJob calls made
        self.spec: JobSpec | None = None
        self.errors: dict[str, str] = {}
        self.service_error: ServiceError | None = None
        self.service_field: str | None = None
        self._auto_path: str | None = prefill.path

    def _prefilled(self, field: str) -> bool:
        return field in ("start", "end") and bool(self.prefill.note)

    # Layout.

    def compose(self) -> ComposeResult:
        t, p = self.target, self.prefill
        with Vertical(id="form-body"):
            head = Text(self.title_text, style="bold")
            head.append(f"  {clean(t.group)} / {clean(t.channel)} / {clean(t.endpoint)}")
            head.append(f"  ({clean(t.region)})", style="dim")
            yield Static(head, id="form-title")
            with VerticalScroll(id="form-scroll"):
                yield Static(Text(clean(p.note), style="italic"), id="form-note")
                yield from self.row("name", "Name", Input(p.name, id="form-name", compact=True))
                yield from self.row(
                    "description",
                    "Description",
                    Input(p.description, id="form-description", compact=True),
                )
                yield from self.row(
                    "tags",
                    "Tags",
                    Input(p.tags, placeholder="K=V, K2=V2", id="form-tags", compact=True),
                )
                with Horizontal(classes="form-row"):
                    yield Label("Manifests", classes="form-label")
                    with Vertical(id="form-manifests"):
                        yield Static(Text("reading the endpoint…", style="dim italic"))
                yield Static(id="error-manifests", classes="form-error")
                yield from self.row(
                    "start",
                    "Start",
                    Input(
                        p.start, placeholder="ISO 8601, -30m, now", id="form-start", compact=True
                    ),
                )
                yield from self.row(
                    "end",
                    "End",
                    Input(p.end, placeholder="ISO 8601, -5m, now", id="form-end", compact=True),
                )
                with Horizontal(classes="form-row", id="form-presets"):
                    yield Static(id="form-duration", classes="form-label")
                    yield Button("Last 15 min", id="last-15", compact=True)
                    yield Button("Last hour", id="last-hour", compact=True)
                    yield Button("Last full hour", id="full-hour", compact=True)
                yield from self.row(
                    "bucket", "S3 bucket", Input(p.bucket, id="form-bucket", compact=True)
                )
                yield from self.row("path", "S3 path", Input(p.path, id="form-path", compact=True))
                yield Static(id="form-status")
                yield Static(id="form-cli")
            yield Static(
                Text("ctrl+s create · ctrl+y copy the AWS CLI command · Esc cancel", style="dim"),
                id="form-keys",
            )

    def row(self, field: str, label: str, widget: Widget) -> Iterable[Widget]:
        row = Horizontal(Label(label, classes="form-label"), widget, classes="form-row")
        yield row
        yield Static(id=f"error-{field}", classes="form-error")

    def on_mount(self) -> None:
        self.query_one("#form-name", Input).focus()
        self._as_opened = self._typed()
        self.load()
        self.check()

    def _typed(self) -> dict[str, str]:
        return {box.id or "": box.value for box in self.query(Input) if box.id in _FORM_INPUTS}

    @property
    def edited(self) -> bool:
        """Whether the user changed anything since the form opened (Esc then asks)."""
        return self._manifests_edited or self._typed() != self._as_opened

    # Loading what the checks need: the endpoint, and the group's active jobs.

    def load(self) -> None:
        t = self.target
        get = begin_call(self, t.backend, GetOriginEndpoint(t.group, t.channel, t.endpoint))
        active = jobs_call(self, t.backend, t.group, statuses=ACTIVE)
        self.run_worker(
            partial(self._wait_for_load, get, active),
            name="job-form-load",
            group="job-form-load",
            exclusive=True,
            thread=True,
            exit_on_error=False,
        )

    def _wait_for_load(
        self,
        get: Callable[[], OriginEndpoint],
        active: Callable[[], list[HarvestJob]],
    ) -> None:
        try:
            self.post_message(self._Endpoint(get(), None))
        except ServiceError as error:
            self.post_message(self._Endpoint(None, error))
        try:
            count = len(active())
        except ServiceError as error:
            self.post_message(self._Active(None, error))
            return
        self.post_message(self._Active(count, None))

    def _on_job_form__endpoint(self, message: _Endpoint) -> None:
        self.endpoint, self.endpoint_error = message.endpoint, message.error
        box = self.query_one("#form-manifests", Vertical)
        box.remove_children()
        if message.endpoint is None:
            error = message.error
            reason = clean(str(error)) if error else "unknown error"
            box.mount(Static(Text(f"Could not read the endpoint: {reason}", style="red")))
        else:
            wanted = self.prefill.manifests
            boxes = [
                TickBox(
                    Content(f"{m.kind:<6} {clean(m.name)}"),
                    value=wanted is None or m.name in dict(wanted.by_type()).get(m.kind, ()),
                    id=f"manifest-{i}",
                    compact=True,
                )
                for i, m in enumerate(message.endpoint.manifests)
            ]
            box.mount_all(boxes or [Static(Text("this endpoint serves no manifests", "red"))])
        self.check()
        if self.prefill.note and "startover" in self.errors.get("start", ""):
            note = Text(clean(self.prefill.note), style="italic")
            note.append(
                "\n⚠ Its window has left the endpoint's startover window: that content is "
                "gone. Pick a newer window (the buttons below).",
                style="bold yellow",
            )
            self.query_one("#form-note", Static).update(note)

    def _on_job_form__active(self, message: _Active) -> None:
        self.active_count, self.active_error = message.count, message.error
        self.check()

    # Checking, live.

    def on_input_changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("form-")
        if field == "path" and event.value != self._auto_path:
            self._auto_path = None  # the user's own path: it no longer follows the name
        if field in FIELDS:
            self.touched.add(field)
        if field in ("name", "start") and self._auto_path is not None:
            self.follow()
        if field == self.service_field:
            self.service_field = None
        self.check()

    def follow(self) -> None:
        """Keep a default path in step with the name (`{job}`, or the name in it) and with
        the window's day, where the path holds the prefilled window's (2026/12/08)."""
        t, p = self.target, self.prefill
        job = self.query_one("#form-name", Input).value.strip() or "harvest"
        if p.path_template and not path_problem(p.path_template):
            path = fill_path(
                p.path_template, group=t.group, channel=t.channel, endpoint=t.endpoint, job=job
            )
        elif p.name and p.name in p.path:
            path = p.path.replace(p.name, job)
        else:
            path = p.path
        now = self.clock()
        try:
            before = parse_time(p.start, now)
            start = parse_time(self.query_one("#form-start", Input).value, now)
        except ValueError:
            pass  # a start being typed: the day stays until it reads as one
        else:
            path = redated(path, before, start)
        if path == self._auto_path:
            return
        self._auto_path = path
        box = self.query_one("#form-path", Input)
        # Not a Changed of the path's own: handled after the next key of the name, it
        # would read as the user's edit (no longer the path just set) and stop following.
        with box.prevent(Input.Changed):
            box.value = path
        if self.service_field == "path":  # the service's word was on the old path
            self.service_field = None

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.touched.add("manifests")
        self._manifests_edited = True  # (a box's first value is set without a Changed)
        self.check()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        presets = window_presets(self.clock())
        if event.button.id in presets:
            start, end = presets[event.button.id]
            self.query_one("#form-start", Input).value = iso(start)
            self.query_one("#form-end", Input).value = iso(end)
            self.touched |= {"start", "end"}

    def raw(self) -> SpecInput:
        def value(field: str) -> str:
            return self.query_one(f"#form-{field}", Input).value

        manifests: list[str] = []
        if self.endpoint is not None:
            checked = {box.id for box in self.query(Checkbox) if box.value}
            for i, m in enumerate(self.endpoint.manifests):
                if f"manifest-{i}" in checked:
                    manifests.append(f"{KIND_PREFIX.get(m.kind, 'hls')}:{m.name}")
        tags = [t.strip() for t in value("tags").split(",") if t.strip()]
        t = self.target
        return SpecInput(
            group=t.group,
            channel=t.channel,
            endpoint=t.endpoint,
            name=value("name"),
            start=value("start"),
            end=value("end"),
            bucket=value("bucket"),
            path=value("path"),
            manifests=tuple(manifests),
            description=value("description"),
            tags=tuple(tags),
        )

    def check(self) -> None:
        """Check what is typed, and show each problem under its field."""
        raw = self.raw()
        now = self.clock()
        result = build_spec(raw, now=now, endpoint=self.endpoint)
        errors = dict(result.errors)
        if not raw.name.strip():
            errors["name"] = "give the job a name"
        if self.endpoint is not None and not raw.manifests:
            errors["manifests"] = "pick at least one manifest to harvest"
        self.errors = errors
        self.spec = result.spec if not errors else None
        for field in FIELDS:
            shown = errors.get(field) if (self.show_all or field in self.touched) else None
            if shown is None and field == self.service_field and self.service_error:
                shown = explain_refusal(self.service_error).summary
            box = self.query_one(f"#error-{field}", Static)
            box.update(Text(f"✖ {clean(shown)}") if shown else "")
            box.display = bool(shown)
        self.show_duration(raw, now)
        self.show_status()
        self.show_command()

    def show_duration(self, raw: SpecInput, now: datetime) -> None:
        text = Text(style="dim")
        try:
            start, end = parse_time(raw.start, now), parse_time(raw.end, now)
        except ValueError:
            text.append("window ?")
        else:
            span = end - start
            # Every unit (as the error for a window too long says it), on one line.
            shown = f"window {format_duration(span, parts=3)}" if span.total_seconds() > 0 else "—"
            text = Text(shown, no_wrap=True)
            if span > timedelta(hours=24):
                text.stylize("bold red")
        self.query_one("#form-duration", Static).update(text)

    def quota_problem(self) -> str | None:
        count, quota = self.active_count, self.target.quota
        if count is None or count < quota:
            return None
        return (
            f"Channel group {self.target.group} already has {count} harvest jobs queued or in "
            f"progress (the quota is {quota}): wait for one to finish, or cancel one (x)."
        )

    def show_status(self) -> None:
        text = Text()
        if self.endpoint_error is not None:
            text.append("Cannot create: the origin endpoint could not be read.\n", "bold red")
        if problem := self.quota_problem():
            text.append(f"✖ {clean(problem)}\n", style="bold red")
        elif self.active_count is not None:
            text.append(
                f"Active jobs in {clean(self.target.group)}: {self.active_count}/"
                f"{self.target.quota}\n",
                style="dim",
            )
        elif self.active_error is not None:
            text.append(f"Active jobs unknown: {clean(str(self.active_error))}\n", "yellow")
        if self.show_all and self.errors:
            n = len(self.errors)
            text.append(
                f"✖ Fix the {n} problem{'s' if n > 1 else ''} marked above: nothing was sent.\n",
                style="bold red",
            )
        if self.service_error is not None:
            error = self.service_error
            text.append("✖ The service refused the job: ", style="bold red")
            text.append(clean(error.title) + "\n", style="bold")
            text.append(clean(error.message, multiline=True) + "\n")
            why = explain_refusal(error, bucket=self.raw().bucket)
            if why.known:
                text.append(clean(why.summary) + " ", style="bold")
                text.append(clean(why.advice) + "\n")
        if self.sending:
            text.append("⟳ creating…\n", style="italic")
        status = self.query_one("#form-status", Static)
        text.rstrip()
        status.update(text)
        status.display = bool(text.plain.strip())

    def show_command(self) -> None:
        text = Text("AWS CLI  ", style="bold")
        if self.spec is None:
            text.append("(shown once every field checks out)", style="dim")
        else:
            text.append(clean(self.command(self.spec)), style="dim")
        self.query_one("#form-cli", Static).update(text)

    def command(self, spec: JobSpec) -> str:
        active = self.target.active
        return create_harvest_job_command(
            spec,
            profile=active.aws_profile,
            region=self.target.region or None,
            endpoint_url=active.endpoint_url,
        )

    # Actions.

    def action_copy_command(self) -> None:
        if self.spec is None:
            self.notify("Fix the form first: the command needs every field", severity="warning")
            return
        self.copy("AWS CLI command", self.command(self.spec))

    def action_close(self) -> None:
        """Esc: close; if something was typed, only once the user says to drop it."""
        if self.sending:
            return
        if not self.edited:
            self.dismiss(None)
            return
        from harvest_tui.ui.screens.confirm_screen import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = Text("Discard this job?", style="bold")
        question.append("\n\nWhat you typed is not kept. n or Esc goes back to the form.")
        self.app.push_screen(ConfirmScreen(question), answered)

    def action_create(self) -> None:
        if self.sending:
            return
        self.show_all = True
        self.service_error, self.service_field = None, None
        self.check()
        if self.target.active.read_only:
            self.notify("This profile is read-only: it creates no jobs", severity="error")
            return
        if self.endpoint is None:
            self.notify("The origin endpoint has not been read yet", severity="warning")
            return
        if self.spec is None or self.quota_problem():
            first = next((f for f in FIELDS if f in self.errors), None)
            if first is not None and first != "manifests":
                self.query_one(f"#form-{first}", Input).focus()
            return
        spec = self.spec
        if self.target.active.production and self.confirm is not None:
            self.confirm(self.production_question(spec), partial(self._confirmed, spec))
            return
        self.send(spec)

    def production_question(self, spec: JobSpec) -> Text:
        t = self.target
        account = arn_parts(self.endpoint.arn if self.endpoint else "").account or "unknown"
        question = Text("Create harvest job ", style="bold")
        question.append(clean(spec.name or ""), style="bold yellow")
        question.append(" on a PRODUCTION profile?\n\n", style="bold red")
        question.append(f"profile {clean(t.active.name)} · account {clean(account)} · ")
        question.append(f"region {clean(t.region)}\n")
        question.append(f"{clean(t.group)} / {clean(t.channel)} / {clean(t.endpoint)}\n")
        question.append(f"window {iso(spec.start)} → {iso(spec.end)}\n")
        question.append(f"to s3://{clean(spec.bucket)}/{clean(spec.path.lstrip('/'))}")
        return question

    def _confirmed(self, spec: JobSpec, yes: bool | None) -> None:
        if yes:
            self.send(spec)

    def send(self, spec: JobSpec) -> None:
        # The checked spec as the backend's request (the same fields, and a fresh token).
        values = {
            f.name: getattr(spec, f.name) for f in fields(RequestSpec) if hasattr(spec, f.name)
        }
        values |= {"tags": dict(spec.tags) or None, "client_token": uuid.uuid4().hex}
        request = CreateHarvestJob(RequestSpec(**values))
        self.sending = True
        self.sent += 1
        self.show_status()
        finish = begin_call(self, self.target.backend, request)
        self.run_worker(
            partial(self._wait_for_create, finish),
            name="job-form-create",
            group="job-form-create",
            thread=True,
            exit_on_error=False,
        )

    def _wait_for_create(self, finish: Callable[[], HarvestJob]) -> None:
        try:
            job = finish()
        except ServiceError as error:
            self.post_message(self._Created(None, error))
            return
        self.post_message(self._Created(job, None))

    def _on_job_form__created(self, message: _Created) -> None:
        self.sending = False
        if message.job is not None:
            self.dismiss(message.job)
            return
        error = message.error
        assert error is not None
        self.service_error = error
        self.service_field = explain_refusal(error).field
        if error.code == "ServiceQuotaExceededException" and self.active_count is not None:
            self.active_count = max(self.active_count, self.target.quota)
        self.check()
        self.query_one("#form-scroll", VerticalScroll).scroll_end(animate=False)


# -- opening the form from the tree ----------------------------------------------------


def channel_jobs(endpoint_node: TreeNode[NodeData]) -> list[HarvestJob]:
    """The jobs loaded for the endpoint's channel (job names are unique per channel)."""
    jobs: dict[str, HarvestJob] = {}
    channel = endpoint_node.parent
    listed = channel.data.extra.get("jobs") if channel and channel.data else None
    if isinstance(listed, dict):
        for items in listed.values():
            jobs.update({j.name: j for j in items if isinstance(j, HarvestJob)})
    for node in endpoint_node.children:
        if node.data is not None and isinstance(node.data.resource, HarvestJob):
            jobs[node.data.resource.name] = node.data.resource
    return list(jobs.values())


def open_form(
    node: TreeNode[NodeData] | None,
    *,
    rerun: bool,
    active: ActiveProfile,
    backend_for: Callable[[str], Backend | None],
    quota: int,
    clock: Callable[[], datetime],
    copy: Callable[[str, str], None],
    confirm: Callable[[Text, Callable[[bool | None], None]], None],
) -> tuple[JobForm | None, TreeNode[NodeData] | None, str]:
    """(form, endpoint node, "") for the node under the cursor, or (None, None, why not)."""
    data = node.data if node is not None else None
    if node is None or data is None or data.kind not in ("endpoint", "job"):
        what = "a finished harvest job" if rerun else "an origin endpoint (or one of its jobs)"
        return None, None, f"Select {what} first"
    if active.read_only:
        return None, None, f"Profile {active.name} is read-only: creating jobs is switched off"
    endpoint_node = node if data.kind == "endpoint" else node.parent
    job = data.resource if isinstance(data.resource, HarvestJob) else None
    if endpoint_node is None or endpoint_node.data is None:
        return None, None, "Select an origin endpoint first"
    if rerun and (job is None or not job.finished):
        state = f" ({job.status})" if job is not None else ""
        return None, None, f"R re-runs a FAILED, CANCELLED or COMPLETED job: select one{state}"
    backend = backend_for(data.region)
    endpoint = endpoint_node.data.resource
    if backend is None or not isinstance(endpoint, OriginEndpoint):
        return None, None, "This endpoint cannot be reached from here"
    region = data.region if data.region != "default" else (backend.region or "")
    target = Target(
        endpoint.group_name, endpoint.channel_name, endpoint.name, region, backend, active, quota
    )
    loaded = channel_jobs(endpoint_node)
    taken = [j.name for j in loaded]
    if rerun and job is not None:
        prefill, title = rerun_prefill(job, taken), "Re-run harvest job"
    else:
        mine = [j for j in loaded if j.endpoint_name == endpoint.name]
        recent = max(mine, key=lambda j: j.created_at, default=None)
        prefill, title = new_job_prefill(target, clock(), recent, taken=taken), "New harvest job"
    form = JobForm(target, prefill, clock=clock, copy=copy, confirm=confirm, title=title)
    return form, endpoint_node, ""
