"""Human-readable durations, ages and instants, shared by the timeline and the detail pane.

Pure functions with no Rich or Textual import. They accept naive datetimes (taken to
be UTC, as everywhere in the domain) and never raise on extreme values such as
``datetime.min``, because the API's timestamps are data we do not control.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from harvest_tui.models import utc
from harvest_tui.server_clock import not_before

__all__ = ["format_age", "format_duration", "format_instant", "in_tz"]

_UNITS: tuple[tuple[str, int], ...] = (
    ("y", 365 * 86400),
    ("d", 86400),
    ("h", 3600),
    ("min", 60),
    ("s", 1),
)

# Below this an age reads "just now": the poller's own latency is a few seconds.
_JUST_NOW = timedelta(seconds=5)


def format_duration(td: timedelta, *, parts: int = 2) -> str:
    """`td` in at most `parts` adjacent units: "1 h 30 min", "45 s", "2 d 3 h", "2 d".

    Only adjacent units are shown ("2 d 5 min" would read as more precise than it is),
    and the value is truncated, never rounded up: a job 59 s old is "59 s", not "1 min".
    Negative durations get a leading "-".
    """
    total = int(td.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    if total == 0:
        return "0 s"
    out: list[str] = []
    for unit, size in _UNITS:
        q, total = divmod(total, size)
        if out or q:
            if q:
                out.append(f"{q} {unit}")
            elif out:
                break  # the next unit is zero: stop rather than skip to a smaller one
            if len(out) >= max(parts, 1):
                break
    return sign + " ".join(out)


def format_age(dt: datetime, now: datetime, *, happened: bool = False) -> str:
    """How long before (or after) `now` `dt` is, in one unit: "3 h ago", "in 5 min", "just now".

    `happened`: `dt` is past by nature (created, modified), so when it lies a little ahead
    of `now` that is clock skew (server_clock.not_before), and it reads "just now".
    """
    if happened:
        now = not_before(utc(now), utc(dt))  # type: ignore[arg-type]
    delta = utc(now) - utc(dt)  # type: ignore[operator]
    if abs(delta) < _JUST_NOW:
        return "just now"
    if delta > timedelta(0):
        return f"{format_duration(delta, parts=1)} ago"
    return f"in {format_duration(-delta, parts=1)}"


def in_tz(dt: datetime, tz: tzinfo | None) -> datetime:
    """`dt` converted to `tz`, or left in UTC when that would overflow (years 1 and 9999)."""
    d = utc(dt)
    assert d is not None
    try:
        return d.astimezone(tz or UTC)
    except (OverflowError, ValueError):
        return d


def _offset(local: datetime) -> str:
    try:
        off = local.utcoffset() or timedelta(0)
    except (OverflowError, ValueError):
        off = timedelta(0)
    if not off:
        return "UTC"
    sign = "-" if off < timedelta(0) else "+"
    seconds = int(abs(off).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}{hours:02d}:{minutes:02d}"
    return f"{text}:{secs:02d}" if secs else text


def format_instant_short(dt: datetime, tz: tzinfo | None = UTC, *, year: int | None = None) -> str:
    """`dt` to the minute, as "11-29 19:40 UTC", for narrow places; with its year
    ("2025-11-29 19:40 UTC") unless that is `year`."""
    local = in_tz(dt, tz)
    day = f"{local.month:02d}-{local.day:02d}"
    if local.year != year:
        day = f"{local.year:04d}-{day}"
    return f"{day} {local.hour:02d}:{local.minute:02d} {_offset(local)}"


def format_instant(dt: datetime, tz: tzinfo | None = UTC) -> str:
    """`dt` as "2026-11-02 14:30:05 UTC", or with the offset of `tz`: "2026-11-02 15:30:05 +01:00".

    The offset rather than a zone abbreviation, because abbreviations are ambiguous
    (CST) and an offset is what the reader needs to compare with AWS's UTC times.
    Formatted by hand because ``strftime`` pads years below 1000 differently per platform.
    """
    local = in_tz(dt, tz)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d} "
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} {_offset(local)}"
    )
