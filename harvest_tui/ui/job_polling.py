"""JobPolling: queued and in-progress jobs in view are watched until they finish.

Every poll interval (2 s by default, as the service's waiter does), backing off
while nothing changes; a finish is announced with a notification and the bell.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from harvest_tui.errors import ServiceError
from harvest_tui.models import (
    HarvestJob,
)
from harvest_tui.ui.data_workers import JobKey
from harvest_tui.ui.detail_workers import with_tags
from harvest_tui.ui.messages import (
    JobPolled,
)

if TYPE_CHECKING:
    from harvest_tui.ui.app import HarvestApp


class JobPolling:
    """Mixed into HarvestApp: polls the jobs that are in view and not finished."""

    def watched_jobs(self: HarvestApp) -> dict[tuple[str, JobKey], HarvestJob]:
        watched: dict[tuple[str, JobKey], HarvestJob] = {}
        for node in self.tree.unfinished_job_nodes():  # not a walk of every job node
            data = node.data
            if data and isinstance(data.resource, HarvestJob) and not data.resource.finished:
                watched[(data.region, data.resource.key)] = data.resource
        shown = self.detail_resource
        if isinstance(shown, HarvestJob) and not shown.finished:
            watched[(self.detail_region, shown.key)] = shown
        for key in self.gone_jobs.intersection(watched):
            del watched[key]
        return watched

    def poll_tick(self: HarvestApp) -> None:
        now = time.monotonic()
        base = self.settings.poll_interval_seconds
        for key, job in self.watched_jobs().items():
            due, interval = self.poll_state.get(key, (now + base, base))
            self.poll_state.setdefault(key, (due, interval))
            if now >= due and key not in self.polls_in_flight:
                self.polls_in_flight.add(key)
                self.poll_job(key[0], job)

    def poll_job(self: HarvestApp, region: str, job: HarvestJob) -> None:
        finish = self.begin_call(region, "get_harvest_job", *job.key)

        def work() -> None:
            try:
                fresh = finish()
            except ServiceError as error:
                self.post_message(JobPolled(job.key, region, None, self.clock(), error))
                return
            self.post_message(JobPolled(job.key, region, fresh, self.clock()))

        self.run_worker(
            work, thread=True, exclusive=True, group=f"poll-{job.arn}", exit_on_error=False
        )

    def on_job_polled(self: HarvestApp, message: JobPolled) -> None:
        key = (message.region, message.key)
        self.polls_in_flight.discard(key)
        base = self.settings.poll_interval_seconds
        top = self.settings.poll_max_interval_seconds
        _, interval = self.poll_state.get(key, (0.0, base))
        job = message.job
        before = self.last_status.get(key)
        error = message.error
        if job is None and error is not None and error.code == "ResourceNotFoundException":
            # Deleted since it was listed: stop polling it and say so if it is shown.
            self.gone_jobs.add(key)
            shown = self.detail_resource
            if (
                isinstance(shown, HarvestJob)
                and shown.key == message.key
                and self.detail_region == message.region
            ):
                self.detail_error = error
                self.detail_loading = False
                self.render_detail()
        if job is None:
            interval = min(interval * 2, top)
        elif before is not None and before != str(job.status):
            interval = base
        else:
            interval = min(interval * 1.5, top)
        self.poll_state[key] = (time.monotonic() + interval, interval)
        if job is not None:
            self.job_updated(message.region, job)
            shown = self.detail_resource
            if isinstance(shown, HarvestJob) and shown.key == job.key:
                self.detail_resource = with_tags(job, job.tags or shown.tags)
                self.detail_fetched_at = message.fetched_at
                self.detail_error = None
                self.render_detail()
        if job is None or job.finished:
            self.poll_state.pop(key, None)
