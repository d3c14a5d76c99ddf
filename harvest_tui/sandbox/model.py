"""Routing and request binding, read from botocore's mediapackagev2 model.

Nothing here is written out per operation: routes come from each operation's
`http.method` and `requestUri`, and the binder places every input member from
where the model says it travels (uri label, querystring, header or JSON body,
under its locationName). A new operation therefore needs only a handler.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import unquote

import botocore.loaders
from botocore.model import (
    ListShape,
    MapShape,
    OperationModel,
    ServiceModel,
    Shape,
    StructureShape,
)

from harvest_tui.sandbox.errors import ApiError

SERVICE_NAME = "mediapackagev2"
_LABEL = re.compile(r"^\{([A-Za-z0-9_]+)(\+?)\}$")
_INTEGER = re.compile(r"-?[0-9]+", re.ASCII)  # as Smithy servers parse: no "5_0", " 5", "٥"
_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}


@functools.cache
def service_model() -> ServiceModel:
    """The service model botocore ships (the same one boto3 and the AWS CLI use)."""
    loader = botocore.loaders.create_loader()
    return ServiceModel(loader.load_service_model(SERVICE_NAME, "service-2"), SERVICE_NAME)


def serialization_error(message: str) -> ApiError:
    return ApiError("SerializationException", message, status=400)


@dataclass(frozen=True)
class Route:
    """One operation's method and URI template, split into path segments."""

    operation: OperationModel
    method: str
    segments: tuple[str, ...]
    query_literals: tuple[tuple[str, str | None], ...]

    @classmethod
    def of(cls, op: OperationModel) -> Route:
        path, _, query = op.http["requestUri"].partition("?")
        literals = []
        for part in filter(None, query.split("&")):
            key, eq, value = part.partition("=")
            literals.append((key, value if eq else None))
        return cls(op, op.http["method"].upper(), _split(path), tuple(literals))

    @property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not _LABEL.match(s)) + len(self.query_literals)

    def match(
        self, method: str, segments: tuple[str, ...], query: Mapping[str, list[str]]
    ) -> dict[str, str] | None:
        """The uri labels (percent-decoded) if this route takes the request, else None."""
        if method != self.method:
            return None
        for key, value in self.query_literals:
            if key not in query or (value is not None and value not in query[key]):
                return None
        labels: dict[str, str] = {}
        for i, template in enumerate(self.segments):
            label = _LABEL.match(template)
            if label and label.group(2):  # greedy {Name+}: the rest of the path
                rest = segments[i:]
                if not rest or not all(rest):
                    return None
                labels[label.group(1)] = unquote("/".join(rest))
                return labels
            if i >= len(segments):
                return None
            if label:
                if not segments[i]:
                    return None
                labels[label.group(1)] = unquote(segments[i])
            elif segments[i] != template:
                return None
        return labels if len(segments) == len(self.segments) else None


def _split(path: str) -> tuple[str, ...]:
    """Path segments, raw (still percent-encoded), ignoring a trailing slash."""
    return tuple(path.strip("/").split("/")) if path.strip("/") else ()


@functools.cache
def routes() -> tuple[Route, ...]:
    """Every operation of the model, most specific template first."""
    model = service_model()
    found = [Route.of(model.operation_model(name)) for name in model.operation_names]
    return tuple(sorted(found, key=lambda r: (-r.literal_count, -len(r.segments))))


def match_route(
    method: str, raw_path: str, query: Mapping[str, list[str]]
) -> tuple[OperationModel, dict[str, str]] | None:
    segments = _split(raw_path)
    for route in routes():
        labels = route.match(method, segments, query)
        if labels is not None:
            return route.operation, labels
    return None


def bind_input(
    op: OperationModel,
    labels: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    """The input dict (member names → values) built per the operation's input shape."""
    shape = op.input_shape
    if shape is None:
        return {}
    lower_headers = {k.lower(): v for k, v in headers.items()}
    payload_name = shape.serialization.get("payload")
    doc = _parse_body(body) if body.strip() and not payload_name else {}
    params: dict[str, Any] = {}
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        value: Any = None
        if location == "uri":
            raw = labels.get(wire)
            value = None if raw is None else _from_text(member, raw, wire)
        elif location == "querystring":
            value = _from_query(member, query, wire)
        elif location == "header":
            raw = lower_headers.get(wire.lower())
            value = None if raw is None else _from_header(member, raw, wire)
        elif location == "headers":
            prefix = wire.lower()
            found = {k[len(prefix) :]: v for k, v in lower_headers.items() if k.startswith(prefix)}
            value = found or None
        elif name == payload_name:
            if member.type_name == "blob":
                value = body or None
            elif body.strip():
                value = from_json(member, _parse_body(body), name)
        elif isinstance(doc, dict) and doc.get(wire) is not None:
            value = from_json(member, doc[wire], name)
        if value is not None:
            params[name] = value
    return params


def _parse_body(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise serialization_error(f"The request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise serialization_error("The request body is not valid JSON: nested too deeply") from None


def _integer(kind: str, raw: str) -> int:
    """A query, label or header integer: ASCII digits only, within the shape's range."""
    if not _INTEGER.fullmatch(raw):
        raise ValueError(raw)
    value = int(raw)
    low, high = _RANGES[kind]
    if not low <= value <= high:
        raise ValueError(raw)
    return value


def _from_query(member: Shape, query: Mapping[str, list[str]], wire: str) -> Any:
    if member.type_name == "map":
        return {k: v[0] for k, v in query.items()} or None
    values = query.get(wire)
    if not values:
        return None
    if member.type_name == "list":
        assert isinstance(member, ListShape)
        return [_from_text(member.member, v, wire) for v in values]
    return _from_text(member, values[0], wire)


def _from_header(member: Shape, raw: str, wire: str) -> Any:
    if member.type_name == "list":
        assert isinstance(member, ListShape)
        items = [v.strip() for v in raw.split(",")]
        return [_from_text(member.member, v, wire) for v in items]
    if member.type_name == "timestamp":
        try:
            return parsedate_to_datetime(raw).astimezone(UTC)
        except (TypeError, ValueError):
            raise serialization_error(f"Header {wire} is not an HTTP date: {raw!r}") from None
    if member.serialization.get("jsonvalue"):
        return json.loads(base64.b64decode(raw))
    return _from_text(member, raw, wire)


def _from_text(member: Shape, raw: str, wire: str) -> Any:
    """A scalar from its text form (uri label, query value or header)."""
    kind = member.type_name
    try:
        if kind in ("integer", "long"):
            return _integer(kind, raw)
        if kind in ("float", "double"):
            return float(raw)
        if kind == "boolean":
            if raw not in ("true", "false"):
                raise ValueError(raw)
            return raw == "true"
        if kind == "timestamp":
            return _timestamp(raw)
    except (ValueError, OverflowError, OSError):
        raise serialization_error(f"Value {raw!r} at '{wire}' is not a valid {kind}") from None
    return raw


def _timestamp(value: Any) -> datetime:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    try:
        return datetime.fromtimestamp(float(text), UTC)
    except ValueError:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def from_json(shape: Shape, value: Any, path: str) -> Any:
    """A JSON body value converted per its shape (wire keys → member names)."""
    kind = shape.type_name
    if kind == "structure":
        _expect(isinstance(value, dict), path, "an object", value)
        assert isinstance(shape, StructureShape)
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            if value.get(wire) is not None:
                out[name] = from_json(member, value[wire], f"{path}.{name}")
        return out
    if kind == "list":
        _expect(isinstance(value, list), path, "an array", value)
        assert isinstance(shape, ListShape)
        item = shape.member
        return [from_json(item, v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "map":
        _expect(isinstance(value, dict), path, "an object", value)
        assert isinstance(shape, MapShape)
        item = shape.value
        return {str(k): from_json(item, v, f"{path}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        try:
            return _timestamp(value)
        except (ValueError, OverflowError, OSError):
            raise serialization_error(f"Value at '{path}' is not a timestamp") from None
    if kind in ("integer", "long"):
        _expect(isinstance(value, int) and not isinstance(value, bool), path, "an integer", value)
        low, high = _RANGES[kind]
        if not low <= value <= high:
            raise serialization_error(f"Value at '{path}' is out of range for {kind}")
    elif kind in ("float", "double"):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        _expect(number, path, "a number", value)
    elif kind == "boolean":
        _expect(isinstance(value, bool), path, "a boolean", value)
    elif kind == "blob":
        _expect(isinstance(value, str), path, "base64 text", value)
        return base64.b64decode(value)
    elif kind == "string":
        _expect(isinstance(value, str), path, "a string", value)
    return value


def _expect(ok: bool, path: str, what: str, value: Any) -> None:
    if not ok:
        raise serialization_error(f"Value at '{path}' must be {what}, not {type(value).__name__}")
