"""What a new harvest job asks for, and every check that can be made before it is sent.

Shared by `harvest-tui jobs create` and the app's create form, so both refuse the same
things with the same words. Pure: no textual, no boto3. The limits (name pattern and
lengths, description and S3 path lengths) are read from botocore's own mediapackagev2
model file, found with importlib.util.find_spec("botocore") without importing botocore;
what the model does not say (S3 bucket-name rules, tag limits, the 24-hour window)
comes from the AWS documentation.

Errors are per field, keyed by SpecInput's attribute names, so a form can put each
message under its input.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from harvest_tui.models import HarvestedManifests, OriginEndpoint

__all__ = [
    "MAX_WINDOW",
    "JobSpec",
    "Limits",
    "SpecInput",
    "SpecResult",
    "build_spec",
    "default_manifests",
    "limits",
    "parse_duration",
    "parse_manifests",
    "parse_tags",
    "parse_time",
]

MAX_WINDOW = timedelta(hours=24)
MANIFEST_KINDS = {"hls": "HLS", "ll-hls": "LL-HLS", "llhls": "LL-HLS", "dash": "DASH"}

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(min|d|h|m|s)", re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "min": 60.0, "s": 1.0}


# -- times and durations ------------------------------------------------------------


def parse_duration(text: str) -> timedelta:
    """A duration: "90s", "30m", "2h30m", "1d", or a bare number of seconds ("2.5").

    Raises ValueError with a message fit to show.
    """
    raw = text.strip()
    if not raw:
        raise ValueError("empty duration (examples: 30s, 10m, 2h30m, 1d)")
    try:
        seconds = float(raw)
    except ValueError:
        pos = 0
        seconds = 0.0
        for match in _DURATION_PART.finditer(raw):
            if match.start() != pos:
                break
            seconds += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
            pos = match.end()
        if pos != len(raw) or pos == 0:
            raise ValueError(f"not a duration: {raw!r} (examples: 30s, 10m, 2h30m, 1d)") from None
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {raw!r}")
    return timedelta(seconds=seconds)


def parse_time(text: str, now: datetime) -> datetime:
    """An instant: "now", relative to `now` ("-1h", "-30m", "-2h30m", "+5m"), or ISO 8601
    ("2026-11-02T14:30:00Z"; without an offset it is UTC). Returns tz-aware UTC.

    Raises ValueError with a message fit to show.
    """
    raw = text.strip()
    now = now.astimezone(UTC).replace(microsecond=0)  # whole seconds read better
    if raw.lower() == "now":
        return now
    if raw[:1] in "+-" and raw[1:2].isdigit():
        delta = parse_duration(raw[1:])
        return now + (delta if raw[0] == "+" else -delta)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"not a time: {raw!r} (use ISO 8601 such as 2026-11-02T14:30:00Z, "
            "or relative: now, -1h, -30m, -2h30m)"
        ) from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# -- the limits, from botocore's model -------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Length and pattern limits of CreateHarvestJob's fields."""

    name_min: int = 1
    name_max: int = 256
    name_pattern: str = "[a-zA-Z0-9_-]+"
    description_max: int = 1024
    bucket_min: int = 3
    bucket_max: int = 63
    path_min: int = 1
    path_max: int = 1024
    path_pattern: str = r"[\S]+"
    tag_key_max: int = 128
    tag_value_max: int = 256
    tags_max: int = 50
    source: str = "built-in defaults"


def _model_file() -> Path | None:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.origin:
        return None
    base = Path(spec.origin).parent / "data" / "mediapackagev2"
    found = sorted(base.glob("*/service-2.json*"))
    return found[-1] if found else None


@lru_cache(maxsize=1)
def limits() -> Limits:
    """The limits from botocore's mediapackagev2 service-2.json (or defaults without it)."""
    import gzip
    import json

    path = _model_file()
    if path is None:
        return Limits()
    try:
        data = path.read_bytes()
        model: dict[str, Any] = json.loads(gzip.decompress(data) if path.suffix == ".gz" else data)
    except (OSError, ValueError):
        return Limits()
    shapes: dict[str, dict[str, Any]] = model.get("shapes", {})
    members = shapes.get("CreateHarvestJobRequest", {}).get("members", {})

    def shape(name: str, member: str | None = None) -> dict[str, Any]:
        if member is not None:
            name = members.get(member, {}).get("shape", name)
        return shapes.get(name, {})

    name = shape("ResourceName", "HarvestJobName")
    desc = shape("ResourceDescription", "Description")
    bucket = shapes.get("S3BucketName", {})
    path_shape = shapes.get("S3DestinationPath", {})
    key, value = shapes.get("TagKey", {}), shapes.get("TagValue", {})
    d = Limits()
    return Limits(
        name_min=name.get("min", d.name_min),
        name_max=name.get("max", d.name_max),
        name_pattern=name.get("pattern", d.name_pattern),
        description_max=desc.get("max", d.description_max),
        bucket_min=bucket.get("min", d.bucket_min),
        bucket_max=bucket.get("max", d.bucket_max),
        path_min=path_shape.get("min", d.path_min),
        path_max=path_shape.get("max", d.path_max),
        path_pattern=path_shape.get("pattern", d.path_pattern),
        tag_key_max=key.get("max", d.tag_key_max),
        tag_value_max=value.get("max", d.tag_value_max),
        source=str(path),
    )


def check_name(value: str, what: str = "name", *, lim: Limits | None = None) -> str | None:
    """Why `value` is not a valid resource name (the model's pattern and lengths), or None.

    `lim` defaults to the model's limits (reading the model costs ~20 ms, once); a caller
    that only screens names before calling the service may pass Limits() instead.
    """
    lim = lim or limits()
    if not lim.name_min <= len(value) <= lim.name_max:
        return f"{what} must be {lim.name_min} to {lim.name_max} characters long"
    if not re.fullmatch(lim.name_pattern, value):
        return f"{what} may contain only letters, digits, '-' and '_' (got {value!r})"
    return None


_BUCKET_CHARS = re.compile(r"[a-z0-9][a-z0-9.-]*[a-z0-9]")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def check_bucket(value: str) -> str | None:
    """Why `value` is not a valid S3 bucket name (general purpose buckets), or None."""
    lim = limits()
    if not lim.bucket_min <= len(value) <= lim.bucket_max:
        return f"an S3 bucket name is {lim.bucket_min} to {lim.bucket_max} characters long"
    if not _BUCKET_CHARS.fullmatch(value):
        return (
            "an S3 bucket name uses lowercase letters, digits, '.' and '-', and begins "
            "and ends with a letter or digit"
        )
    if ".." in value:
        return "an S3 bucket name cannot contain two adjacent periods"
    import ipaddress

    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        pass
    else:
        return "an S3 bucket name cannot look like an IP address"
    if value.startswith(_BUCKET_PREFIXES) or value.endswith(_BUCKET_SUFFIXES):
        return "that S3 bucket name uses a prefix or suffix AWS reserves"
    return None


# -- the spec ----------------------------------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """A checked CreateHarvestJob request (name None: the service generates one)."""

    group: str
    channel: str
    endpoint: str
    name: str | None
    start: datetime
    end: datetime
    bucket: str
    path: str
    manifests: HarvestedManifests
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def window(self) -> timedelta:
        return self.end - self.start

    def to_api(self) -> dict[str, Any]:
        """The request in the API's shape (times as ISO 8601 strings), as the AWS CLI takes it."""
        out: dict[str, Any] = {
            "ChannelGroupName": self.group,
            "ChannelName": self.channel,
            "OriginEndpointName": self.endpoint,
        }
        if self.name:
            out["HarvestJobName"] = self.name
        if self.description is not None:
            out["Description"] = self.description
        out["HarvestedManifests"] = self.manifests.to_api()
        out["ScheduleConfiguration"] = {
            "StartTime": iso(self.start),
            "EndTime": iso(self.end),
        }
        out["Destination"] = {
            "S3Destination": {"BucketName": self.bucket, "DestinationPath": self.path}
        }
        if self.tags:
            out["Tags"] = dict(self.tags)
        return out


def iso(instant: datetime) -> str:
    """UTC, ISO 8601 with a Z: "2026-11-02T14:30:00Z" (microseconds only when present)."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class SpecInput:
    """A job as typed (command-line values or a form's inputs), not yet checked.

    manifests: names, optionally typed "hls:NAME", "ll-hls:NAME" or "dash:NAME"; empty
    means every manifest of the endpoint. tags: "KEY=VALUE" strings.
    """

    group: str
    channel: str
    endpoint: str
    name: str = ""
    start: str = ""
    end: str = ""
    bucket: str = ""
    path: str = ""
    manifests: Sequence[str] = ()
    description: str = ""
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class SpecResult:
    """The checked spec, or None with at least one error; errors by SpecInput field."""

    spec: JobSpec | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.spec is not None


def default_manifests(endpoint: OriginEndpoint) -> HarvestedManifests:
    """Every manifest the endpoint serves (HLS, LL-HLS, DASH): what a job harvests by default."""
    by_kind: dict[str, list[str]] = {"HLS": [], "LL-HLS": [], "DASH": []}
    for m in endpoint.manifests:
        by_kind.setdefault(m.kind, []).append(m.name)
    return HarvestedManifests(
        tuple(by_kind["HLS"]), tuple(by_kind["LL-HLS"]), tuple(by_kind["DASH"])
    )


def parse_manifests(
    names: Sequence[str], endpoint: OriginEndpoint | None
) -> tuple[HarvestedManifests, str | None]:
    """(manifests, error). A plain name means each type of the endpoint serving it (HLS
    when the endpoint is unknown); "hls:", "ll-hls:" or "dash:" picks the type."""
    if not names:
        if endpoint is None:
            return HarvestedManifests(), "name at least one manifest (the endpoint is unknown)"
        found = default_manifests(endpoint)
        if not found.count:
            return found, f"origin endpoint {endpoint.name} has no manifests to harvest"
        return found, None
    picked: dict[str, list[str]] = {"HLS": [], "LL-HLS": [], "DASH": []}
    served = {(m.kind, m.name) for m in endpoint.manifests} if endpoint else set()
    for raw in names:
        prefix, sep, rest = raw.partition(":")
        kind = MANIFEST_KINDS.get(prefix.lower()) if sep else None
        if sep and kind is None:
            return HarvestedManifests(), (
                f"unknown manifest type {prefix!r} in {raw!r} (use hls:, ll-hls: or dash:)"
            )
        name = rest if kind else raw
        problem = check_name(name, "a manifest name")
        if problem:
            return HarvestedManifests(), problem
        if endpoint is None:
            kinds = [kind or "HLS"]
        else:
            kinds = [k for k in (kind,) if k] or [k for k, n in served if n == name]
            missing = [k for k in kinds if (k, name) not in served]
            if not kinds or missing:
                offer = ", ".join(f"{k.lower()}:{n}" for k, n in sorted(served)) or "none"
                return HarvestedManifests(), (
                    f"origin endpoint {endpoint.name} serves no manifest {raw!r} "
                    f"(it serves: {offer})"
                )
        for k in kinds:
            if name not in picked[k]:
                picked[k].append(name)
    return HarvestedManifests(
        tuple(picked["HLS"]), tuple(picked["LL-HLS"]), tuple(picked["DASH"])
    ), None


def parse_tags(items: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """("KEY=VALUE", ...) → (tags, error), with AWS's tag limits."""
    lim = limits()
    tags: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            return tags, f"a tag is KEY=VALUE, not {item!r}"
        if not 1 <= len(key) <= lim.tag_key_max:
            return tags, f"a tag key is 1 to {lim.tag_key_max} characters long"
        if len(value) > lim.tag_value_max:
            return tags, f"tag {key!r}: a value is at most {lim.tag_value_max} characters long"
        if key.lower().startswith("aws:"):
            return tags, f"tag {key!r}: keys beginning with 'aws:' are reserved for AWS"
        if key in tags:
            return tags, f"tag {key!r} is given twice"
        tags[key] = value
    if len(tags) > lim.tags_max:
        return tags, f"at most {lim.tags_max} tags"
    return tags, None


def build_spec(
    raw: SpecInput, *, now: datetime, endpoint: OriginEndpoint | None = None
) -> SpecResult:
    """Check everything that can be checked before CreateHarvestJob is sent.

    `now` is the caller's clock (tz-aware); `endpoint`, when known (GetOriginEndpoint),
    adds its startover window and its manifests to the checks, and supplies the default
    manifests. Returns the spec, or every field's first error.
    """
    lim = limits()
    errors: dict[str, str] = {}
    for attr, what in (
        ("group", "channel group"),
        ("channel", "channel"),
        ("endpoint", "origin endpoint"),
    ):
        problem = check_name(getattr(raw, attr), f"the {what} name")
        if problem:
            errors[attr] = problem
    name = raw.name.strip() or None
    if name is not None:
        problem = check_name(name, "the job name")
        if problem:
            errors["name"] = problem

    start = end = None
    for attr in ("start", "end"):
        text = getattr(raw, attr)
        if not text.strip():
            errors[attr] = f"give the {attr} time (ISO 8601, or relative: -1h, -30m, now)"
            continue
        try:
            value = parse_time(text, now)
        except ValueError as exc:
            errors[attr] = str(exc)
            continue
        if attr == "start":
            start = value
        else:
            end = value
    if start is not None:
        if start > now:
            errors["start"] = "the start must be in the past (a harvest cuts recorded content)"
        elif endpoint is not None and endpoint.startover_window_seconds:
            window = timedelta(seconds=endpoint.startover_window_seconds)
            if start < now - window:
                errors["start"] = (
                    f"the start is outside origin endpoint {endpoint.name}'s startover window "
                    f"(the last {_span(window)}): nothing older can be harvested"
                )
    if start is not None and end is not None and "end" not in errors:
        if end <= start:
            errors["end"] = "the end must be after the start"
        elif end - start > MAX_WINDOW:
            errors["end"] = f"the window is {_span(end - start)}; a harvest job covers at most 24 h"

    bucket = raw.bucket.strip()
    problem = check_bucket(bucket) if bucket else "give the S3 bucket to write to"
    if problem:
        errors["bucket"] = problem
    valid_name = None if "name" in errors else name
    path = raw.path.strip() or default_path(raw.group, raw.channel, raw.endpoint, valid_name)
    if not lim.path_min <= len(path) <= lim.path_max:
        errors["path"] = f"the S3 path is {lim.path_min} to {lim.path_max} characters long"
    elif not re.fullmatch(lim.path_pattern, path):
        errors["path"] = "the S3 path cannot contain spaces or other whitespace"

    manifests, problem = parse_manifests(raw.manifests, endpoint)
    if problem:
        errors["manifests"] = problem
    description = raw.description or None
    if description is not None and len(description) > lim.description_max:
        errors["description"] = f"a description is at most {lim.description_max} characters long"
    tags, problem = parse_tags(raw.tags)
    if problem:
        errors["tags"] = problem

    if errors or start is None or end is None:
        return SpecResult(None, errors)
    spec = JobSpec(
        group=raw.group,
        channel=raw.channel,
        endpoint=raw.endpoint,
        name=name,
        start=start,
        end=end,
        bucket=bucket,
        path=path,
        manifests=manifests,
        description=description,
        tags=tags,
    )
    return SpecResult(spec, {})


def default_path(group: str, channel: str, endpoint: str, name: str | None) -> str:
    """Where a job writes when no path is given: GROUP/CHANNEL/ENDPOINT/NAME/."""
    return f"{group}/{channel}/{endpoint}/{name or 'harvest'}/"


_DATE_FOLDERS = ("%Y/%m/%d", "%Y-%m-%d", "%Y%m%d")  # how paths commonly hold a day


def redated(path: str, old: datetime, new: datetime) -> str:
    """`path` with the day of `old` (as 2026/11/29, 2026-11-29 or 20261129, in UTC) made
    the day of `new`: a path copied from the endpoint's last job must not file a new job
    under that job's day."""
    for fmt in _DATE_FOLDERS:
        path = path.replace(f"{old.astimezone(UTC):{fmt}}", f"{new.astimezone(UTC):{fmt}}")
    return path


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{minutes} min" if minutes else "",
    ]
    return " ".join(p for p in parts if p) or f"{seconds} s"
