"""explain.py: failure messages in plain words, and the bucket policy it writes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from harvest_tui.config_checks import Reader
from harvest_tui.explain import arn_parts, bucket_policy, explain, explain_job
from harvest_tui.models import (
    Destination,
    HarvestedManifests,
    HarvestJob,
    JobStatus,
    Schedule,
)
from harvest_tui.profiles import ConfigError
from harvest_tui.sandbox import DEMO_NOW
from harvest_tui.sandbox.store import bucket_failure

JOB_ARN = (
    "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/news/channel/main/"
    "originEndpoint/cmaf/harvestJob/bulletin"
)
GROUP_ARN = "arn:aws:mediapackagev2:us-east-1:111122223333:channelGroup/news"


def failed_job(message: str, bucket: str = "acme-archive") -> HarvestJob:
    return HarvestJob(
        group_name="news",
        channel_name="main",
        endpoint_name="cmaf",
        name="bulletin",
        arn=JOB_ARN,
        status=JobStatus.FAILED,
        destination=Destination(bucket, "news/main/bulletin/"),
        manifests=HarvestedManifests(("index",)),
        schedule=Schedule(DEMO_NOW - timedelta(hours=2), DEMO_NOW - timedelta(hours=1)),
        created_at=DEMO_NOW,
        modified_at=DEMO_NOW,
        error_message=message,
    )


class TestKinds:
    @pytest.mark.parametrize(
        ("message", "kind"),
        [
            (bucket_failure("acme-denied", "us-east-1"), "s3-access-denied"),
            (bucket_failure("acme-missing", "us-east-1"), "bucket-missing"),
            (
                "The S3 bucket 'acme-eu' is in eu-west-1, but harvest jobs can only write to "
                "buckets in the channel's region (us-east-1).",
                "bucket-region",
            ),
            (
                "ScheduleConfiguration.StartTime is outside the origin endpoint's startover "
                "window (3600 seconds): that content is no longer available.",
                "outside-startover",
            ),
            ("The origin endpoint cmaf was deleted while the job ran.", "endpoint-deleted"),
            (
                "The harvest window (EndTime - StartTime) must not be longer than 24 hours.",
                "window-too-long",
            ),
            ("ScheduleConfiguration.StartTime must not be in the future", "start-in-future"),
            ("Something nobody has seen before [/] \x1b[2J", "unknown"),
        ],
    )
    def test_each_cause_is_recognised(self, message: str, kind: str) -> None:
        why = explain(message, bucket="acme-archive", arn=JOB_ARN)
        assert why.kind == kind
        assert why.summary and (why.advice or kind == "unknown")

    def test_unknown_messages_are_returned_as_they_are(self) -> None:
        why = explain("odd failure [b]x[/b]")
        assert not why.known and why.summary == "odd failure [b]x[/b]" and why.policy is None

    def test_api_codes(self) -> None:
        assert explain("x", code="ServiceQuotaExceededException").kind == "quota"
        assert explain("exists", code="ConflictException").field == "name"
        taken = explain("exists", code="ConflictException", subtype="RESOURCE_ALREADY_EXISTS")
        assert taken.kind == "name-taken" and taken.field == "name"
        for other in ("CONFLICTING_OPERATION", "IDEMPOTENT_PARAMETER_MISMATCH", "RESOURCE_IN_USE"):
            assert explain("busy", code="ConflictException", subtype=other).kind == "unknown"
        assert explain("gone", code="ResourceNotFoundException").kind == "endpoint-deleted"

    def test_a_job_without_a_message_has_no_explanation(self) -> None:
        assert explain_job(replace(failed_job("x"), error_message=None)) is None


class TestPolicy:
    def test_denied_writes_come_with_a_policy_for_the_bucket_and_path(self) -> None:
        why = explain_job(failed_job(bucket_failure("acme-denied", "us-east-1"), "acme-denied"))
        assert why is not None and why.policy is not None
        statement = json.loads(why.policy)
        assert statement["Principal"] == {"Service": "mediapackagev2.amazonaws.com"}
        assert "s3:PutObject" in statement["Action"]
        assert statement["Resource"] == [
            "arn:aws:s3:::acme-denied/news/main/bulletin/*",
            "arn:aws:s3:::acme-denied",
        ]
        condition = statement["Condition"]
        assert condition["StringEquals"]["aws:SourceAccount"] == "111122223333"
        assert condition["ArnLike"]["aws:SourceArn"] == GROUP_ARN + "/*"

    def test_hostile_names_stay_valid_json(self) -> None:
        policy = bucket_policy('b"\x1b', "p\n", account="1", group_arn="")
        statement = json.loads(policy)
        assert statement["Resource"][1] == 'arn:aws:s3:::b"\x1b'
        assert "\x1b" not in policy  # escaped by JSON, not raw

    def test_arn_parts(self) -> None:
        parts = arn_parts(JOB_ARN)
        assert (parts.region, parts.account) == ("us-east-1", "111122223333")
        assert arn_parts("not an arn").account == ""


class TestNewSettings:
    def reader(self) -> Reader:
        from pathlib import Path

        return Reader(Path("config.toml"), "")

    def test_quota_and_defaults_are_read(self) -> None:
        doc = {
            "settings": {"active_job_quota": 25},
            "profiles": {
                "p": {"default_bucket": "acme-archive", "default_path": "{group}/{channel}/{job}/"}
            },
        }
        config = self.reader().config(doc)
        assert config.settings.active_job_quota == 25
        assert config.profiles["p"].default_bucket == "acme-archive"
        assert config.profiles["p"].default_path == "{group}/{channel}/{job}/"

    @pytest.mark.parametrize(
        ("doc", "words"),
        [
            ({"settings": {"active_job_quota": 0}}, "more than 0"),
            ({"settings": {"active_job_quota": 2.5}}, "whole number"),
            ({"profiles": {"p": {"default_bucket": "Bad_Bucket"}}}, "default_bucket"),
            ({"profiles": {"p": {"default_path": "{group}/{nope}/"}}}, "{nope}"),
            ({"profiles": {"p": {"default_path": "a b"}}}, "no spaces"),
        ],
    )
    def test_bad_values_are_refused(self, doc: dict[str, object], words: str) -> None:
        with pytest.raises(ConfigError, match=None) as caught:
            self.reader().config(doc)
        assert words in str(caught.value)
