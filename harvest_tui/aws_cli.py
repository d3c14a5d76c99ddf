"""The AWS CLI command that does the same thing, as one shell-quoted line.

For people who want to script what they just did in harvest-tui: the app's create form
shows `create_harvest_job_command` live, and the copy menu copies `get_harvest_job_command`.
Pure string work (shlex.quote): no textual, no boto3.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence

from harvest_tui.job_spec import JobSpec
from harvest_tui.models import HarvestJob

__all__ = ["create_harvest_job_command", "get_harvest_job_command"]


def _common(profile: str | None, region: str | None, endpoint_url: str | None) -> list[str]:
    out: list[str] = []
    if profile:
        out += ["--profile", profile]
    if region:
        out += ["--region", region]
    if endpoint_url:
        out += ["--endpoint-url", endpoint_url]
    return out


def _line(words: Sequence[str]) -> str:
    return " ".join(shlex.quote(w) for w in words)


def _json(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def get_harvest_job_command(
    job: HarvestJob | tuple[str, str, str, str],
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> str:
    """`aws mediapackagev2 get-harvest-job ...` for a job (or its (group, channel,
    endpoint, name) key)."""
    group, channel, endpoint, name = job.key if isinstance(job, HarvestJob) else job
    words = [
        "aws",
        "mediapackagev2",
        "get-harvest-job",
        "--channel-group-name",
        group,
        "--channel-name",
        channel,
        "--origin-endpoint-name",
        endpoint,
        "--harvest-job-name",
        name,
        *_common(profile, region, endpoint_url),
    ]
    return _line(words)


def create_harvest_job_command(
    spec: JobSpec,
    *,
    profile: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
) -> str:
    """`aws mediapackagev2 create-harvest-job ...` for a checked spec; structures are
    passed as JSON, which both AWS CLI v1 and v2 accept."""
    api = spec.to_api()
    words = [
        "aws",
        "mediapackagev2",
        "create-harvest-job",
        "--channel-group-name",
        spec.group,
        "--channel-name",
        spec.channel,
        "--origin-endpoint-name",
        spec.endpoint,
    ]
    if spec.name:
        words += ["--harvest-job-name", spec.name]
    if spec.description is not None:
        words += ["--description", spec.description]
    words += [
        "--harvested-manifests",
        _json(api["HarvestedManifests"]),
        "--schedule-configuration",
        _json(api["ScheduleConfiguration"]),
        "--destination",
        _json(api["Destination"]),
    ]
    if spec.tags:
        words += ["--tags", _json(dict(spec.tags))]
    words += _common(profile, region, endpoint_url)
    return _line(words)
