"""The service's "now", so that a local clock a little off never shows the past as future.

With a local clock behind the service's, a job modified a moment ago reads "in 20 s",
and the timeline puts "now" before "modified". Each response's `Date` header says the
service's time (to the second): `skew_from_date` turns it into how far the local clock
is ahead, and `ServerClock` is the local clock less that lead. What a one-second header
and the network's latency leave over is absorbed by `not_before`: an instant that has
happened (created, modified) and lies at most SKEW_TOLERANCE ahead of now is now.

Pure: no boto3, no Textual.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

SKEW_TOLERANCE = timedelta(minutes=2)
MAX_SKEW_SECONDS = 86400.0  # beyond a day the header is not the service's clock: ignored


def skew_from_date(date_header: object, received_at: float) -> float | None:
    """Seconds the local clock (`received_at`, a time.time()) is ahead of the service
    whose response carried `date_header`; None when it is missing or unreadable."""
    if not isinstance(date_header, str) or not date_header:
        return None
    # Here, not at the top: only the service worker reads headers, and the UI, which
    # imports this module, would pay email's import (calendar, base64...) at start-up.
    from email.utils import parsedate_to_datetime

    try:
        server = parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if server.tzinfo is None:
        server = server.replace(tzinfo=UTC)
    skew = received_at - (server.timestamp() + 0.5)  # the header is truncated to the second
    return skew if abs(skew) <= MAX_SKEW_SECONDS else None


def not_before(now: datetime, *happened: datetime | None) -> datetime:
    """`now`, or the latest of `happened` when that lies a little ahead of it (a skew).
    Naive datetimes are taken as UTC, as everywhere in the domain."""
    aware = [at if at.tzinfo else at.replace(tzinfo=UTC) for at in happened if at is not None]
    latest = max(aware, default=None)
    base = now if now.tzinfo else now.replace(tzinfo=UTC)
    if latest is not None and base < latest <= base + SKEW_TOLERANCE:
        return latest if now.tzinfo else latest.replace(tzinfo=None)
    return now


class ServerClock:
    """Now as the service sees it: the local clock less the skew `skew()` reports."""

    def __init__(
        self,
        skew: Callable[[], float | None],
        local: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.skew = skew
        self.local = local

    def __call__(self) -> datetime:
        now = self.local()
        skew = self.skew()
        return now - timedelta(seconds=skew) if skew else now
