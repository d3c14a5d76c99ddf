"""The operations that change channel groups, channels and origin endpoints.

Creates, updates and deletes, their policies, tags and resets, with the service's
conflict rules (see the package docstring for the choices where the model's docs
are silent). An update takes the resource's ETag (if sent) as a precondition and
moves ModifiedAt to now, so its ETag changes.
"""

from __future__ import annotations

import json
from typing import Any

from harvest_tui.sandbox.errors import ApiError, conflict, not_found, validation
from harvest_tui.sandbox.records import ChannelGroupRec, ChannelRec, EndpointRec
from harvest_tui.sandbox.registry import check_etag, handler, remember, replayed
from harvest_tui.sandbox.shapes import fit_output
from harvest_tui.sandbox.store import Store
from harvest_tui.sandbox.views import MANIFEST_KINDS, channel_view, endpoint_view, group_view

MAX_MANIFESTS = 25  # per origin endpoint (the service's quota)
_CMAF_ONLY = {  # channel members that only a CMAF input accepts → the subtype refusing them
    "InputSwitchConfiguration": "ONLY_CMAF_INPUT_TYPE_ALLOW_MQCS_INPUT_SWITCHING",
    "OutputHeaderConfiguration": "ONLY_CMAF_INPUT_TYPE_ALLOW_MQCS_OUTPUT_CONFIGURATION",
    "OutputLockingMode": "ONLY_CMAF_INPUT_TYPE_ALLOW_OUTPUT_LOCKING_MODE",
}
_CHANNEL_SETTINGS = (*_CMAF_ONLY, "MultiviewConfiguration")
_ENDPOINT_SETTINGS = (
    "Segment",
    "ForceEndpointErrorConfiguration",
    "UriSeparator",
    "StreamNameOutputMode",
)
_CONTAINER_REFUSES = {  # container type → manifest kind → subtype
    "TS": {"DashManifests": "TS_CONTAINER_TYPE_WITH_DASH_MANIFEST",
           "MssManifests": "TS_CONTAINER_TYPE_WITH_MSS_MANIFEST"},
    "CMAF": {"MssManifests": "CMAF_CONTAINER_TYPE_WITH_MSS_MANIFEST"},
    "ISM": {"HlsManifests": "ISM_CONTAINER_TYPE_WITH_HLS_MANIFEST",
            "LowLatencyHlsManifests": "ISM_CONTAINER_TYPE_WITH_LL_HLS_MANIFEST",
            "DashManifests": "ISM_CONTAINER_TYPE_WITH_DASH_MANIFEST"},
}  # fmt: skip


def _endpoint_path(p: dict[str, Any]) -> tuple[str, str, str]:
    return p["ChannelGroupName"], p["ChannelName"], p["OriginEndpointName"]


def _exists(kind: str, name: str, where: str) -> ApiError:
    return conflict("RESOURCE_ALREADY_EXISTS", f"{kind} {name} already exists in {where}.")


def _in_use(kind: str, name: str, children: str) -> ApiError:
    return conflict("RESOURCE_IN_USE", f"{kind} {name} still has {children}: delete them first.")


def _gone(lookup: Any, *names: str) -> bool:
    """Whether the resource is missing (deletes are idempotent: the model has no 404)."""
    try:
        lookup(*names)
    except ApiError:
        return True
    return False


# -- channel groups ---------------------------------------------------------------------


@handler("CreateChannelGroup")
def create_channel_group(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    again = replayed(store, "CreateChannelGroup", p, store.channel_group)
    if again is None:
        name = p["ChannelGroupName"]
        if name in store.groups:
            raise _exists("Channel group", name, "this account and region")
        again = store.add_channel_group(
            name, description=p.get("Description"), tags=dict(p.get("Tags") or {})
        )
        remember(store, "CreateChannelGroup", p, (name,))
    return fit_output("CreateChannelGroup", group_view(again))


@handler("UpdateChannelGroup")
def update_channel_group(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group = store.channel_group(p["ChannelGroupName"])
    check_etag(p.get("ETag"), group.etag, f"Channel group {group.name}")
    if "Description" in p:
        group.description = p["Description"]
    group.touch(store.now())
    return fit_output("UpdateChannelGroup", group_view(group))


@handler("DeleteChannelGroup")
def delete_channel_group(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    name = p["ChannelGroupName"]
    if not _gone(store.channel_group, name):
        if store.groups[name].channels:
            raise _in_use("Channel group", name, "channels")
        store.delete_channel_group(name)
    return {}


# -- channels ---------------------------------------------------------------------------


def _check_cmaf_only(input_type: str, p: dict[str, Any]) -> None:
    for member, subtype in _CMAF_ONLY.items():
        if input_type != "CMAF" and member in p:
            raise validation(subtype, f"{member} is only allowed for a CMAF input type.")


@handler("CreateChannel")
def create_channel(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group = store.channel_group(p["ChannelGroupName"])
    again = replayed(store, "CreateChannel", p, store.channel)
    if again is None:
        name, input_type = p["ChannelName"], p.get("InputType", "HLS")
        if name in group.channels:
            raise _exists("Channel", name, f"channel group {group.name}")
        _check_cmaf_only(input_type, p)
        again = store.add_channel(
            group.name,
            name,
            input_type=input_type,
            description=p.get("Description"),
            tags=dict(p.get("Tags") or {}),
            settings={k: p[k] for k in _CHANNEL_SETTINGS if k in p},
        )
        remember(store, "CreateChannel", p, (group.name, name))
    return fit_output("CreateChannel", channel_view(again))


@handler("UpdateChannel")
def update_channel(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    channel = store.channel(p["ChannelGroupName"], p["ChannelName"])
    check_etag(p.get("ETag"), channel.etag, f"Channel {channel.name}")
    _check_cmaf_only(channel.input_type, p)
    if "Description" in p:
        channel.description = p["Description"]
    channel.settings.update({k: p[k] for k in _CHANNEL_SETTINGS if k in p})
    channel.touch(store.now())
    return fit_output("UpdateChannel", channel_view(channel))


@handler("DeleteChannel")
def delete_channel(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    group, name = p["ChannelGroupName"], p["ChannelName"]
    if not _gone(store.channel, group, name):
        if store.channel(group, name).endpoints:
            raise _in_use("Channel", name, "origin endpoints")
        store.delete_channel(group, name)
    return {}


@handler("ResetChannelState")
def reset_channel_state(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return _reset(store, p, store.channel(p["ChannelGroupName"], p["ChannelName"]))


def _reset(store: Store, p: dict[str, Any], rec: ChannelRec | EndpointRec) -> dict[str, Any]:
    """A reset clears content, not configuration: ResetAt moves, ModifiedAt and ETag stay."""
    rec.reset_at = store.now()
    names = ("ChannelGroupName", "ChannelName", "OriginEndpointName")
    return {**{k: p[k] for k in names if k in p}, "Arn": rec.arn, "ResetAt": rec.reset_at}


# -- origin endpoints -------------------------------------------------------------------


def _manifests(container: str, p: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The manifests asked for, by kind, after the service's checks."""
    asked = {kind: list(p.get(kind) or []) for kind in MANIFEST_KINDS}
    for kind, subtype in _CONTAINER_REFUSES.get(container, {}).items():
        if asked[kind]:
            raise validation(subtype, f"A {container} origin endpoint can't have {kind}.")
    names = [item["ManifestName"] for items in asked.values() for item in items]
    if len(names) > MAX_MANIFESTS:
        raise validation(
            "NUM_MANIFESTS_HIGH",
            f"An origin endpoint has at most {MAX_MANIFESTS} manifests, not {len(names)}.",
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise validation(
            "MANIFEST_NAME_COLLISION",
            f"Manifest names must be unique within an origin endpoint: {', '.join(twice)}.",
        )
    return asked


def _apply_endpoint(e: EndpointRec, p: dict[str, Any]) -> None:
    """Set what a Create or Update carries; a member it leaves out keeps its value."""
    asked = _manifests(e.container_type, p)
    for kind, attr in MANIFEST_KINDS.items():
        if kind in p:
            setattr(e, attr, tuple(item["ManifestName"] for item in asked[kind]))
            for item in asked[kind]:
                e.manifest_settings[item["ManifestName"]] = item
    for member in ("Description", "StartoverWindowSeconds"):
        if member in p:
            setattr(e, "description" if member == "Description" else "startover_window_seconds",
                    p[member])  # fmt: skip
    e.settings.update({k: p[k] for k in _ENDPOINT_SETTINGS if k in p})
    e.segment_seconds = p.get("Segment", {}).get("SegmentDurationSeconds", e.segment_seconds)


@handler("CreateOriginEndpoint")
def create_origin_endpoint(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    channel = store.channel(p["ChannelGroupName"], p["ChannelName"])
    again = replayed(store, "CreateOriginEndpoint", p, store.origin_endpoint)
    if again is None:
        name = p["OriginEndpointName"]
        if name in channel.endpoints:
            raise _exists("Origin endpoint", name, f"{channel.group}/{channel.name}")
        _manifests(p["ContainerType"], p)  # check before anything is made
        again = store.add_origin_endpoint(
            channel.group,
            channel.name,
            name,
            container_type=p["ContainerType"],
            tags=dict(p.get("Tags") or {}),
            startover_window_seconds=None,
        )
        _apply_endpoint(again, p)
        remember(store, "CreateOriginEndpoint", p, (channel.group, channel.name, name))
    egress = store.groups[channel.group].egress_domain
    return fit_output("CreateOriginEndpoint", endpoint_view(again, egress))


@handler("UpdateOriginEndpoint")
def update_origin_endpoint(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    e = store.origin_endpoint(*_endpoint_path(p))
    check_etag(p.get("ETag"), e.etag, f"Origin endpoint {e.name}")
    if p["ContainerType"] != e.container_type:
        raise validation(
            "CONTAINER_TYPE_IMMUTABLE",
            f"Origin endpoint {e.name} is {e.container_type}: its container type can't change.",
        )
    _apply_endpoint(e, p)
    e.touch(store.now())
    egress = store.groups[e.group].egress_domain
    return fit_output("UpdateOriginEndpoint", endpoint_view(e, egress))


@handler("DeleteOriginEndpoint")
def delete_origin_endpoint(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    path = _endpoint_path(p)
    if not _gone(store.origin_endpoint, *path):
        store.delete_origin_endpoint(*path)  # and its harvest jobs, whatever their status
    return {}


@handler("ResetOriginEndpointState")
def reset_origin_endpoint_state(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return _reset(store, p, store.origin_endpoint(*_endpoint_path(p)))


# -- policies ---------------------------------------------------------------------------


def _check_policy(text: str) -> str:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or "Statement" not in document:
        raise validation("INVALID_POLICY", "The policy is not a valid IAM policy document (JSON).")
    return text


def _no_policy(kind: str, name: str) -> ApiError:
    return not_found(kind, f"No policy is attached to {name}.")


@handler("PutChannelPolicy")
def put_channel_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    channel = store.channel(p["ChannelGroupName"], p["ChannelName"])
    channel.policy = _check_policy(p["Policy"])
    return {}


@handler("GetChannelPolicy")
def get_channel_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    channel = store.channel(p["ChannelGroupName"], p["ChannelName"])
    if channel.policy is None:
        raise _no_policy("CHANNEL", f"channel {channel.name}")
    return {
        "ChannelGroupName": channel.group,
        "ChannelName": channel.name,
        "Policy": channel.policy,
    }


@handler("DeleteChannelPolicy")
def delete_channel_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    if not _gone(store.channel, p["ChannelGroupName"], p["ChannelName"]):
        store.channel(p["ChannelGroupName"], p["ChannelName"]).policy = None
    return {}


@handler("PutOriginEndpointPolicy")
def put_origin_endpoint_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    e = store.origin_endpoint(*_endpoint_path(p))
    e.policy = _check_policy(p["Policy"])
    e.cdn_auth = p.get("CdnAuthConfiguration")
    return {}


@handler("GetOriginEndpointPolicy")
def get_origin_endpoint_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    e = store.origin_endpoint(*_endpoint_path(p))
    if e.policy is None:
        raise _no_policy("ORIGIN_ENDPOINT", f"origin endpoint {e.name}")
    found = {
        "ChannelGroupName": e.group,
        "ChannelName": e.channel,
        "OriginEndpointName": e.name,
        "Policy": e.policy,
        "CdnAuthConfiguration": e.cdn_auth,
    }
    return fit_output("GetOriginEndpointPolicy", {k: v for k, v in found.items() if v})


@handler("DeleteOriginEndpointPolicy")
def delete_origin_endpoint_policy(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    if not _gone(store.origin_endpoint, *_endpoint_path(p)):
        e = store.origin_endpoint(*_endpoint_path(p))
        e.policy = e.cdn_auth = None
    return {}


# -- tags -------------------------------------------------------------------------------


def _tagged(store: Store, arn: str) -> ChannelGroupRec | ChannelRec | EndpointRec | Any:
    if not arn.startswith("arn:aws:mediapackagev2:") or ":channelGroup/" not in arn:
        raise validation("INVALID_ARN", f"{arn} is not a MediaPackage v2 resource ARN.")
    return store.by_arn(arn)


@handler("ListTagsForResource")
def list_tags_for_resource(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    return {"Tags": dict(_tagged(store, p["ResourceArn"]).tags)}


@handler("TagResource")
def tag_resource(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    _tagged(store, p["ResourceArn"]).tags.update(p["Tags"])
    return {}


@handler("UntagResource")
def untag_resource(store: Store, p: dict[str, Any]) -> dict[str, Any]:
    tags = _tagged(store, p["ResourceArn"]).tags
    for key in p["TagKeys"]:
        tags.pop(key, None)
    return {}
