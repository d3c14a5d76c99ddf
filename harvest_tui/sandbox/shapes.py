"""Validation of inputs and serialization of outputs, walking botocore's shapes.

The validator checks what the model declares (required, length, pattern, enum,
range) recursively, and answers as the service does: a ValidationException whose
ValidationExceptionType names the first violation. The serializer builds the
rest-json response per the output shape: header members to headers, body members
under their locationName, timestamps as epoch seconds.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from harvest_tui.sandbox.errors import ApiError, validation
from harvest_tui.sandbox.model import service_model
from harvest_tui.shape_plans import ShapePlans


@dataclass(frozen=True)
class Violation:
    subtype: str
    path: str
    value: str  # how the message shows the value: "'abc'" or "null"
    constraint: str

    def message(self) -> str:
        return (
            f"Value {self.value} at '{self.path}' failed to satisfy constraint: "
            f"Member must {self.constraint}"
        )


@functools.cache
def _pattern(source: str) -> re.Pattern[str]:
    return re.compile(source)


def _show(value: Any) -> str:
    text = str(value)
    return f"'{text if len(text) <= 80 else text[:77] + '...'}'"


def violations(shape: Shape, value: Any, path: str = "") -> list[Violation]:
    """Every constraint of `shape` (and its members, recursively) that `value` breaks."""
    found: list[Violation] = []
    meta = shape.metadata
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        for name in shape.required_members:
            if value.get(name) is None:
                where = f"{path}.{name}" if path else name
                found.append(Violation("MEMBER_MISSING", where, "null", "not be null"))
        for name, member in shape.members.items():
            if value.get(name) is not None:
                found += violations(member, value[name], f"{path}.{name}" if path else name)
        return found
    shown = _show(value) if kind in ("string", "integer", "long", "float", "double") else "[...]"
    if kind in ("string", "list", "map", "blob"):
        size = len(value)
        noun = "length" if kind in ("string", "blob") else "size"
        if "min" in meta and size < meta["min"]:
            text = f"have {noun} greater than or equal to {meta['min']}"
            found.append(Violation("MEMBER_MIN_LENGTH", path, shown, text))
        if "max" in meta and size > meta["max"]:
            text = f"have {noun} less than or equal to {meta['max']}"
            found.append(Violation("MEMBER_MAX_LENGTH", path, shown, text))
    if kind == "string":
        if "pattern" in meta and not _pattern(meta["pattern"]).fullmatch(value):
            text = f"satisfy regular expression pattern: {meta['pattern']}"
            found.append(Violation("MEMBER_DOES_NOT_MATCH_PATTERN", path, shown, text))
        if meta.get("enum") and value not in meta["enum"]:
            text = f"satisfy enum value set: [{', '.join(meta['enum'])}]"
            found.append(Violation("MEMBER_INVALID_ENUM_VALUE", path, shown, text))
    elif kind in ("integer", "long", "float", "double"):
        if "min" in meta and value < meta["min"]:
            text = f"have value greater than or equal to {meta['min']}"
            found.append(Violation("MEMBER_MIN_VALUE", path, shown, text))
        if "max" in meta and value > meta["max"]:
            text = f"have value less than or equal to {meta['max']}"
            found.append(Violation("MEMBER_MAX_VALUE", path, shown, text))
    elif kind == "list":
        assert isinstance(shape, ListShape)
        for i, item in enumerate(value):
            found += violations(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        assert isinstance(shape, MapShape)
        for key, item in value.items():
            found += violations(shape.value, item, f"{path}.{key}")
    return found


def check_input(
    op: OperationModel, params: Mapping[str, Any], overrides: Mapping[str, str] | None = None
) -> ApiError | None:
    """The ValidationException the service would answer for these params, or None.

    `overrides` maps a member path prefix to the subtype that a missing member
    there reports instead of MEMBER_MISSING (e.g. CreateHarvestJob's Destination).
    """
    if op.input_shape is None:
        return None
    found = violations(op.input_shape, params)
    if not found:
        return None
    subtype = found[0].subtype
    for prefix, special in (overrides or {}).items():
        if subtype == "MEMBER_MISSING" and found[0].path.startswith(prefix):
            subtype = special
    count = len(found)
    head = f"{count} validation error{'s' if count > 1 else ''} detected: "
    return validation(subtype, head + "; ".join(v.message() for v in found))


def fit(shape: Shape, value: Any) -> Any:
    """`value` without the members `shape` lacks, recursively: what was stored from an
    input shape, shown through an output shape of this botocore's model."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        assert isinstance(shape, StructureShape)
        members = shape.members
        return {k: fit(members[k], v) for k, v in value.items() if k in members}
    if kind == "list" and isinstance(value, list):
        assert isinstance(shape, ListShape)
        return [fit(shape.member, v) for v in value]
    if kind == "map" and isinstance(value, dict):
        assert isinstance(shape, MapShape)
        return {k: fit(shape.value, v) for k, v in value.items()}
    return value


def fit_output(operation: str, result: dict[str, Any]) -> dict[str, Any]:
    """`result` fitted to the operation's output shape (a Get view as a Create answer)."""
    shape = service_model().operation_model(operation).output_shape
    return fit(shape, result) if shape is not None else {}


class OutputError(Exception):
    """A handler's result does not fit its output shape: a bug in the sandbox."""


def _epoch(value: datetime) -> float | int:
    seconds = round(value.timestamp(), 3)  # (a naive one is local time, as astimezone has it)
    return int(seconds) if seconds.is_integer() else seconds


def to_json(shape: Shape, value: Any, path: str) -> Any:
    """A python value converted for the JSON body per its shape (member → wire names).

    Raises OutputError, naming the value's path from `path`, where the value does not
    fit its shape."""
    try:
        return _writer(shape)(value)
    except _Misfit as misfit:
        raise OutputError(f"{path}{misfit.where}: {misfit.problem}") from None


Write = Callable[[Any], Any]


class _Misfit(Exception):
    """A value that does not fit its shape; `where` grows as it rises through the values
    around it, so a path is only made for a value that fails."""

    def __init__(self, problem: str) -> None:
        self.problem, self.where = problem, ""

    def within(self, step: str) -> _Misfit:
        self.where = step + self.where
        return self


def _writer(shape: Shape) -> Write:
    """`shape`'s conversion, planned once: every response of a kind walks the same shapes,
    the jobs of a list a hundred times a page."""
    return _WRITERS.plan(shape)


def _plan_writer(shape: Shape) -> Write:
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        return _structure_writer(shape)
    if kind == "list":
        assert isinstance(shape, ListShape)
        item = _writer(shape.member)

        def write_list(value: Any) -> Any:
            try:
                return [item(v) for v in value]
            except _Misfit as misfit:
                raise misfit.within("[]") from None

        return write_list
    if kind == "map":
        assert isinstance(shape, MapShape)
        entry = _writer(shape.value)

        def write_map(value: Any) -> Any:
            return {k: _within(f".{k}", entry, v) for k, v in value.items()}

        return write_map
    if kind == "timestamp":
        return _write_timestamp
    return _same


_WRITERS = ShapePlans(_plan_writer)  # the model's shapes live as long as the process


def _structure_writer(shape: StructureShape) -> Write:
    members = [
        (name, member.serialization.get("name", name), f".{name}", _writer(member))
        for name, member in shape.members.items()
    ]
    known = frozenset(shape.members)
    required = tuple(shape.required_members)

    def write_structure(value: Any) -> Any:
        if not known.issuperset(value):
            unknown = sorted(set(value) - known)
            raise _Misfit(f"no member(s) {unknown} in {shape.name}")
        missing = [n for n in required if value.get(n) is None]
        if missing:
            raise _Misfit(f"required member(s) {missing} of {shape.name} missing")
        out = {}
        for name, wire, step, write in members:
            v = value.get(name)
            if v is None:
                continue
            if write is _same:  # most members: a string or a number, as it is
                out[wire] = v
                continue
            try:
                out[wire] = write(v)
            except _Misfit as misfit:
                raise misfit.within(step) from None
        return out

    return write_structure


def _within(step: str, write: Write, value: Any) -> Any:
    """`write(value)`, a misfit in it named from `step` (".Member", "[]", ".key") on."""
    try:
        return write(value)
    except _Misfit as misfit:
        raise misfit.within(step) from None


def _write_timestamp(value: Any) -> Any:
    if not isinstance(value, datetime):
        raise _Misfit(f"timestamp must be a datetime, not {value!r}")
    return _epoch(value)


def _same(value: Any) -> Any:
    return value


def serialize_output(
    op: OperationModel, result: Mapping[str, Any]
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a successful response."""
    status = int(op.http.get("responseCode", 200))
    shape = op.output_shape
    headers: dict[str, str] = {}
    if shape is None:
        return status, headers, b"{}"
    placed = set()  # members that travel outside the body
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        value = result.get(name)
        if location is not None:
            placed.add(name)
        if location is None or value is None:
            continue
        elif location == "header":
            wire = member.serialization.get("name", name)
            if isinstance(value, datetime):
                value = format_datetime(value.astimezone(UTC), usegmt=True)
            headers[wire] = str(value)
        elif location == "headers":
            prefix = member.serialization.get("name", "")
            headers.update({prefix + k: str(v) for k, v in value.items()})
        elif location == "statusCode":
            status = int(value)
    body = to_json(shape, {k: v for k, v in result.items() if k not in placed}, shape.name)
    return status, headers, json.dumps(body, separators=(",", ":")).encode()


def serialize_error(error: ApiError) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of an error response, per its error shape if modeled."""
    model = service_model()
    status = error.status
    members = {"Message": error.message, **error.fields}
    body = members
    if error.code in model.shape_names:
        shape = model.shape_for(error.code)
        info = shape.metadata.get("error", {})
        if status is None:
            status = int(info.get("httpStatusCode", 500 if shape.metadata.get("fault") else 400))
        body = to_json(shape, members, error.code)
    headers = {"x-amzn-ErrorType": error.code}
    return status or 400, headers, json.dumps(body, separators=(",", ":")).encode()
