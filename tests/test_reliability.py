"""Issue 4: the app under every fault the sandbox can inject, and at startup.

Each test drives the real app with Pilot, through real boto3 and HTTP, against the
sandbox with faults switched on, and fails if the behaviour the issue asks for breaks:
throttling is retried and visible; slow calls never block keys nor overwrite a newer
view; denied, deleted and unreachable resources are explained and recoverable with r;
credential and config problems give an actionable message, never a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pilotkit import (
    FAST_RETRY,
    SHARED,
    child,
    make_app,
    open_path,
    own_worker,
    sandbox_profile,
    settle,
    wait_for,
    widget_text,
)
from textual.widgets.tree import TreeNode

from harvest_tui import service as service_module
from harvest_tui.config import ActiveProfile, Config, Profile, Settings, save_config
from harvest_tui.errors import ServiceError
from harvest_tui.sandbox import DEMO_NOW, FrozenClock, Sandbox
from harvest_tui.service import Connection, MediaPackageService
from harvest_tui.ui.calls import CallRetrying
from harvest_tui.ui.screens.help_screen import HelpScreen
from harvest_tui.ui.widgets import detail_pane
from harvest_tui.ui.widgets.tree_nodes import NodeData

# No polling: these tests count requests, and a poll would add its own.
QUIET = Settings(poll_interval_seconds=60, poll_max_interval_seconds=120, bell=False)
RETRY_NOTE = re.compile(r"⟳ retrying (\w+) \(attempt ([2-5])/5\)")
QUEUED_JOB = ("live-sports", "football-main", "cmaf-main", "cup-final-highlights")


# The sandbox's own answer, read with faults off: what the tree must end up showing.


def account_truth(sandbox: Sandbox) -> dict[tuple[str, ...], list[str]]:
    """Children names by path: () → groups, (g,) → channels, (g, c) → endpoints,
    (g, c, e) → jobs, each in the tree's order: by name; jobs newest first (by CreatedAt,
    then by name)."""
    client = sandbox.client()

    def items(operation: str, key: str, **params: Any) -> list[str]:
        pages = client.get_paginator(operation).paginate(**params)
        found = sorted(
            (item for page in pages for item in page.get("Items", [])), key=lambda i: i[key]
        )
        if operation == "list_harvest_jobs":
            found.sort(key=lambda i: i["CreatedAt"], reverse=True)
        return [item[key] for item in found]

    truth: dict[tuple[str, ...], list[str]] = {}
    truth[()] = items("list_channel_groups", "ChannelGroupName")
    for g in truth[()]:
        truth[(g,)] = items("list_channels", "ChannelName", ChannelGroupName=g)
        for c in truth[(g,)]:
            truth[(g, c)] = items(
                "list_origin_endpoints", "OriginEndpointName", ChannelGroupName=g, ChannelName=c
            )
            for e in truth[(g, c)]:
                truth[(g, c, e)] = items(
                    "list_harvest_jobs",
                    "HarvestJobName",
                    ChannelGroupName=g,
                    ChannelName=c,
                    OriginEndpointName=e,
                )
    return truth


def shown_names(node: TreeNode[NodeData]) -> list[str]:
    return [c.data.name for c in node.children if c.data is not None]


def error_nodes(node: TreeNode[NodeData]) -> list[TreeNode[NodeData]]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        for c in current.children:
            if c.data is not None and c.data.kind == "error":
                found.append(c)
            stack.append(c)
    return found


def requests_for(sandbox: Sandbox, operation: str, **params: str) -> int:
    return sum(
        1
        for op, p in list(sandbox.requests)
        if op == operation and all(p.get(k) == v for k, v in params.items())
    )


class TestThrottling:
    @pytest.mark.parametrize("through_worker", [False, True], ids=["in-process", "worker"])
    async def test_every_node_loads_through_retries_shown_in_the_header(
        self, sandbox: Sandbox, through_worker: bool
    ) -> None:
        truth = account_truth(sandbox)
        sandbox.faults.throttle_rate = 0.3
        retries: list[CallRetrying] = []
        activity: list[str] = []

        def hook(message: Any) -> None:
            if isinstance(message, CallRetrying):
                retries.append(message)

        app = make_app(sandbox, settings=QUIET, worker=SHARED if through_worker else None)
        async with app.run_test(size=(160, 50), message_hook=hook) as pilot:
            app.watch(
                app.explorer.header, "activity", lambda value: activity.append(value), init=False
            )
            tree = app.explorer.resource_tree
            await settle(pilot, timeout=40)
            # Expand every level at once (without moving the cursor: no Get calls), so
            # dozens of list calls race through a throttling endpoint.
            for depth in range(3):
                exhausted = 0
                for _ in range(3):
                    await settle(pilot, timeout=40)
                    failed = [n for n in error_nodes(tree.root) if n.parent is not None]
                    if not failed:
                        break
                    # A call throttled 5 times in a row (0.3^5 ≈ 0.2 %) gives up with a
                    # clear error; r on it retries. It must be rare, or retries are off.
                    for node in failed:
                        error = node.data.error
                        assert error.code == "ThrottlingException", error
                        assert "after 5 attempts" in error.message
                        assert "press r" in error.hint
                        exhausted += 1
                        tree.move_cursor(node)
                        await pilot.press("r")
                assert exhausted <= 2, f"{exhausted} calls gave up: are retries on?"
                level = [tree.root]
                for _ in range(depth):
                    level = [c for n in level for c in n.children]
                for node in level:
                    for c in node.children:
                        if c.data is not None and c.data.kind != "error":
                            c.expand()
            await settle(pilot, timeout=40)
            sandbox.faults.throttle_rate = 0.0
            # Every level equals the sandbox's truth exactly: nothing lost, nothing twice.
            assert shown_names(tree.root) == truth[()]
            for g in truth[()]:
                gnode = child(tree.root, g)
                assert shown_names(gnode) == truth[(g,)], g
                for c in truth[(g,)]:
                    cnode = child(gnode, c)
                    assert shown_names(cnode) == truth[(g, c)], (g, c)
                    for e in truth[(g, c)]:
                        enode = child(cnode, e)
                        assert shown_names(enode) == truth[(g, c, e)], (g, c, e)
                        assert enode.data.counts.total == len(truth[(g, c, e)])
        # The retries happened, were reported, and the header said so.
        assert retries, "no CallRetrying message: retries are invisible"
        assert all(2 <= m.attempt <= 5 and m.max_attempts == 5 for m in retries)
        shown = [a for a in activity if RETRY_NOTE.search(a)]
        assert shown, f"the header never showed a retry: {activity[:10]}"
        assert all(RETRY_NOTE.search(a)[1].startswith(("List", "Get")) for a in shown)


def unique(messages: list[Any]) -> list[Any]:
    """Each message once: a message hook sees a bubbling message at every level."""
    seen: set[int] = set()
    return [m for m in messages if not (id(m) in seen or seen.add(id(m)))]  # type: ignore[func-returns-value]


class TestLatency:
    async def test_keys_answer_at_once_and_stale_answers_never_overwrite(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        app = make_app(sandbox, settings=QUIET)
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot)
            names = shown_names(app.explorer.resource_tree.root)
            assert names == ["events-popup", "live-sports", "news-24x7"]
            assert app.explorer.resource_tree.cursor_node.data.name == "events-popup"
            sandbox.reset_requests()
            shown: list[str] = []
            real_show = app.explorer.detail.show

            def recording_show(resource: Any, **kw: Any) -> None:
                shown.append(resource.name)
                real_show(resource, **kw)

            app.explorer.detail.show = recording_show  # type: ignore[method-assign]

            # Quick moves while no call is answered (the sandbox holds them): each key moves
            # the cursor (a blocked UI could not), and only where the cursor rests is
            # fetched. Quick: within a debounce made long enough for a loaded machine.
            monkeypatch.setattr(detail_pane, "DETAIL_DEBOUNCE", 1.5)
            sandbox.faults.hold()
            await pilot.press("down", "down", "up")
            assert app.explorer.resource_tree.cursor_node.data.name == "live-sports"
            assert not sandbox.request_counts.get("GetChannelGroup")  # nothing asked yet
            rested = len(shown)
            await wait_for(
                pilot,
                lambda: requests_for(sandbox, "GetChannelGroup", ChannelGroupName="live-sports"),
            )
            # A call is in flight (held): help opens while it is, and closes.
            await wait_for(pilot, lambda: app.explorer.calls_in_flight >= 1)
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert app.explorer.calls_in_flight >= 1
            await pilot.press("escape")
            assert not isinstance(app.screen, HelpScreen)
            sandbox.faults.release()
            await settle(pilot)
            assert requests_for(sandbox, "GetChannelGroup", ChannelGroupName="live-sports") == 1
            # Whatever was asked on the way, only the node the cursor rests on was shown.
            assert shown[rested:] and set(shown[rested:]) == {"live-sports"}, shown
            assert "Last refreshed" in widget_text(app, "#detail-freshness")
            monkeypatch.undo()

            sandbox.faults.latency_ms = 3000
            # A then B, both slow: A's answer arrives while B is shown and is dropped.
            sandbox.reset_requests()
            await pilot.press("up")  # A: events-popup
            await wait_for(pilot, lambda: sandbox.request_counts["GetChannelGroup"] == 1)
            shown.clear()
            await pilot.press("down")  # B: live-sports
            await settle(pilot)
            assert sandbox.request_counts["GetChannelGroup"] == 2  # A was asked, and answered
            assert shown and set(shown) == {"live-sports"}, shown
            assert app.explorer.detail.resource.name == "live-sports"
            assert "live-sports" in widget_text(app, "#detail-title")

            # A slow, B fast: A's stale answer arrives last and still must not win.
            sandbox.reset_requests()
            await pilot.press("up")  # A
            await wait_for(pilot, lambda: sandbox.request_counts["GetChannelGroup"] == 1)
            sandbox.faults.latency_ms = 0
            await pilot.press("down")  # B, answered at once
            await wait_for(pilot, lambda: app.explorer.detail.fetched_at is not None)
            assert app.explorer.detail.resource.name == "live-sports"
            await settle(pilot)  # A's answer (3 s) has arrived and been dropped
            assert sandbox.request_counts["GetChannelGroup"] == 2
            assert app.explorer.detail.resource.name == "live-sports"
            assert "live-sports" in widget_text(app, "#detail-title")
            egress = sandbox.client().get_channel_group(ChannelGroupName="live-sports")
            assert egress["EgressDomain"] in widget_text(app, "#detail-fields")


class TestDeniedGroup:
    async def test_error_node_names_code_message_request_id_profile_and_region(
        self, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        aws_config = tmp_path / "aws-config"
        aws_config.write_text("[profile media-ops]\nregion = us-east-1\n")
        monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_config))
        truth = account_truth(sandbox)
        sandbox.reset_requests()
        sandbox.faults.deny_groups = {"news-24x7"}
        active = sandbox_profile(sandbox, name="ops", aws_profile="media-ops")
        with own_worker() as worker:  # it reads the AWS config file the test wrote
            app = make_app(sandbox, active=active, settings=QUIET, worker=worker)
            await self.check(app, sandbox, truth)

    async def check(self, app: Any, sandbox: Sandbox, truth: Any) -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            group = await open_path(pilot, "news-24x7")
            assert len(group.children) == 1
            node = group.children[0]
            error = node.data.error
            assert error.code == "AccessDeniedException" and error.request_id
            label = str(node.label)
            assert "AccessDeniedException" in label
            assert "not authorized to perform: mediapackagev2:ListChannels" in label
            assert "lack permission" in label and "r to retry" in label
            # The error node, highlighted: everything about it in the detail pane.
            app.explorer.resource_tree.move_cursor(node)
            await settle(pilot)
            panel = " ".join(widget_text(app, "#detail-error").split())
            for expected in (
                "Could not load the channels of channel group news-24x7",
                "Error: AccessDeniedException",
                "mediapackagev2:ListChannels",
                f"Request id: {error.request_id}",
                "Operation: ListChannels",
                "HTTP status: 403",
                "Profile: media-ops",
                "Region: us-east-1",
                "What to do: the credentials in use lack permission",
                "Press r to retry",
            ):
                assert expected in panel, expected
            # Shown once, not re-requested in a loop (over the next ticks of the watcher).
            watcher = app.explorer.watcher
            ticks = watcher.ticks
            await wait_for(pilot, lambda: watcher.ticks >= ticks + 2)
            assert requests_for(sandbox, "ListChannels", ChannelGroupName="news-24x7") == 1
            # Every other group works.
            for g in ("events-popup", "live-sports"):
                gnode = await open_path(pilot, g)
                assert shown_names(gnode) == truth[(g,)]
            assert app.is_running


class TestDeletedJob:
    async def test_detail_says_gone_and_refresh_drops_it(self, sandbox: Sandbox) -> None:
        app = make_app(sandbox, settings=QUIET)
        async with app.run_test(size=(160, 50)) as pilot:
            channel = await open_path(pilot, "live-sports", "motorsport")
            cmaf, hls = child(channel, "cmaf-main"), child(channel, "hls-ts")
            cmaf.expand()
            hls.expand()
            await settle(pilot)
            finished = [
                c for c in hls.children if c.data.resource.finished and c.data.kind == "job"
            ]
            other = finished[0].data.name
            before = len(cmaf.children)
            sandbox.store.delete_harvest_job(
                "live-sports", "motorsport", "cmaf-main", "grand-prix-replay"
            )
            sandbox.store.delete_harvest_job("live-sports", "motorsport", "hls-ts", other)
            # Highlighting the listed-but-deleted job: the pane says it no longer exists.
            app.explorer.resource_tree.move_cursor(child(cmaf, "grand-prix-replay"))
            await settle(pilot)
            banner = " ".join(widget_text(app, "#detail-error").split())
            assert "This resource no longer exists" in banner
            assert "press r on its parent" in banner
            assert "ResourceNotFoundException" in banner
            assert app.is_running
            # r on the endpoint drops it from the tree, and the counts follow.
            app.explorer.resource_tree.move_cursor(cmaf)
            await pilot.press("r")
            await settle(pilot)
            assert "grand-prix-replay" not in shown_names(cmaf)
            assert len(cmaf.children) == before - 1
            assert cmaf.data.counts.total == before - 1
            # r on the channel refreshes its expanded endpoints too.
            assert other in shown_names(hls)
            app.explorer.resource_tree.move_cursor(channel)
            await pilot.press("r")
            await settle(pilot)
            assert other not in shown_names(hls)
            truth = account_truth(sandbox)
            assert shown_names(hls) == truth[("live-sports", "motorsport", "hls-ts")]

    async def test_a_watched_job_deleted_meanwhile_is_reported_and_no_longer_polled(
        self, sandbox: Sandbox
    ) -> None:
        polling = Settings(poll_interval_seconds=0.2, poll_max_interval_seconds=0.4, bell=False)
        app = make_app(sandbox, settings=polling)
        async with app.run_test(size=(160, 50)) as pilot:
            node = await open_path(pilot, *QUEUED_JOB)
            assert str(node.data.resource.status) == "QUEUED"
            assert "no longer exists" not in widget_text(app, "#detail-error")
            sandbox.store.delete_harvest_job(*QUEUED_JOB)
            # No key pressed: the poll finds it gone and the pane says so.
            await wait_for(
                pilot, lambda: "no longer exists" in widget_text(app, "#detail-error"), timeout=5
            )
            asked = requests_for(sandbox, "GetHarvestJob", HarvestJobName=QUEUED_JOB[3])
            watcher = app.explorer.watcher
            ticks = watcher.ticks
            await wait_for(pilot, lambda: watcher.ticks >= ticks + 3)  # past its 0.4 s interval
            assert requests_for(sandbox, "GetHarvestJob", HarvestJobName=QUEUED_JOB[3]) == asked


async def select_error_node(pilot: Any) -> TreeNode[NodeData]:
    """Put the cursor on the (first) error node, as a user would before pressing r."""
    for node in error_nodes(pilot.app.explorer.resource_tree.root):
        pilot.app.explorer.resource_tree.move_cursor(node)
        await settle(pilot)
        return node
    raise AssertionError("no error node")


class TestUnreachable:
    async def test_stopped_endpoint_is_explained_and_r_recovers_when_it_returns(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        first = Sandbox(seed=7, clock=FrozenClock(DEMO_NOW)).start()
        url, port = first.endpoint_url, _port(first)
        truth = account_truth(first)
        app = make_app(first, settings=QUIET)
        second = None
        try:
            async with app.run_test(size=(160, 50)) as pilot:
                await settle(pilot)
                first.stop()
                group = child(app.explorer.resource_tree.root, "live-sports")
                app.explorer.resource_tree.move_cursor(group)
                await pilot.press("enter")
                await settle(pilot, timeout=40)  # standard retries back off: up to ~15 s
                node = await select_error_node(pilot)
                assert node.parent is group
                error = node.data.error
                assert error.code in ("EndpointUnreachable", "ConnectionLost")
                assert "press r to retry" in error.hint
                assert "press r to retry" in str(node.label)
                panel = " ".join(widget_text(app, "#detail-error").split())
                assert url in panel
                assert "Press r to retry" in panel
                assert app.is_running
                # The endpoint comes back on the same port: r loads what failed.
                second = Sandbox(seed=7, clock=FrozenClock(DEMO_NOW), port=port).start()
                await pilot.press("r")
                await settle(pilot, timeout=20)
                assert shown_names(group) == truth[("live-sports",)]
                assert second.request_counts["ListChannels"] >= 1
        finally:
            first.stop()
            if second is not None:
                second.stop()

    async def test_dropped_connections_are_explained_and_r_recovers(self, sandbox: Sandbox) -> None:
        truth = account_truth(sandbox)
        retries: list[CallRetrying] = []
        app = make_app(sandbox, settings=QUIET)

        def hook(message: Any) -> None:
            if isinstance(message, CallRetrying):
                retries.append(message)

        async with app.run_test(size=(160, 50), message_hook=hook) as pilot:
            await settle(pilot)
            sandbox.faults.drop_rate = 1.0
            sandbox.reset_requests()
            # Not the group under the cursor: its channels were prefetched as it rested.
            group = child(app.explorer.resource_tree.root, "live-sports")
            group.expand()  # without moving the cursor: only the list call
            await settle(pilot, timeout=40)
            node = await select_error_node(pilot)
            assert node.data.error.code == "ConnectionLost"
            assert "press r to retry" in str(node.label)
            # Every attempt was made and shown before giving up.
            assert sandbox.request_counts["ListChannels"] == 5
            # Each retry is reported as it happens (a flood may collapse into the latest).
            attempts = [m.attempt for m in unique(retries) if m.operation == "ListChannels"]
            assert attempts == sorted(attempts) and attempts[-1] == 5
            assert set(attempts) <= {2, 3, 4, 5}
            sandbox.faults.drop_rate = 0.0
            await pilot.press("r")
            await settle(pilot)
            assert shown_names(group) == truth[("live-sports",)]


def _port(sandbox: Sandbox) -> int:
    return int(sandbox.endpoint_url.rsplit(":", 1)[1])


# Startup problems: credentials, region, profile and config, without any network.

SSO_START_URL = "https://example-corp.awsapps.com/start"
AWS_CONFIG = f"""\
[profile sso-legacy]
sso_start_url = {SSO_START_URL}
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = MediaReadOnly
region = us-east-1

[profile sso-new]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = MediaReadOnly
region = us-east-1

[sso-session corp]
sso_start_url = {SSO_START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile no-region]
output = json

[profile no-creds]
region = us-east-1
"""


@pytest.fixture
def aws_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME and AWS config with SSO profiles and no credentials anywhere."""
    home = tmp_path / "home"
    (home / ".aws" / "sso" / "cache").mkdir(parents=True)
    (home / ".aws" / "config").write_text(AWS_CONFIG)
    monkeypatch.setenv("HOME", str(home))
    # botocore reads HOME for its SSO token cache once, when it is imported.
    from botocore.credentials import SSOProvider
    from botocore.tokens import SSOTokenProvider

    for provider in (SSOProvider, SSOTokenProvider):
        cache = str(home / ".aws" / "sso" / "cache")
        monkeypatch.setattr(provider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / ".aws" / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / ".aws" / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in (
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(service_module, "_CLIENTS", {})
    return home


def expire_sso_tokens(home: Path) -> None:
    """Cached SSO tokens that expired in 2020, as `aws sso login` leaves them behind."""
    import hashlib

    for key in (SSO_START_URL, "corp"):
        name = hashlib.sha1(key.encode()).hexdigest() + ".json"
        token = {
            "accessToken": "expired-token",
            "expiresAt": "2020-01-01T00:00:00Z",
            "startUrl": SSO_START_URL,
            "region": "us-east-1",
        }
        (home / ".aws" / "sso" / "cache" / name).write_text(json.dumps(token))


# (case, AWS profile, region, code, words the hint must contain)
STARTUP_CASES = [
    (
        "sso-missing",
        "sso-legacy",
        None,
        "SSOTokenMissing",
        "run aws sso login --profile sso-legacy",
    ),
    (
        "sso-expired",
        "sso-legacy",
        None,
        "SSOTokenExpired",
        "run aws sso login --profile sso-legacy",
    ),
    (
        "sso-session-missing",
        "sso-new",
        None,
        "SSOTokenMissing",
        "run aws sso login --profile sso-new",
    ),
    (
        "sso-session-expired",
        "sso-new",
        None,
        "SSOTokenExpired",
        "run aws sso login --profile sso-new",
    ),
    ("no-credentials", "no-creds", None, "NoCredentials", "AWS_PROFILE=NAME or --profile NAME"),
    ("no-credentials-sso", "no-creds", None, "NoCredentials", "aws sso login --profile NAME"),
    ("no-credentials-default", None, "us-east-1", "NoCredentials", "--sandbox"),
    ("no-region", "no-region", None, "NoRegion", "pass --region"),
    (
        "unknown-profile",
        "media-prod",
        "us-east-1",
        "ProfileNotFound",
        "aws configure list-profiles",
    ),
    ("bad-aws-config", None, "us-east-1", "InvalidAWSConfig", "fix the syntax of"),
]


def arrange(case: str, home: Path) -> None:
    if "expired" in case:
        expire_sso_tokens(home)
    if case == "bad-aws-config":
        (home / ".aws" / "config").write_text("[profile broken\nregion = us-east-1\n")


class TestStartupProblems:
    @pytest.mark.parametrize(
        ("case", "profile", "region", "code", "hint"),
        STARTUP_CASES,
        ids=[c[0] for c in STARTUP_CASES],
    )
    def test_service_translates_each_to_an_actionable_error(
        self,
        aws_home: Path,
        case: str,
        profile: str | None,
        region: str | None,
        code: str,
        hint: str,
    ) -> None:
        arrange(case, aws_home)
        service = MediaPackageService(Connection(profile=profile, region=region))
        with pytest.raises(ServiceError) as caught:
            service.list_channel_groups()
        error = caught.value
        assert error.code == code
        assert hint in error.hint
        assert error.profile == profile
        assert not error.retryable
        assert "Traceback" not in str(error)

    @pytest.mark.parametrize(
        "case",
        [
            "sso-missing",
            "sso-session-expired",
            "no-credentials",
            "no-credentials-sso",
            "no-region",
            "unknown-profile",
            "bad-aws-config",
        ],
    )
    async def test_the_app_shows_it_on_the_root_error_node(self, aws_home: Path, case: str) -> None:
        from harvest_tui.ui.builder import build_app

        _, profile, region, code, hint = next(c for c in STARTUP_CASES if c[0] == case)
        arrange(case, aws_home)
        active = ActiveProfile(
            name=profile or "default",
            aws_profile=profile,
            regions=(region,) if region else (),
            source="tests",
        )
        with own_worker() as worker:  # it sees the AWS files the test arranged
            app = build_app(active, worker=worker, settings=QUIET, retry=FAST_RETRY)
            await self.check_startup_error(app, code, hint, profile)

    async def check_startup_error(
        self, app: Any, code: str, hint: str, profile: str | None
    ) -> None:
        async with app.run_test(size=(160, 50)) as pilot:
            await settle(pilot, timeout=20)
            roots = app.explorer.resource_tree.root.children
            assert len(roots) == 1 and roots[0].data.kind == "error"
            label = str(roots[0].label)
            assert code in label and "→" in label  # the hint starts there; the pane has it all
            # Selected at once, so the detail pane explains it without a key press.
            assert app.explorer.resource_tree.cursor_node is roots[0]
            panel = " ".join(widget_text(app, "#detail-error").split())
            assert "What to do: " in panel and hint in panel.partition("What to do: ")[2]
            assert f"Profile: {profile or '(default chain)'}" in panel
            assert "Traceback" not in panel and "Traceback" not in label
            assert not [n for n in app._notifications if n.title == "Unexpected error"]
            assert app.is_running


class TestBadConfigFile:
    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ('default_profile = "prod\n', "is not valid TOML"),
            (
                "[settings]\npoll_interval_seconds = -1\n",
                "poll_interval_seconds must be more than 0",
            ),
            ('[profiles.prod]\nregions = ["mars-north-1"]\n', "is not an AWS region"),
            ('[profiles.prod]\naws_secret_access_key = "x"\n', "looks like a secret"),
        ],
        ids=["syntax", "value", "region", "secret"],
    )
    def test_cli_exits_2_with_a_paragraph_and_no_traceback(
        self, tmp_path: Path, text: str, words: str
    ) -> None:
        path = tmp_path / "config.toml"
        path.write_text(text)
        env = {**os.environ, "HOME": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "harvest_tui.cli", "--config", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 2
        assert "Traceback" not in result.stderr + result.stdout
        assert words in result.stderr
        assert str(path) in result.stderr
        assert result.stderr.startswith("harvest-tui: Config file")


# No secrets, no surprises: what the app writes.


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from harvest_tui import debug_log

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield tmp_path / "state"
    debug_log.setup(False)


class TestNoSecrets:
    def test_debug_log_is_off_by_default(self, log_dir: Path) -> None:
        from harvest_tui import debug_log

        assert Settings().debug_log is False
        assert debug_log.setup(Settings().debug_log) is None
        service_logger = logging.getLogger("harvest_tui.service")
        assert not service_logger.isEnabledFor(logging.DEBUG)
        assert not log_dir.exists()

    def test_debug_log_is_private_and_holds_no_credentials(
        self, log_dir: Path, sandbox: Sandbox
    ) -> None:
        from platformdirs import user_log_dir

        from harvest_tui import debug_log

        path = debug_log.setup(True)
        assert path is not None and path.parent == Path(user_log_dir("harvest-tui"))
        assert log_dir in path.parents
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        key, secret = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        sandbox.faults.deny_groups = {"news-24x7"}
        service = MediaPackageService(
            Connection(
                region="us-east-1",
                endpoint_url=sandbox.endpoint_url,
                static_credentials=(key, secret),
            )
        )
        assert service.list_channel_groups()[0].name == "events-popup"
        with pytest.raises(ServiceError) as denied:
            service.list_channels("news-24x7")
        # Whatever a careless caller might log is scrubbed on the way to the file.
        logger = logging.getLogger("harvest_tui.ui")
        logger.debug("creds %s %s aws_secret_access_key=%s", key, service.connection, secret)
        logger.debug(
            "headers {'Authorization': 'AWS4-HMAC-SHA256 Credential=%s/20261102/us-east-1/"
            "mediapackagev2/aws4_request, SignedHeaders=host, Signature=0abc'}, "
            "'X-Amz-Security-Token': 'IQoJb3JpZ2luX2VjEFAKE', SessionToken=FwoGZXIvFAKE",
            "ASIAQWERTYUIOPASDFGH",
        )
        for handler in logging.getLogger("harvest_tui").handlers:
            handler.flush()
        text = path.read_text()
        assert "ListChannelGroups ok" in text
        assert "ListChannels failed" in text and "AccessDeniedException" in text
        assert denied.value.request_id in text
        for secret_text in (
            key,
            secret,
            "ASIAQWERTYUIOPASDFGH",
            "IQoJb3JpZ2luX2VjEFAKE",
            "FwoGZXIvFAKE",
            "Signature=0abc",
        ):
            assert secret_text not in text, secret_text
        assert "[REDACTED]" in text

    def test_config_file_is_user_only_and_credential_free(self, tmp_path: Path) -> None:
        path = tmp_path / "cfg" / "config.toml"
        config = Config(
            path=path,
            default_profile="prod",
            profiles={"prod": Profile("prod", aws_profile="media-prod", regions=("us-east-1",))},
        )
        save_config(config, path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        text = path.read_text().lower()
        assert "media-prod" in text
        for word in ("secret", "token", "access_key", "password"):
            assert word not in text
