"""quick_loader: botocore's data loader, without its scan of every service's folders;
builtin_hooks: botocore's built-in event handlers, registered once;
fast_timestamp: botocore's timestamp parser, without its costly local time zone;
planned_parsers: botocore's rest-json response parser, its walk of each shape planned once.

Used by service.py for every client it builds. Like service.py, it imports botocore
only when a client is built (in the service worker), never at start-up.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import cache, partial
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from botocore.hooks import HierarchicalEmitter
    from botocore.loaders import Loader
    from botocore.model import Shape
    from botocore.parsers import ResponseParserFactory

    from harvest_tui.shape_plans import ShapePlans

Parse = Callable[[Any], Any]


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


def planned_parsers(timestamp_parser: Callable[[Any], Any]) -> ResponseParserFactory:
    """A botocore response parser factory (a session's "response_parser_factory") whose
    rest-json parser turns JSON into the parsed response as botocore's does, with each
    shape's walk planned once per client instead of looked up at every value.

    botocore's parser finds each value's handler by name (`getattr(self, "_handle_" +
    type)`) and each member's wire name in its serialization dict, for every member of
    every job of every page: about 0.4 ms of CPU per 36 jobs, more than half of parsing
    a ListHarvestJobs page. The plan of a shape is a function made from its members
    once; what it does with a value is what botocore's handler does. Shapes outside the
    plain cases (tagged unions, documents, JSON-value headers, lists from headers,
    numbers and blobs) go to botocore's own handler. tests/test_service.py parses an
    example of every output and error shape of the model both ways and compares.
    """
    factory = _planned_factory_class()()
    factory.set_parser_defaults(timestamp_parser=timestamp_parser)
    return factory


def _same(value: Any) -> Any:
    return value


@cache
def _planned_factory_class() -> type[ResponseParserFactory]:
    from botocore.parsers import ResponseParserFactory, RestJSONParser
    from botocore.utils import is_json_value_header

    from harvest_tui.shape_plans import ShapePlans

    class PlannedRestJSONParser(RestJSONParser):
        def __init__(self, plans: ShapePlans | None = None, **defaults: Any) -> None:
            super().__init__(**defaults)
            # The factory's plans, shared by its parsers (one per response); made by the
            # first parser that meets a shape, with its defaults (the factory's).
            self._plans = plans or ShapePlans(self._make_plan)

        def _parse_shape(self, shape: Shape, node: Any) -> Any:
            return self._plans.plan(shape)(node)

        def _plan(self, shape: Shape) -> Parse:
            return self._plans.plan(shape)

        def _make_plan(self, shape: Shape) -> Parse:
            kind = shape.type_name
            if kind == "structure" and not (shape.is_document_type or shape.is_tagged_union):  # type: ignore[attr-defined]
                members = [
                    (name, member.serialization.get("name", name), self._plan(member))
                    for name, member in shape.members.items()  # type: ignore[attr-defined]
                ]

                def structure(value: Any) -> Any:
                    if value is None:
                        return None
                    parsed = {}
                    for name, wire, parse in members:
                        raw = value.get(wire)
                        if raw is not None:
                            parsed[name] = parse(raw)
                    return parsed

                return structure
            if kind == "list" and shape.serialization.get("location") != "header":
                item = self._plan(shape.member)  # type: ignore[attr-defined]
                return lambda node: [None if v is None else item(v) for v in node]
            if kind == "map":
                key, value = self._plan(shape.key), self._plan(shape.value)  # type: ignore[attr-defined]
                return lambda node: {key(k): value(v) for k, v in node.items()}
            if kind == "string" and not is_json_value_header(shape):
                return _same
            botocores: Any = self  # its handlers and defaults, untyped in botocore's stubs
            if kind == "timestamp":
                return botocores._timestamp_parser
            handler = getattr(self, f"_handle_{kind}", botocores._default_handle)
            return partial(handler, shape)

    class PlannedParserFactory(ResponseParserFactory):
        def __init__(self) -> None:
            super().__init__()
            self._plans: ShapePlans | None = None

        def set_parser_defaults(self, **kwargs: Any) -> None:
            super().set_parser_defaults(**kwargs)
            self._plans = None  # plans hold the defaults they were made with

        def create_parser(self, protocol_name: str) -> Any:
            if protocol_name != "rest-json":
                return super().create_parser(protocol_name)
            defaults: dict[str, Any] = cast(Any, self)._defaults
            parser = PlannedRestJSONParser(self._plans, **defaults)
            self._plans = parser._plans  # two first parsers at once: the later one's stay
            return parser

    return PlannedParserFactory


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
