"""Opaque, tamper-evident nextTokens and linear paging over sorted lists.

A token carries the sort key of the last item returned, bound to the query it
came from and signed with the store's secret. Each page resumes by bisecting to
that key, so fetching page k costs the same as page 1 (no re-scan from the
start), and deleting items between pages neither skips nor repeats any.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from harvest_tui.sandbox.errors import validation

T = TypeVar("T")
_MAC_BYTES = 16


def bad_token() -> Exception:
    return validation(
        "INVALID_PAGINATION_TOKEN",
        "Invalid nextToken: it was not returned by this list operation with these "
        "parameters, or it has expired.",
    )


def _is_key(value: Any) -> bool:
    """A sort key the lists use: a name, or a job's [created micros, sequence]."""
    if isinstance(value, str):
        return True
    pair = isinstance(value, list) and len(value) == 2
    return pair and all(type(part) is int for part in value)  # type(): bool is no key


class Tokens:
    """Encodes and checks nextTokens with an HMAC over (scope, key)."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, scope: str, key: Any) -> str:
        payload = json.dumps({"s": scope, "k": key}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(payload + self._mac(payload)).decode().rstrip("=")

    def decode(self, token: str, scope: str) -> Any:
        """The key the token resumes after, or a ValidationException if it is not ours."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise bad_token() from None
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise bad_token()
        # The secret follows from the seed, so a token can be forged: trust nothing in it.
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise bad_token() from None
        if not isinstance(data, dict) or data.get("s") != scope or not _is_key(data.get("k")):
            raise bad_token()
        return data["k"]


def page(
    items: Sequence[T],
    key: Callable[[T], Any],
    after: Any | None,
    limit: int,
    keep: Callable[[T], bool] = lambda _: True,
) -> tuple[list[T], bool, int]:
    """(up to `limit` kept items after key `after`, whether more remain, items scanned)."""
    i = 0 if after is None else bisect.bisect_right(items, after, key=key)
    found: list[T] = []
    scanned = 0
    while i < len(items):
        item = items[i]
        i += 1
        scanned += 1
        if keep(item):
            if len(found) == limit:
                return found, True, scanned  # peeked one more: there is a next page
            found.append(item)
    return found, False, scanned
