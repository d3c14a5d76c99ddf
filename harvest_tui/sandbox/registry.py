"""What every operation's handler shares: the registry, idempotent creates, ETag checks.

A handler is a function from the operation's input params to its output dict,
registered with @handler("OperationName"); handlers.py holds the reads and the
harvest jobs, changes.py the creates, updates, deletes, policies, tags and resets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from harvest_tui.sandbox.errors import ApiError, conflict
from harvest_tui.sandbox.store import Store

Handler = Callable[[Store, dict[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
MISSING_OVERRIDES: dict[str, dict[str, str]] = {}


def handler(operation: str, missing: dict[str, str] | None = None) -> Callable[[Handler], Handler]:
    """Register a handler; `missing` remaps MEMBER_MISSING under a path prefix."""

    def register(fn: Handler) -> Handler:
        HANDLERS[operation] = fn
        if missing:
            MISSING_OVERRIDES[operation] = missing
        return fn

    return register


def _fingerprint(p: dict[str, Any]) -> str:
    return json.dumps(
        {k: v for k, v in p.items() if k != "ClientToken"}, default=str, sort_keys=True
    )


def replayed(
    store: Store, operation: str, p: dict[str, Any], get: Callable[..., Any]
) -> Any | None:
    """The resource an earlier create with this ClientToken made (looked up by `get`
    from its path), or None if the token is new or that resource is gone since. The
    same token with other params is a ConflictException."""
    token = p.get("ClientToken")
    if token is None:
        return None
    prior = store.idempotency.get((operation, token))
    if prior is None:
        return None
    fingerprint, path = prior
    if fingerprint != _fingerprint(p):
        raise conflict(
            "IDEMPOTENT_PARAMETER_MISMATCH",
            "The client token was already used with different parameters.",
        )
    try:
        return get(*path)
    except ApiError:
        del store.idempotency[(operation, token)]  # deleted since: create anew
        return None


def remember(store: Store, operation: str, p: dict[str, Any], path: tuple[str, ...]) -> None:
    """Note what a create with a ClientToken made, for `replayed`."""
    token = p.get("ClientToken")
    if token is not None:
        store.idempotency[(operation, token)] = (_fingerprint(p), path)


def check_etag(given: str | None, current: str, what: str) -> None:
    """A ConflictException when the request's ETag is not the resource's current one."""
    if given is not None and given != current:
        raise conflict(
            "CONFLICTING_OPERATION",
            f"{what} changed since its ETag was read. Get it again and retry with its "
            "current ETag.",
        )
