"""The service layer against the sandbox: real boto3 over real HTTP, no stubs."""

from __future__ import annotations

import os
import sys
import threading
from datetime import UTC, timedelta
from typing import Any

import pytest
from pilotkit import add_jobs

from harvest_tui.errors import ServiceError
from harvest_tui.models import HarvestedManifests, HarvestJob, JobStatus
from harvest_tui.sandbox import DEMO_NOW, Sandbox
from harvest_tui.service import Connection, MediaPackageService, RetryPolicy

CREDS = ("sandbox", "sandbox")


@pytest.fixture
def service(sandbox: Sandbox) -> MediaPackageService:
    conn = Connection(
        region="us-east-1",
        endpoint_url=sandbox.endpoint_url,
        static_credentials=CREDS,
        retry=RetryPolicy(backoff_scale=0.001),  # the SDK's retries, in milliseconds
    )
    return MediaPackageService(conn)


class TestClients:
    def test_one_client_per_connection_shared_across_threads(self, sandbox: Sandbox) -> None:
        conn = Connection(
            region="us-east-1", endpoint_url=sandbox.endpoint_url, static_credentials=CREDS
        )
        a, b = MediaPackageService(conn), MediaPackageService(conn)
        seen: list[object] = []
        threads = [
            threading.Thread(target=lambda s=s: seen.append(s.connect())) for s in (a, b) * 4
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len({id(c) for c in seen}) == 1
        other = MediaPackageService(
            Connection(
                region="eu-west-1", endpoint_url=sandbox.endpoint_url, static_credentials=CREDS
            )
        )
        assert other.connect() is not seen[0]

    def test_clients_have_botocore_s_built_in_handlers_each_their_own(
        self, sandbox: Sandbox
    ) -> None:
        """Sessions copy the built-in handlers registered once (service_loader.builtin_hooks):
        a client still gets botocore's defaults (here, the ClientToken it fills in on
        CreateHarvestJob), and what one client registers reaches no other."""
        import boto3
        from botocore.exceptions import ClientError

        def client(region: str) -> object:
            return MediaPackageService(
                Connection(
                    region=region, endpoint_url=sandbox.endpoint_url, static_credentials=CREDS
                )
            ).connect()

        ours, other = client("us-east-1"), client("eu-west-1")
        plain = boto3.Session(
            aws_access_key_id="x", aws_secret_access_key="y", region_name="us-east-1"
        ).client("mediapackagev2", endpoint_url=sandbox.endpoint_url)
        tokens: list[object] = []
        for c in (ours, plain):
            c.meta.events.register(  # type: ignore[attr-defined]
                "before-call.mediapackagev2.CreateHarvestJob",
                lambda params, **_: tokens.append(params["headers"].get("x-amzn-client-token")),
            )
        seen: list[str] = []
        ours.meta.events.register(  # type: ignore[attr-defined]
            "before-call", lambda model, **_: seen.append(model.name)
        )
        for c in (ours, plain):
            with pytest.raises(ClientError):  # refused by the sandbox, its body built first
                c.create_harvest_job(  # type: ignore[attr-defined]
                    ChannelGroupName="nope",
                    ChannelName="nope",
                    OriginEndpointName="nope",
                    HarvestedManifests={"HlsManifests": [{"ManifestName": "index"}]},
                    ScheduleConfiguration={
                        "StartTime": DEMO_NOW - timedelta(hours=2),
                        "EndTime": DEMO_NOW - timedelta(hours=1),
                    },
                    Destination={"S3Destination": {"BucketName": "bucket", "DestinationPath": "p"}},
                )
        assert len(tokens) == 2 and all(isinstance(t, str) and len(t) >= 32 for t in tokens)
        other.list_channel_groups()  # type: ignore[attr-defined]
        assert seen == ["CreateHarvestJob"]  # ours only: not the other client's call

    def test_client_settings(self, service: MediaPackageService) -> None:
        config = service.connect().meta.config
        assert config.retries["mode"] == "standard"
        assert config.connect_timeout <= 10 and config.read_timeout <= 30
        assert config.max_pool_connections >= service.pool_size >= 10

    def test_sandbox_keys_ignore_a_broken_aws_profile(
        self, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_PROFILE", "no-such-profile")
        conn = Connection(
            region="us-east-1", endpoint_url=sandbox.endpoint_url, static_credentials=CREDS
        )
        assert len(MediaPackageService(conn).list_channel_groups()) == 3


class TestListing:
    def test_levels_sorted_and_typed(self, service: MediaPackageService) -> None:
        groups = service.list_channel_groups()
        assert [g.name for g in groups] == ["events-popup", "live-sports", "news-24x7"]
        assert all(g.created_at.tzinfo is UTC for g in groups)
        channels = service.list_channels("live-sports")
        assert [c.name for c in channels] == sorted(c.name for c in channels)
        endpoints = service.list_origin_endpoints("live-sports", "football-main")
        assert {e.container_type for e in endpoints} <= {"TS", "CMAF"}
        assert any(m.kind == "LL-HLS" for e in endpoints for m in e.manifests)

    def test_every_page_is_walked(self, sandbox: Sandbox, service: MediaPackageService) -> None:
        add_jobs(sandbox, 230)
        jobs = service.list_harvest_jobs("events-popup", channel="keynote-live", endpoint="hls-ts")
        assert len([j for j in jobs if j.name.startswith("many-")]) == 230
        assert sandbox.request_counts["ListHarvestJobs"] == 3  # 100 + 100 + 30+

    def test_a_whole_group_is_one_page_chain(
        self, sandbox: Sandbox, service: MediaPackageService
    ) -> None:
        jobs = service.list_harvest_jobs("live-sports")
        endpoints = {(j.channel_name, j.endpoint_name) for j in jobs}
        assert len(endpoints) > 3
        assert sandbox.request_counts["ListHarvestJobs"] == 1

    def test_status_filter(self, service: MediaPackageService) -> None:
        failed = service.list_harvest_jobs("news-24x7", status=JobStatus.FAILED)
        assert failed and all(j.status is JobStatus.FAILED and j.error_message for j in failed)


class TestSingleResources:
    def test_get_job_has_tags_and_etag(self, service: MediaPackageService) -> None:
        job = service.get_harvest_job(
            "news-24x7", "news-main", "cmaf-main", "morning-bulletin-legal-hold"
        )
        assert isinstance(job, HarvestJob)
        assert job.status is JobStatus.FAILED and job.error_message
        assert job.tags is not None and job.etag
        assert service.list_tags(job.arn) == dict(job.tags)

    def test_other_gets(self, service: MediaPackageService) -> None:
        assert service.get_channel_group("live-sports").egress_domain
        assert service.get_channel("live-sports", "football-main").arn.endswith("football-main")
        endpoint = service.get_origin_endpoint("live-sports", "football-main", "cmaf-main")
        assert endpoint.container_type == "CMAF" and endpoint.manifests

    def test_create_then_cancel_with_etag(
        self, sandbox: Sandbox, service: MediaPackageService
    ) -> None:
        def create() -> HarvestJob:
            return service.create_harvest_job(
                "events-popup",
                "keynote-live",
                "cmaf-main",
                name="svc-test",
                manifests=HarvestedManifests(hls=("index",)),
                start=DEMO_NOW - timedelta(hours=2),
                end=DEMO_NOW - timedelta(hours=1),
                bucket="acme-media-archive",
                path="svc/",
                description="from the service test",
                tags={"k": "v"},
                client_token="token-1",
            )

        job = create()
        assert job.status is JobStatus.QUEUED and job.description == "from the service test"
        # The same client token again makes no second job.
        assert create().arn == job.arn
        listed = service.list_harvest_jobs("events-popup", channel="keynote-live")
        assert [j.name for j in listed].count("svc-test") == 1
        service.cancel_harvest_job(job)
        assert service.get_harvest_job(*job.key).status is JobStatus.CANCELLED


class TestErrors:
    def test_not_found_carries_everything(self, service: MediaPackageService) -> None:
        with pytest.raises(ServiceError) as info:
            service.get_harvest_job("live-sports", "football-main", "cmaf-main", "nope")
        e = info.value
        assert e.code == "ResourceNotFoundException"
        assert e.subtype == "HARVEST_JOB"
        assert e.http_status == 404 and e.request_id
        assert e.operation == "GetHarvestJob" and e.region == "us-east-1"
        assert "refresh" in e.hint

    def test_stale_etag_is_a_conflict(self, sandbox: Sandbox, service: MediaPackageService) -> None:
        job = service.list_harvest_jobs(
            "live-sports", channel="football-main", endpoint="cmaf-main", status=JobStatus.QUEUED
        )[0]
        from dataclasses import replace

        with pytest.raises(ServiceError) as info:
            service.cancel_harvest_job(replace(job, etag="stale"))
        assert info.value.code == "ConflictException" and info.value.http_status == 409

    def test_finished_job_cannot_be_cancelled(self, service: MediaPackageService) -> None:
        job = service.get_harvest_job("live-sports", "motorsport", "cmaf-main", "grand-prix-replay")
        with pytest.raises(ServiceError) as info:
            service.cancel_harvest_job(job)
        assert info.value.subtype == "HARVEST_JOB_INELIGIBLE_FOR_CANCELLATION"

    def test_denied_group(self, sandbox: Sandbox, service: MediaPackageService) -> None:
        sandbox.faults.deny_groups = {"news-24x7"}
        with pytest.raises(ServiceError) as info:
            service.list_channels("news-24x7")
        assert info.value.code == "AccessDeniedException" and info.value.http_status == 403
        assert "permission" in info.value.hint

    def test_throttling_outlasting_retries(
        self, sandbox: Sandbox, service: MediaPackageService
    ) -> None:
        sandbox.faults.throttle_rate = 1.0
        with pytest.raises(ServiceError) as info:
            service.list_channel_groups()
        e = info.value
        assert e.code == "ThrottlingException" and e.retryable
        assert "after 5 attempts" in e.message
        assert sandbox.request_counts["ListChannelGroups"] == 5

    def test_retries_are_reported(self, sandbox: Sandbox, service: MediaPackageService) -> None:
        sandbox.faults.throttle_rate = 1.0
        seen: list[tuple[str, int, int]] = []
        with service.retries_reported_to(lambda *a: seen.append(a)), pytest.raises(ServiceError):
            service.list_channel_groups()
        assert seen == [("ListChannelGroups", n, 5) for n in (2, 3, 4, 5)]

    def test_unreachable_endpoint(self) -> None:
        with Sandbox(data="empty") as sb:
            url = sb.endpoint_url
        service = MediaPackageService(
            Connection(region="us-east-1", endpoint_url=url, static_credentials=CREDS)
        )
        with pytest.raises(ServiceError) as info:
            service.list_channel_groups()
        assert info.value.code == "EndpointUnreachable" and "retry" in info.value.hint


class TestQuickLoader:
    """The data loader that checks one service's folders instead of scanning them all."""

    @pytest.mark.parametrize(
        "type_name", ["service-2", "paginators-1", "waiters-2", "endpoint-rule-set-1"]
    )
    def test_answers_as_botocore_does(self, type_name: str) -> None:
        from botocore.loaders import Loader

        from harvest_tui.service_loader import quick_loader

        full = Loader().list_available_services(type_name)
        quick = quick_loader(None).list_available_services(type_name)
        for name in ("mediapackagev2", "sso", "sso-oidc", "sts", "s3", "no-such-service", ""):
            assert (name in quick) == (name in full), name
        assert list(quick) == full and len(quick) == len(full)

    def test_unknown_services_are_still_refused(self) -> None:
        from botocore.exceptions import UnknownServiceError

        from harvest_tui.service_loader import quick_loader

        with pytest.raises(UnknownServiceError, match="mediapackage-v3"):
            quick_loader(None).load_service_model("mediapackage-v3", "service-2")
        assert quick_loader(None).load_service_model("mediapackagev2", "service-2")

    def test_clients_of_other_profiles_and_regions_share_the_parsed_model(self) -> None:
        """The model is read and parsed once for every client, as within one session."""
        clients = [
            MediaPackageService(
                Connection(
                    region=region,
                    endpoint_url="http://127.0.0.1:9",
                    static_credentials=(key, "secret"),
                )
            ).connect()
            for region, key in (("us-east-1", "AKIAONE"), ("eu-west-1", "AKIATWO"))
        ]
        a, b = (c.meta.service_model._service_description for c in clients)
        assert a is b
        assert clients[0].meta.region_name != clients[1].meta.region_name

    def test_aws_data_path_is_searched(self, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
        from harvest_tui.service_loader import quick_loader

        monkeypatch.setenv("EXTRA_MODELS", str(tmp_path))
        loader = quick_loader(f"$EXTRA_MODELS{os.pathsep}~/models")
        assert str(tmp_path) in loader.search_paths
        assert os.path.expanduser("~/models") in loader.search_paths


class TestTimestamps:
    """The timestamp parser the clients use (service_loader.fast_timestamp)."""

    @pytest.mark.parametrize(
        "raw",
        [
            1793629800,
            1793629800.25,
            "2026-11-02T14:30:00Z",
            "2026-11-02T14:30:00.123456Z",
            "2026-11-02T16:30:00+02:00",
            "2026-11-02",
            "1793629800",
            "Mon, 02 Nov 2026 14:30:00 GMT",
        ],
    )
    def test_the_same_instant_as_botocore_in_utc(self, raw: object) -> None:
        from botocore.utils import parse_timestamp

        from harvest_tui.service_loader import fast_timestamp

        ours, theirs = fast_timestamp(raw), parse_timestamp(raw)
        assert ours == (theirs if theirs.tzinfo else theirs.replace(tzinfo=UTC))
        assert ours.utcoffset() == timedelta(0)

    def test_a_time_without_a_zone_is_utc(self) -> None:
        from harvest_tui.service_loader import fast_timestamp

        parsed = fast_timestamp("2026-11-02T14:30:00")
        assert (parsed.tzinfo, parsed.hour) == (UTC, 14)

    def test_what_it_cannot_read_botocore_refuses_as_before(self) -> None:
        from harvest_tui.service_loader import fast_timestamp

        with pytest.raises(ValueError, match="Invalid timestamp"):
            fast_timestamp("2026-13-45T99:00:00Z")

    def test_clients_parse_the_wire_s_epoch_seconds_with_it(
        self, service: MediaPackageService
    ) -> None:
        """The sandbox sends epoch seconds, as restJson does: they arrive in UTC."""
        client = service.connect()
        raw = client.list_channel_groups()["Items"][0]["CreatedAt"]  # type: ignore[attr-defined]
        assert raw.tzinfo is UTC


def example_value(shape: Any, depth: int = 0) -> Any:
    """A JSON value for `shape` with every member set (lists hold a null as well, and
    numbers and booleans are 0 and false)."""
    kind = shape.type_name
    if kind == "structure":
        members = {
            m.serialization.get("name", n): m
            for n, m in shape.members.items()
            if m.serialization.get("location") is None
        }
        if shape.is_tagged_union:
            members = dict(list(members.items())[:1])
        if depth > 8:
            return {}
        return {wire: example_value(m, depth + 1) for wire, m in members.items()}
    if kind == "list":
        return [example_value(shape.member, depth + 1), None]
    if kind == "map":
        return {"first": example_value(shape.value, depth + 1), "null": None}
    return {
        "string": (getattr(shape, "enum", None) or [f"text of {shape.name}"])[0],
        "timestamp": 1793629800.25,
        "boolean": False,  # falsy values are members too
        "blob": "aGFydmVzdA==",
        "float": 1.5,
        "double": 2.5,
    }.get(kind, 0)


def header_values(shape: Any) -> dict[str, str]:
    """Header-located members of an output shape, as the wire carries them."""
    wire = {"timestamp": "Mon, 02 Nov 2026 14:30:00 GMT", "boolean": "true", "string": "etag-1"}
    return {
        m.serialization.get("name", n): wire.get(m.type_name, "7")
        for n, m in shape.members.items()
        if m.serialization.get("location") == "header"
    }


class TestPlannedParsers:
    """The clients' response parser (service_loader.planned_parsers) parses as botocore's."""

    @staticmethod
    def parse_both(shape: Any, body: bytes, headers: dict[str, str], status: int) -> Any:
        from botocore.awsrequest import HeadersDict
        from botocore.parsers import ResponseParserFactory

        from harvest_tui.service_loader import fast_timestamp, planned_parsers

        stock = ResponseParserFactory()
        stock.set_parser_defaults(timestamp_parser=fast_timestamp)
        response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
        return [
            factory.create_parser("rest-json").parse(dict(response), shape)
            for factory in (stock, planned_parsers(fast_timestamp))
        ]

    def test_every_output_and_error_shape_of_the_model(self) -> None:
        import json

        from botocore.loaders import Loader
        from botocore.model import ServiceModel

        model = ServiceModel(Loader().load_service_model("mediapackagev2", "service-2"))
        shapes = [model.operation_model(op).output_shape for op in model.operation_names]
        errors = [model.shape_for(n) for n in model.shape_names]
        errors = [s for s in errors if s.metadata.get("exception")]
        assert len([s for s in shapes if s is not None]) >= 25 and len(errors) >= 5
        for shape in [s for s in shapes if s is not None] + errors:
            status = 400 if shape.metadata.get("exception") else 200
            headers = header_values(shape)
            if status == 400:
                headers["x-amzn-ErrorType"] = shape.name
            body = json.dumps(example_value(shape)).encode()
            theirs, ours = self.parse_both(shape, body, headers, status)
            assert ours == theirs, shape.name
            assert len(repr(ours)) > 25, shape.name  # the example reached the parse

    def test_threads_parsing_at_once_with_a_new_client_s_parsers(self) -> None:
        """The first responses of a client often arrive together (a fleet target's job
        lists): every thread gets the whole plan, and the same result as botocore's."""
        import json

        from botocore.loaders import Loader
        from botocore.model import ServiceModel

        from harvest_tui.service_loader import fast_timestamp, planned_parsers

        model = ServiceModel(Loader().load_service_model("mediapackagev2", "service-2"))
        shape = model.operation_model("ListHarvestJobs").output_shape
        body = json.dumps(example_value(shape)).encode()
        theirs, _ = self.parse_both(shape, body, {}, 200)

        def parse(factory: Any, start: threading.Barrier, results: list[Any]) -> None:
            start.wait()
            response = {"status_code": 200, "headers": {}, "body": body}
            results.append(factory.create_parser("rest-json").parse(response, shape))

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # threads take turns as often as they can
        try:
            for _ in range(20):
                factory, start, results = planned_parsers(fast_timestamp), threading.Barrier(8), []
                threads = [
                    threading.Thread(target=parse, args=(factory, start, results)) for _ in range(8)
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
                assert results == [theirs] * 8
        finally:
            sys.setswitchinterval(interval)

    def test_a_client_call_parses_its_wire_body_as_botocore_does(
        self, service: MediaPackageService
    ) -> None:
        client = service.connect()
        # The factory is a session component; botocore keeps it on the client's endpoint.
        factory = client._endpoint._response_parser_factory  # type: ignore[attr-defined]
        assert type(factory).__name__ == "PlannedParserFactory"
        wire: list[Any] = []
        client.meta.events.register(
            "before-parse.mediapackagev2.ListHarvestJobs",
            lambda response_dict, operation_model, **_: wire.append(
                (dict(response_dict), operation_model.output_shape)
            ),
        )
        parsed = client.list_harvest_jobs(ChannelGroupName="live-sports")  # type: ignore[attr-defined]
        response, shape = wire[0]
        theirs, ours = self.parse_both(
            shape, response["body"], dict(response["headers"]), response["status_code"]
        )
        assert ours == theirs
        assert parsed["Items"] == theirs["Items"] and len(parsed["Items"]) > 5


class TestRetryPolicy:
    def test_the_policy_reaches_botocore(self, sandbox: Sandbox) -> None:
        """Attempts and backoff come from the injected policy, not module constants."""
        policy = RetryPolicy(max_attempts=3, backoff_scale=0.001)
        conn = Connection(
            region="us-east-1",
            endpoint_url=sandbox.endpoint_url,
            static_credentials=CREDS,
            retry=policy,
        )
        sandbox.faults.throttle_rate = 1.0
        seen: list[tuple[str, int, int]] = []
        service = MediaPackageService(conn)
        with service.retries_reported_to(lambda *a: seen.append(a)), pytest.raises(ServiceError):
            service.list_channel_groups()
        assert seen == [("ListChannelGroups", 2, 3), ("ListChannelGroups", 3, 3)]
        assert sandbox.request_counts["ListChannelGroups"] == 3

    def test_the_longest_call_bounds_the_worker_deadline(self) -> None:
        policy = RetryPolicy(max_attempts=2, connect_timeout=1, read_timeout=2, backoff_scale=0.5)
        assert policy.longest_call == 2 * 3 + 1 * 20 * 0.5
