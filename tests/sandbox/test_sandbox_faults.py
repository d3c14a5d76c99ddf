"""Fault injection over the wire, switched on and off at run time; the request log."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError
from pilotkit import wait_until
from sandbox_helpers import JOB, boto3_client, create_args, error_of

from harvest_tui.sandbox import Faults, FrozenClock, Sandbox


def test_latency_is_added_to_every_response(sandbox: Sandbox, mp) -> None:
    mp.list_channel_groups()  # warm the connection
    sandbox.faults.latency_ms = 150
    started = time.monotonic()
    error_of(mp.get_channel_group, ChannelGroupName="nope")
    mp.list_channel_groups()
    assert time.monotonic() - started >= 0.3


def test_latency_delays_the_answer_not_the_work(sandbox: Sandbox, mp) -> None:
    """The latency is the whole call's, as a real round trip: the request takes effect as
    it comes in, and only its answer waits out the latency."""
    import threading

    from harvest_tui.sandbox.records import ACCOUNT_ID

    mp.list_channel_groups()  # warm the connection
    sandbox.faults.latency_ms = 3000
    answers: list[object] = []
    args = create_args(HarvestJobName="made-at-once")
    call = threading.Thread(target=lambda: answers.append(mp.create_harvest_job(**args)))
    call.start()
    store = sandbox.store_for(ACCOUNT_ID, "us-east-1")
    endpoint = store.origin_endpoint(*JOB)
    # Long before the 3 s are out (made after the wait, it would appear only then).
    wait_until(lambda: "made-at-once" in endpoint.jobs, timeout=2)
    assert call.is_alive() and answers == []
    call.join(timeout=30)
    assert len(answers) == 1


def test_a_hold_keeps_requests_unanswered_until_released(sandbox: Sandbox, mp) -> None:
    import threading

    mp.list_channel_groups()  # warm the connection
    sandbox.faults.hold()
    answers: list[object] = []
    call = threading.Thread(target=lambda: answers.append(mp.list_channel_groups()))
    call.start()
    call.join(timeout=0.5)
    assert call.is_alive() and not answers  # counted, but held
    assert sandbox.request_counts["ListChannelGroups"] == 2
    sandbox.faults.release()
    call.join(timeout=30)
    assert answers and answers[0]["Items"]  # type: ignore[index]


def test_throttling(sandbox: Sandbox, mp) -> None:
    sandbox.faults.throttle_rate = 1.0
    response = error_of(mp.list_channel_groups)
    assert response["Error"]["Code"] == "ThrottlingException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert response["ResponseMetadata"]["RequestId"]
    sandbox.faults.clear()
    assert mp.list_channel_groups()["Items"]


def test_internal_errors(sandbox: Sandbox, mp) -> None:
    sandbox.faults.error_rate = 1.0
    response = error_of(mp.get_channel_group, ChannelGroupName="live-sports")
    assert response["Error"]["Code"] == "InternalServerException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_denied_group(sandbox: Sandbox, mp) -> None:
    sandbox.faults.deny_groups.add("news-24x7")
    names = [g["ChannelGroupName"] for g in mp.list_channel_groups()["Items"]]
    assert "news-24x7" in names
    arn = "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/news-24x7/channel/news-main"
    for call, kwargs in [
        (mp.get_channel_group, {"ChannelGroupName": "news-24x7"}),
        (mp.list_channels, {"ChannelGroupName": "news-24x7"}),
        (mp.list_harvest_jobs, {"ChannelGroupName": "news-24x7"}),
        (mp.create_harvest_job, create_args(ChannelGroupName="news-24x7", ChannelName="news-main")),
        (mp.list_tags_for_resource, {"ResourceArn": arn}),
    ]:
        response = error_of(call, **kwargs)
        assert response["Error"]["Code"] == "AccessDeniedException"
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert "news-24x7" in response["Error"]["Message"]
    assert mp.get_channel_group(ChannelGroupName="live-sports")["ChannelGroupName"]


def test_dropped_connections(sandbox: Sandbox, mp) -> None:
    sandbox.faults.drop_rate = 1.0
    with pytest.raises(ConnectionClosedError):
        mp.list_channel_groups()
    sandbox.faults.drop_rate = 0.0
    assert mp.list_channel_groups()["Items"]


def outcomes(seed: int, n: int = 30) -> list[str]:
    faults = Faults(throttle_rate=0.3, error_rate=0.2, seed=seed)
    with Sandbox(seed=seed, clock=FrozenClock(), faults=faults) as running:
        mp = boto3_client(running)
        result = []
        for _ in range(n):
            try:
                mp.list_channel_groups()
                result.append("ok")
            except ClientError as exc:
                result.append(exc.response["Error"]["Code"])
        return result


def test_faults_are_reproducible_for_a_seed() -> None:
    first = outcomes(11)
    assert first == outcomes(11)
    assert {"ok", "ThrottlingException", "InternalServerException"} <= set(first)
    assert first != outcomes(12)


def test_standard_retries_get_through_throttling(sandbox: Sandbox) -> None:
    sandbox.faults.throttle_rate = 1.0
    mp = boto3_client(sandbox, retries={"mode": "standard", "total_max_attempts": 3})

    def recover(**_: object) -> None:
        sandbox.faults.throttle_rate = 0.0  # the retry gets through

    mp.meta.events.register("response-received.mediapackagev2.ListChannelGroups", recover)
    response = mp.list_channel_groups()
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert sandbox.request_counts["ListChannelGroups"] == 2


def test_bad_fault_values() -> None:
    with pytest.raises(ValueError, match="throttle_rate"):
        Faults(throttle_rate=1.5)
    with pytest.raises(ValueError, match="latency_ms"):
        Faults(latency_ms=-1)


def test_request_log(sandbox: Sandbox, mp) -> None:
    mp.list_channel_groups()
    mp.list_channel_groups(MaxResults=2)
    mp.get_channel(ChannelGroupName=JOB[0], ChannelName=JOB[1])
    error_of(mp.get_channel_group, ChannelGroupName="nope")
    assert sandbox.request_counts == {"ListChannelGroups": 2, "GetChannel": 1, "GetChannelGroup": 1}
    assert sandbox.requests[1] == ("ListChannelGroups", {"MaxResults": 2})
    assert sandbox.requests[2] == (
        "GetChannel",
        {"ChannelGroupName": JOB[0], "ChannelName": JOB[1]},
    )
    sandbox.reset_requests()
    assert sandbox.request_counts == {} and sandbox.requests == []


def test_denied_account(sandbox: Sandbox) -> None:
    """Every call of a denied account is refused; other accounts are served."""
    denied = sandbox.client(access_key="AKIDDENIED222233334444")
    sandbox.faults.deny_accounts.add("222233334444")
    response = error_of(denied.list_channel_groups)
    assert response["Error"]["Code"] == "AccessDeniedException"
    message = response["Error"]["Message"]
    assert "arn:aws:iam::222233334444:" in message
    assert message.endswith("channelGroup/* with an explicit deny in an identity-based policy")
    other = sandbox.client(access_key="AKIDOTHER555566667777")
    assert other.list_channel_groups()["Items"]


def test_every_region_holds_what_us_east_1_does() -> None:
    with Sandbox(seed=7, clock=FrozenClock(), every_region=True) as sandbox:
        home = sandbox.store_for("222233334444", "us-east-1")
        far = sandbox.store_for("222233334444", "ap-south-1")
        assert sorted(far.groups) == sorted(home.groups) != []
        assert len(list(far.all_jobs())) == len(list(home.all_jobs()))
        assert all(":ap-south-1:" in job.arn for job in far.all_jobs())


def test_the_banner_names_the_faults_switched_on() -> None:
    assert Faults().describe() == ""
    faults = Faults(
        latency_ms=800,
        throttle_rate=0.5,
        drop_rate=0.05,
        deny_groups={"news-24x7"},
        deny_accounts={"999999999999"},
    )
    assert faults.describe() == (
        "latency 800 ms, throttle 50 %, dropped connections 5 %, deny group news-24x7, "
        "deny account 999999999999"
    )
