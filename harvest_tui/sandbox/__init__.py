"""A local, faithful AWS Elemental MediaPackage v2 endpoint for tests and demos.

Real boto3 and the AWS CLI talk to it over HTTP as to the service: routes,
parameter locations, constraints and output shapes all come from botocore's
mediapackagev2 model at run time (model.py, shapes.py); handlers.py holds only
what each operation does. All 30 operations of the model are served: handlers.py
(lists, gets, harvest jobs) and changes.py (create/update/delete of groups, channels
and endpoints, policies, tags, resets).

Accounts and regions: the region comes from the SigV4 Authorization header's
credential scope, the account from an access key ending in 12 digits (any other key
is the demo account ACCOUNT_ID); unsigned requests are the demo account in
us-east-1. Each (account, region) has its own Store (at most 100): us-east-1 holds
`data` (other accounts seeded from a hash of the account), demo data adds a small
eu-west-1 set (populate_demo_eu), other regions start empty; with every_region=True
(`--every-region`) every region holds what us-east-1 does.

Public API
----------
Sandbox(seed=7, clock=None, faults=None, data="demo", *, host="127.0.0.1", port=0,
        quiet=True, debug_routes=False)
    .store is the demo account's us-east-1; .store_for(account, region), .stores().
    clock defaults to SystemClock(); faults to Faults(seed=seed); data is "demo",
    "empty" or a callable(store, seed), e.g. scale(jobs=10_000, endpoints=10).
    .start() -> self (daemon thread), .stop(), `with Sandbox(...) as sb:`;
    .bind() + .serve_forever() serve in the calling thread (the standalone command).
    .endpoint_url "http://127.0.0.1:PORT"; .store; .clock; .faults (mutable live);
    .request_counts (Counter by operation; "UnknownOperation" for unknown routes);
    .requests (a copy: the last 10,000 requests that passed validation, as
    (operation, params) with only int and short str params; rejected ones are
    counted, never kept); .reset_requests();
    .connections_accepted; .internal_errors (tracebacks of sandbox bugs, sent as 500);
    .client(region="us-east-1", access_key="sandbox", **botocore_config) -> boto3
    client, dummy keys, retries off.
    debug_routes=True (standalone: --debug-routes) also serves, to loopback clients only
    and outside the MediaPackage API (no operation's path starts /__sandbox/), GET
    /__sandbox/requests -> {"counts": {operation: n}, "total": n} and POST
    /__sandbox/reset (clears them, answering the counts before). Not counted themselves.

Clocks: DEMO_NOW = 2026-11-02T14:30Z. FrozenClock(instant=DEMO_NOW) with
    .advance(seconds, **timedelta_kwargs) and .set(instant); SystemClock();
    ScaledClock(speed, start=None) runs `speed` times faster from `start` (or now).

Faults(latency_ms=0, throttle_rate=0, error_rate=0, drop_rate=0, deny_groups=set(),
    deny_accounts=set(), seed=0) and .clear(). Rates are fractions drawn from a seeded RNG: 429
    ThrottlingException, 500 InternalServerException, or a connection closed with
    no response. deny_accounts: 403 AccessDeniedException for every call of that account.
    deny_groups: 403 AccessDeniedException for any call naming that
    group (by name or ARN); ListChannelGroups still lists it. Latency applies to all.

Store (sandbox.store; changes take its lock): add_channel_group(name, ...),
    add_channel(group, name, ...), add_origin_endpoint(group, channel, name,
    container_type=, hls=, ll_hls=, dash=, ...), add_harvest_job(group, channel,
    endpoint, name, start=, end=, bucket=, path=, manifests=None, created_at=None,
    ...) (no service rules), delete_channel_group/channel/origin_endpoint/
    harvest_job(...), lookups channel_group(...) .. harvest_job(...) raising the
    service's 404, active_jobs(group), all_jobs(), mark_unwritable(bucket, message),
    page_scans (items examined per list page: pagination is linear).

Lifecycle (records.py): QUEUED until max(CreatedAt, EndTime) + 10 s; IN_PROGRESS
    for max(20 s, window / 120); then COMPLETED, or FAILED with an ErrorMessage when
    the bucket was marked unwritable at creation; CANCELLED from the cancel on.
    ModifiedAt is the last transition's instant, and the ETag changes with it.

Demo account (fixed names; ~55 more jobs from the seed, <= 6 active per group):
    live-sports: football-main [cmaf-main, hls-ts, dash-tv, llhls-mobile],
      football-alt-audio [cmaf-main, hls-ts], motorsport [cmaf-main, hls-ts,
      onboard-cams], tennis-centre-court [cmaf-main, llhls-mobile]
    news-24x7: news-main [cmaf-main, hls-ts, dash-tv], news-regional [cmaf-main, hls-ts]
    events-popup: concert-stage-a [cmaf-main, llhls-mobile], keynote-live [cmaf-main,
      hls-ts]
    Manifests: cmaf-main (CMAF) HLS "index", LL-HLS "low-latency", DASH "index";
    hls-ts (TS) HLS "index", "index-sd"; dash-tv (CMAF) DASH "tv", "tv-hdr";
    llhls-mobile (CMAF) LL-HLS "mobile"; onboard-cams (CMAF) HLS "cam-1".."cam-3".
    Named jobs (state at DEMO_NOW): live-sports/football-main/cmaf-main/
    cup-final-full-match IN_PROGRESS (done 60 s later), .../cup-final-highlights
    QUEUED; live-sports/motorsport/cmaf-main/grand-prix-replay COMPLETED;
    news-24x7/news-main/cmaf-main/morning-bulletin-legal-hold FAILED;
    events-popup/keynote-live/cmaf-main/keynote-rehearsal CANCELLED.
    Buckets: LEGAL_HOLD_BUCKET "acme-media-legal-hold" fails (S3 AccessDenied, asks
    for a bucket policy grant), EU_BUCKET "acme-media-archive-eu" fails (wrong
    region); ARCHIVE_BUCKET "acme-media-archive" and the other BUCKETS work. In any
    store, a bucket whose name contains "denied" fails with S3 AccessDenied and one
    containing "missing" with NoSuchBucket.
    eu-west-1: eu-broadcast: sport-eu [cmaf-main, hls-ts], news-eu [cmaf-main,
      cmaf-no-startover (no startover window: harvest jobs refused)]; jobs
      derby-full-match COMPLETED, derby-highlights IN_PROGRESS, derby-archive-denied
      and evening-news-missing-bucket FAILED, morning-news CANCELLED.
    generate_scale(store, seed, jobs=10_000, groups=1, channels=1, endpoints=10):
    scale-group-NN / scale-channel-NN / scale-endpoint-NN, jobs scale-job-NNNNNN.

Choices where the service's exact answer is unknown: patterns match whole values;
the 11th QUEUED/IN_PROGRESS job of a channel group answers ServiceQuotaExceededException
(the quotas page; the model also has ValidationExceptionType
TOO_MANY_IN_PROGRESS_HARVEST_JOBS); other quotas (groups, channels, endpoints) are
not enforced; deleting a group with channels or a channel with endpoints answers
ConflictException RESOURCE_IN_USE, deleting a missing resource succeeds (no 404 in
the model for deletes), DeleteOriginEndpoint deletes its harvest jobs whatever their
status (the model gives it no ConflictException); an update's ETag, if sent, must be
current (ConflictException CONFLICTING_OPERATION), and an update moves ModifiedAt and
the ETag; a member an update leaves out keeps its value; resets move ResetAt only;
an endpoint created without StartoverWindowSeconds has none; a policy must be a JSON
object with a Statement (INVALID_POLICY); GetChannelPolicy with none attached answers
404; the window of a harvest job is at most 24 hours;
maxResults outside 1..100 answers MEMBER_MIN_VALUE / MEMBER_MAX_VALUE (the generic
range check); StartTime in the future, or before the endpoint's startover window,
answers MEMBER_INVALID; an EndTime in the future is allowed (QUEUED until it
passes); no manifests answers NUM_MANIFESTS_LOW; a job name must be unique in its
channel; cancelling a finished job answers HARVEST_JOB_INELIGIBLE_FOR_CANCELLATION
before any ETag check, a stale ETag ConflictException CONFLICTING_OPERATION;
ListHarvestJobs with a channelName/originEndpointName that doesn't exist answers
404; a malformed ARN answers INVALID_ARN, an unknown one 404; lists are sorted by
name, jobs by CreatedAt (oldest first); a job created without HarvestJobName gets
"harvest-<YYYYMMDDTHHMMSS>-<8 hex>"; bad JSON (also nested too deeply), query integers other than
ASCII -?[0-9]+ within range, and bad framing (a Content-Length that is not digits or
over 1 MiB, malformed chunks) answer 400 SerializationException (as Smithy's
malformed-request protocol tests); any route or HTTP method no operation has answers
404 UnknownOperationException; an operation a newer botocore adds answers 501
NotImplementedException.

Standalone: `python -m harvest_tui.sandbox --help` (also `harvest-tui sandbox`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Exports load on first use, so `harvest-tui --help` (which imports sandbox.cli)
# doesn't pay for botocore's model.
_EXPORTS = {
    "DEMO_NOW": "clock",
    "Clock": "clock",
    "FrozenClock": "clock",
    "ScaledClock": "clock",
    "SystemClock": "clock",
    "ARCHIVE_BUCKET": "demo",
    "BUCKETS": "demo",
    "DEMO_ACCOUNT": "demo",
    "DEMO_ACTIVE_PER_GROUP": "demo",
    "EU_BUCKET": "demo",
    "LEGAL_HOLD_BUCKET": "demo",
    "generate_scale": "demo",
    "populate_demo": "demo",
    "scale": "demo",
    "Fault": "faults",
    "Faults": "faults",
    "ACCOUNT_ID": "records",
    "REGION": "records",
    "Sandbox": "server",
    "MAX_ACTIVE_JOBS_PER_GROUP": "store",
    "Store": "store",
}
__all__ = [
    "ACCOUNT_ID",
    "ARCHIVE_BUCKET",
    "BUCKETS",
    "DEMO_ACCOUNT",
    "DEMO_ACTIVE_PER_GROUP",
    "DEMO_NOW",
    "EU_BUCKET",
    "LEGAL_HOLD_BUCKET",
    "MAX_ACTIVE_JOBS_PER_GROUP",
    "REGION",
    "Clock",
    "Fault",
    "Faults",
    "FrozenClock",
    "Sandbox",
    "ScaledClock",
    "Store",
    "SystemClock",
    "generate_scale",
    "populate_demo",
    "scale",
]

if TYPE_CHECKING:
    from harvest_tui.sandbox.clock import (
        DEMO_NOW,
        Clock,
        FrozenClock,
        ScaledClock,
        SystemClock,
    )
    from harvest_tui.sandbox.demo import (
        ARCHIVE_BUCKET,
        BUCKETS,
        DEMO_ACCOUNT,
        DEMO_ACTIVE_PER_GROUP,
        EU_BUCKET,
        LEGAL_HOLD_BUCKET,
        generate_scale,
        populate_demo,
        scale,
    )
    from harvest_tui.sandbox.faults import Fault, Faults
    from harvest_tui.sandbox.records import ACCOUNT_ID, REGION
    from harvest_tui.sandbox.server import Sandbox
    from harvest_tui.sandbox.store import MAX_ACTIVE_JOBS_PER_GROUP, Store


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
