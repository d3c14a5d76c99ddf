"""quick_loader: botocore's data loader, without its scan of every service's folders;
builtin_hooks: botocore's built-in event handlers, registered once;
fast_timestamp: botocore's timestamp parser, without its costly local time zone.

Used by service.py for every client it builds. Like service.py, it imports botocore
only when a client is built (in the service worker), never at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.hooks import HierarchicalEmitter
    from botocore.loaders import Loader


@cache
def quick_loader(data_path: str | None) -> Loader:
    """botocore's data loader (as botocore.loaders.create_loader makes it), without its
    scan of every service's folders; one per data path, shared by every client made, as
    one botocore session shares its loader among its clients: the service model, its
    endpoint rules and the partitions are read and parsed once, not once per profile and
    region (about 90 ms of CPU each; the fleet view makes dozens of clients).

    Before it loads a model, botocore checks that the service is among those it can
    load, by listing them all: about 420 folders, 2,800 stat calls, ~16 ms of every
    client's creation (twice: the model, then its endpoint rules). Here `name in
    list_available_services(...)` looks in that one service's folders; the list itself,
    when iterated, is botocore's own.
    """
    paths = None
    if data_path:  # AWS_DATA_PATH, as create_loader reads it
        paths = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)]
    return _quick_loader_class()(extra_search_paths=paths)


@cache
def builtin_hooks() -> HierarchicalEmitter:
    """botocore's built-in event handlers, registered once, for each session to copy.

    Every botocore session registers its ~130 built-in handlers, and botocore inspects
    each handler's signature as it does: about 27 ms of CPU per session, two thirds of a
    client's creation. The fleet view makes one session per profile-region. A copy of
    these hooks (`Session(event_hooks=copy.copy(...), include_builtin_handlers=False)`)
    holds the same handlers for about 3 ms. Never registered on: it is only copied.
    """
    import botocore.session
    from botocore.hooks import HierarchicalEmitter

    hooks = HierarchicalEmitter()
    botocore.session.Session(event_hooks=hooks)  # registers the built-in handlers on it
    return hooks


def fast_timestamp(value: Any) -> datetime:
    """A response's timestamp as an aware UTC datetime: botocore's parser, made fast.

    This API's JSON carries timestamps as epoch seconds (`1793629800.0`, restJson's
    default) and, in a few places, ISO 8601 strings. botocore makes each a datetime in
    the local zone, building a dateutil `tzlocal` every time: about 70 µs a timestamp,
    a quarter of the service worker's CPU when the fleet view reads 240 pages (a job has
    four). `datetime.fromtimestamp(value, UTC)` and `datetime.fromisoformat` take under
    1 µs. Anything else (a string with no time part, an RFC 822 date, a number out of
    range) goes to botocore's own parser. A time with no zone is taken to be UTC, and
    the result is in UTC, not the local zone: the app shows every time in UTC or
    converts it itself (models.utc, timefmt).
    """
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str) and "T" in value:
            return _in_utc(datetime.fromisoformat(value))
    except (ValueError, OverflowError, OSError):
        pass
    from botocore.utils import parse_timestamp

    return _in_utc(parse_timestamp(value))


def _in_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@cache
def _quick_loader_class() -> type[Loader]:
    from botocore.loaders import Loader

    class QuickLoader(Loader):
        def list_available_services(self, type_name: str) -> Sequence[str]:  # type: ignore[override]
            return AvailableServices(self, type_name, super().list_available_services)

    return QuickLoader


class AvailableServices(Sequence[str]):
    """The services a loader can load for `type_name` (service-2, paginators-1...):
    membership is checked in the one service's folders, the whole list made only if
    it is read."""

    def __init__(
        self, loader: Loader, type_name: str, full_list: Callable[[str], list[str]]
    ) -> None:
        self.loader = loader
        self.type_name = type_name
        self._full_list = full_list
        self._names: list[str] | None = None

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str) or not name or os.sep in name:
            return False
        for base in self.loader.search_paths:
            folder = os.path.join(base, name)
            if not os.path.isdir(folder):
                continue
            for version in os.listdir(folder):
                if self.loader.file_loader.exists(os.path.join(folder, version, self.type_name)):
                    return True
        return False

    def _all(self) -> list[str]:
        if self._names is None:
            self._names = self._full_list(self.type_name)
        return self._names

    def __getitem__(self, index: Any) -> Any:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())
