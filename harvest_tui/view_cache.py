"""The warm-start cache: the last session's view, per profile, regions and endpoint.

What it holds: the tree's loaded, expanded nodes (their resources, the models of
models.py serialised field by field), the endpoints' counts, the roll-ups, and the
cursor. Never credentials: only resources the service listed, the profile's name, its
regions and the endpoint (without any user, password, query or fragment).

The file is versioned JSON in the user cache directory (platformdirs; the
HARVEST_TUI_CACHE_DIR environment variable names another), one file per view, written
by safe_files (atomic, 0o600). It is bounded: at most MAX_BYTES a file (a bigger view
drops its job lists, then is not written), MAX_NODES nodes, MAX_TEXT characters a
string, and MAX_FILES files (the oldest go).

Reading treats the file as untrusted, as any remote text: every value's type is checked
against the model's field, sizes are bounded, and the strings stay raw (the UI cleans
them, as it cleans what the service sends). A corrupt, foreign (another profile or
endpoint), too big or too new file is ignored with a notice, never a crash. This module
imports neither boto3 nor textual.
"""

from __future__ import annotations

import json
import os
import stat
import types
import typing
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from harvest_tui import models
from harvest_tui.backend import ListChannels, ListHarvestJobs, ListOriginEndpoints, Request
from harvest_tui.models import Channel, ChannelGroup, HarvestJob, JobStatus, OriginEndpoint

CACHE_DIR_ENV = "HARVEST_TUI_CACHE_DIR"
FORMAT = "harvest-tui view cache"
VERSION = 1
MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 50_000
MAX_TEXT = 8192
MAX_ITEMS = 1000  # tags, manifests, counts: per value
MAX_FILES = 32
MAX_DEPTH = 6  # region → group → channel → endpoint → job

KINDS: dict[str, type[Any] | None] = {
    "region": None,
    "group": ChannelGroup,
    "channel": Channel,
    "endpoint": OriginEndpoint,
    "job": HarvestJob,
}
_CHILD_KINDS = {
    "root": ("region", "group"),
    "region": ("group",),
    "group": ("channel",),
    "channel": ("endpoint",),
    "endpoint": ("job",),
    "job": (),
}


class CacheError(ValueError):
    """The file is not a view cache this app can use; the message says why."""


@dataclass(frozen=True)
class ViewKey:
    """Whose view: the profile, its regions, and the endpoint (None: AWS's own)."""

    profile: str
    regions: tuple[str, ...]
    endpoint: str | None

    @classmethod
    def of(cls, profile: str, regions: tuple[str, ...], endpoint: str | None) -> ViewKey:
        return cls(profile, tuple(regions), _endpoint(endpoint))

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "regions": list(self.regions), "endpoint": self.endpoint}

    @property
    def file_name(self) -> str:
        """A name of its own per key (hashlib would cost the start OpenSSL's import: a
        CRC does, as the key inside the file is checked on every read)."""
        text = json.dumps(self.to_json(), sort_keys=True).encode()
        return f"view-{zlib.crc32(text):08x}-{zlib.adler32(text):08x}.json"

    def describe(self) -> str:
        where = ", ".join(self.regions) or "default region"
        return f"profile {self.profile} ({where}{', ' + self.endpoint if self.endpoint else ''})"


def _endpoint(url: str | None) -> str | None:
    """An endpoint URL without user, password, query or fragment (never a secret)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return None
    if not parts.scheme:  # a label ("built-in sandbox"), not a URL
        return url
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))


@dataclass
class CachedNode:
    """A tree node as cached: `children` None when they were not loaded (or not shown)."""

    kind: str
    region: str
    resource: models.Resource | None = None
    expanded: bool = False
    children: list[CachedNode] | None = None
    counts: dict[str, int] | None = None  # an endpoint's jobs per status
    summary: dict[str, Any] | None = None  # a group's or channel's roll-up

    @property
    def name(self) -> str:
        return self.region if self.kind == "region" else getattr(self.resource, "name", "")


@dataclass
class CachedView:
    key: ViewKey
    saved_at: datetime
    top: list[CachedNode] = field(default_factory=list)
    cursor: tuple[str, ...] = ()  # names from the top (the region first when regions show)


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    if environ.get(CACHE_DIR_ENV):
        return Path(environ[CACHE_DIR_ENV]).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("harvest-tui", appauthor=False)) / "views"


# -- writing ----------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A model (or a part of one) as JSON values: dataclasses by field, times in ISO 8601."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [to_json(v) for v in value]
    return value


def _node_json(node: CachedNode, with_jobs: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": node.kind, "region": node.region}
    if node.resource is not None:
        out["resource"] = to_json(node.resource)
    if node.expanded:
        out["expanded"] = True
    if node.counts is not None:
        out["counts"] = dict(node.counts)
    if node.summary is not None:
        out["summary"] = node.summary
    children = node.children
    if children is not None and (with_jobs or node.kind != "endpoint"):
        out["children"] = [_node_json(c, with_jobs) for c in children]
    return out


def dumps(view: CachedView, *, with_jobs: bool = True) -> str:
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "key": view.key.to_json(),
        "saved_at": view.saved_at.astimezone(UTC).isoformat(),
        "cursor": list(view.cursor),
        "top": [_node_json(n, with_jobs) for n in view.top],
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def save_view(directory: Path, view: CachedView) -> Path | None:
    """Write `view` (atomically, 0o600); None when even without its jobs it is too big.
    Raises OSError when the file cannot be written."""
    from harvest_tui.safe_files import write_private_file

    text = dumps(view)
    if len(text.encode()) > MAX_BYTES:
        text = dumps(view, with_jobs=False)
        if len(text.encode()) > MAX_BYTES:
            return None
    path = write_private_file(directory / view.key.file_name, text)
    _prune(directory, keep=path)
    return path


def _prune(directory: Path, keep: Path) -> None:
    """At most MAX_FILES views: the least recently written go."""
    try:
        views = [p for p in directory.glob("view-*.json") if p != keep and p.is_file()]
        if len(views) < MAX_FILES:
            return
        views.sort(key=lambda p: p.stat().st_mtime)
        for old in views[: len(views) - MAX_FILES + 1]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


# -- reading ----------------------------------------------------------------------


def load_view(directory: Path, key: ViewKey) -> tuple[CachedView | None, str | None]:
    """(the view, None), or (None, None) when there is none, or (None, a notice) when the
    file is there but cannot be used (it is then ignored, and replaced at the next save)."""
    path = directory / key.file_name
    try:
        data = _read_regular(path)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"Ignored the view cache {path}: {exc.strerror or exc}."
    try:
        if len(data) > MAX_BYTES:
            raise CacheError(f"it is bigger than {MAX_BYTES:,} bytes")
        return parse(data, key), None
    except CacheError as exc:
        return None, f"Ignored the view cache {path}: {exc}. Starting afresh."


def _read_regular(path: Path) -> bytes:
    """At most MAX_BYTES + 1 bytes of `path`, a regular file: never through a symlink,
    and never waiting on a named pipe planted there."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "it is not a regular file")
        chunks, left = [], MAX_BYTES + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse(data: bytes | str, key: ViewKey) -> CachedView:
    """The view in `data`, checked; CacheError names what is wrong."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise CacheError(f"it is not valid JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise CacheError("it is not a harvest-tui view cache")
    if doc.get("version") != VERSION:
        raise CacheError(f"it has version {_show(doc.get('version'))}, this app reads {VERSION}")
    raw_key = doc.get("key")
    if not isinstance(raw_key, dict) or raw_key != key.to_json():
        raise CacheError(f"it is the view of another profile or endpoint, not {key.describe()}")
    saved_at = _decode(datetime, doc.get("saved_at"), "saved_at")
    cursor = doc.get("cursor", [])
    if not isinstance(cursor, list) or len(cursor) > MAX_DEPTH:
        raise CacheError("its cursor is not a list of names")
    top = doc.get("top")
    if not isinstance(top, list):
        raise CacheError("it has no list of nodes")
    budget = [MAX_NODES]
    nodes = [_node(raw, "root", 1, budget) for raw in top]
    return CachedView(
        key=key,
        saved_at=saved_at,
        top=nodes,
        cursor=tuple(_decode(str, name, "cursor") for name in cursor),
    )


def _node(raw: Any, parent_kind: str, depth: int, budget: list[int]) -> CachedNode:
    budget[0] -= 1
    if budget[0] < 0:
        raise CacheError(f"it has more than {MAX_NODES:,} nodes")
    if depth > MAX_DEPTH or not isinstance(raw, dict):
        raise CacheError("a node is not an object at a tree level")
    kind = raw.get("kind")
    if kind not in _CHILD_KINDS[parent_kind]:
        raise CacheError(f"a node of kind {_show(kind)} is under a {parent_kind}")
    region = _decode(str, raw.get("region"), "region")
    model = KINDS[kind]
    resource = None if model is None else _decode(model, raw.get("resource"), kind)
    expanded = raw.get("expanded", False)
    if not isinstance(expanded, bool):
        raise CacheError("a node's expanded is not true or false")
    children = raw.get("children")
    if children is not None:
        if not isinstance(children, list):
            raise CacheError("a node's children are not a list")
        children = [_node(c, kind, depth + 1, budget) for c in children]
    counts = raw.get("counts")
    if counts is not None:
        counts = _counts(counts)
    summary = raw.get("summary")
    if summary is not None:
        summary = _summary(summary)
    return CachedNode(kind, region, resource, expanded, children, counts, summary)


def _counts(raw: Any) -> dict[str, int]:
    value = _decode(dict[str, int], raw, "counts")
    assert isinstance(value, dict)
    if any(n < 0 for n in value.values()):
        raise CacheError("a count is negative")
    return value


def _summary(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise CacheError("a summary is not an object")
    counts = raw.get("counts")
    unopened = _decode(int, raw.get("unopened", 0), "unopened")
    active = raw.get("active")
    return {
        "counts": None if counts is None else _counts(counts),
        "unopened": max(0, unopened),
        "active": None if active is None else max(0, _decode(int, active, "active")),
    }


_HINTS: dict[type[Any], dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, vars(models))
    return _HINTS[cls]


def _decode(tp: Any, value: Any, where: str) -> Any:
    """`value` as the type `tp` (a model field's), or CacheError."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        if JobStatus in options:
            return JobStatus.parse(_decode(str, value, where))
        (inner,) = (o for o in options if o is not type(None))
        return _decode(inner, value, where)
    if tp is str:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise CacheError(f"{where} is not a string of at most {MAX_TEXT:,} characters")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**53:
            raise CacheError(f"{where} is not a whole number")
        return value
    if tp is datetime:
        text = _decode(str, value, where)
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise CacheError(f"{where} is not an ISO 8601 time") from None
        if when.tzinfo is None:
            raise CacheError(f"{where} has no time zone")
        return when.astimezone(UTC)
    if origin is tuple:
        (inner, _) = typing.get_args(tp)
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise CacheError(f"{where} is not a list of at most {MAX_ITEMS} items")
        return tuple(_decode(inner, v, where) for v in value)
    if origin in (Mapping, dict):
        key_type, value_type = typing.get_args(tp)
        if not isinstance(value, dict) or len(value) > MAX_ITEMS:
            raise CacheError(f"{where} is not an object of at most {MAX_ITEMS} entries")
        out = {_decode(key_type, k, where): _decode(value_type, v, where) for k, v in value.items()}
        return types.MappingProxyType(out) if origin is Mapping else out
    if is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(value, dict):
            raise CacheError(f"{where} is not an object")
        hints = _hints(tp)
        values: dict[str, Any] = {}
        for f in fields(tp):
            if f.name in value:
                values[f.name] = _decode(hints[f.name], value[f.name], f"{where}.{f.name}")
        try:
            return tp(**values)
        except TypeError:
            raise CacheError(f"{where} lacks a field its model needs") from None
    raise CacheError(f"{where} has a type this cache does not hold")


def _show(value: Any) -> str:
    return repr(value)[:40]


# -- the app's handle -------------------------------------------------------------


class ViewCache:
    """The cache directory, as the app uses it: the CLI reads a view early (to send its
    lists before Textual starts), and the explorer takes it from here."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._read: dict[ViewKey, tuple[CachedView | None, str | None]] = {}

    def preload(self, key: ViewKey) -> CachedView | None:
        self._read[key] = found = load_view(self.directory, key)
        return found[0]

    def load(self, key: ViewKey) -> tuple[CachedView | None, str | None]:
        """(the view, None), (None, None) or (None, why the file was ignored)."""
        return self._read.pop(key, None) or load_view(self.directory, key)

    def save(self, view: CachedView) -> str | None:
        """Write `view`; what went wrong, or None."""
        try:
            save_view(self.directory, view)
        except OSError as exc:
            return f"Could not write the view cache in {self.directory}: {exc}"
        return None


def refresh_requests(view: CachedView) -> list[tuple[str, Request[Any]]]:
    """(region, request) for every list the warm start reads again (the channel groups
    aside): a group's channels, a channel's endpoints and its job list, for each one
    cached open. The same requests the tree makes, so a prefetched answer serves it."""
    out: list[tuple[str, Request[Any]]] = []
    stack = list(view.top)
    while stack:
        node = stack.pop()
        if node.children is None or not node.expanded:
            continue
        r = node.resource
        if isinstance(r, ChannelGroup):
            out.append((node.region, ListChannels(r.name)))
        elif isinstance(r, Channel):
            out.append((node.region, ListOriginEndpoints(r.group_name, r.name)))
            out.append((node.region, ListHarvestJobs(r.group_name, r.name)))
        stack.extend(node.children)
    return out
