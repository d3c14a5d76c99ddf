"""Deep links: `harvest-tui TARGET` opens the app at a channel group, channel, origin
endpoint or harvest job, named by ARN (its region too) or by GROUP[/CHANNEL[/ENDPOINT[/JOB]]].

Pure: no Textual, no boto3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harvest_tui.safe_text import clean

if TYPE_CHECKING:
    from harvest_tui.backend import Request

LEVELS = ("channel group", "channel", "origin endpoint", "harvest job")
_ARN = re.compile(r"arn:aws[a-z-]*:mediapackagev2:(?P<region>[a-z0-9-]+):\d{12}:(?P<rest>.+)")
_ARN_KEYS = ("channelGroup", "channel", "originEndpoint", "harvestJob")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TargetError(ValueError):
    """A target that names nothing: the message says what is wrong and the forms accepted."""


@dataclass(frozen=True)
class Target:
    """Names from the channel group down (1 to 4), and the region an ARN named."""

    names: tuple[str, ...]
    region: str | None = None

    def describe(self) -> str:
        return " / ".join(self.names)


def parse_target(text: str) -> Target:
    """`text` as a Target. Raises TargetError naming what is wrong."""
    shown = clean(text, max_len=200)
    match = _ARN.fullmatch(text)
    if match:
        parts = match["rest"].split("/")
        keys, names = parts[0::2], parts[1::2]
        if not names or len(keys) != len(names) or tuple(keys) != _ARN_KEYS[: len(keys)]:
            raise TargetError(f"{shown}: not the ARN of a channel group, channel, origin "
                              "endpoint or harvest job")  # fmt: skip
        return Target(_checked(names, shown), match["region"])
    if text.startswith("arn:"):
        raise TargetError(f"{shown}: not a MediaPackage v2 ARN (arn:aws:mediapackagev2:…)")
    names = text.strip("/").split("/")
    if not 1 <= len(names) <= 4:
        raise TargetError(f"{shown}: give GROUP[/CHANNEL[/ENDPOINT[/JOB]]] or an ARN")
    return Target(_checked(names, shown))


def _checked(names: Sequence[str], shown: str) -> tuple[str, ...]:
    for level, name in zip(LEVELS, names, strict=False):
        if not _NAME.fullmatch(name):
            raise TargetError(
                f"{shown}: a {level} name is 1 to 256 letters, digits, '-' and '_' "
                f"(not {clean(name, max_len=60)!r})"
            )
    return tuple(names)


def path_lists(names: tuple[str, ...]) -> list[Request[Any]]:
    """The lists a deep link to `names` (group, channel, endpoint, job) opens the tree with:
    a level's list is read when the link goes below it (an endpoint's jobs come with its
    channel's job list)."""
    from harvest_tui.backend import ListChannels, ListHarvestJobs, ListOriginEndpoints

    lists: list[Request[Any]] = []
    if len(names) >= 2:
        lists.append(ListChannels(names[0]))
    if len(names) >= 3:
        lists += [ListOriginEndpoints(names[0], names[1]), ListHarvestJobs(names[0], names[1])]
    return lists


def link_requests(names: tuple[str, ...]) -> list[Request[Any]]:
    """Every call a deep link to `names` is certain to make, which `harvest-tui` makes at
    start-up all at once: the lists on its path, and the Get of where it lands (the detail
    pane's, once the cursor has rested there)."""
    from harvest_tui.backend import get_at

    get = get_at(names)
    return [*path_lists(names), *([get] if get is not None else [])]
