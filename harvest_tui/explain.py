"""Why a harvest job failed, in plain words, and what to do about it.

A FAILED job carries the service's ErrorMessage, and a refused CreateHarvestJob a
ValidationException message; both are written for AWS engineers. `explain` recognises
the common causes (the bucket refuses the service's writes, the bucket does not exist
or is in another region, the window has left the endpoint's startover window, the
endpoint was deleted, a window too long or in the future, the active-job quota) and
says what to do; for denied writes it also writes the bucket policy to add, ready to
copy. A message it does not recognise is returned as it is.

Pure string work: no textual, no boto3. Strings from the API are not sanitised here;
the UI cleans what it shows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from harvest_tui.errors import ServiceError
from harvest_tui.models import HarvestJob

__all__ = [
    "ArnParts",
    "Explanation",
    "arn_parts",
    "bucket_policy",
    "explain",
    "explain_job",
    "explain_refusal",
]

SERVICE_PRINCIPAL = "mediapackagev2.amazonaws.com"


@dataclass(frozen=True)
class ArnParts:
    """The fields of an ARN this module needs (empty strings when the ARN is odd)."""

    partition: str = "aws"
    region: str = ""
    account: str = ""
    resource: str = ""


def arn_parts(arn: str) -> ArnParts:
    """arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, split; anything else gives blanks."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return ArnParts()
    return ArnParts(parts[1] or "aws", parts[3], parts[4], parts[5])


@dataclass(frozen=True)
class Explanation:
    """What went wrong (one line), what to do, and a policy to copy when one helps.

    kind names the cause for tests and callers: s3-access-denied, bucket-missing,
    bucket-region, outside-startover, endpoint-deleted, window-too-long, start-in-future,
    end-before-start, quota, manifest-not-found, name-taken, unknown.
    field is the create form's input the cause belongs to, when it belongs to one.
    """

    kind: str
    summary: str
    advice: str
    policy: str | None = None
    field: str | None = None

    @property
    def known(self) -> bool:
        return self.kind != "unknown"


def bucket_policy(bucket: str, path: str, *, account: str, group_arn: str) -> str:
    """The bucket policy statement letting MediaPackage v2 write harvested assets (JSON).

    What the AWS documentation asks for live-to-VOD harvesting: s3:PutObject on the
    objects and s3:GetBucketLocation on the bucket (the service checks the bucket is in
    its region), granted to the service principal, with aws:SourceAccount and
    aws:SourceArn conditions against the confused-deputy problem. The exact statement
    the MediaPackage v2 guide prints may differ in Sid and scope; this is the commonly
    documented shape. A bucket encrypted with a customer-managed KMS key also needs
    kms:GenerateDataKey for the same principal in the key's policy (said in the advice).
    """
    prefix = path.strip("/")
    objects = f"arn:aws:s3:::{bucket}/{prefix}/*" if prefix else f"arn:aws:s3:::{bucket}/*"
    source_arn = f"{group_arn}/*" if group_arn else "CHANNEL_GROUP_ARN/*"

    def j(value: object) -> str:
        return json.dumps(value)

    # One statement (each action applies to the resource of its type), laid out by hand
    # so that it reads in a narrow pane and pastes into a policy as it is.
    return "\n".join(
        [
            "{",
            '  "Sid": "AllowMediaPackageV2Harvest",',
            '  "Effect": "Allow",',
            f'  "Principal": {{"Service": {j(SERVICE_PRINCIPAL)}}},',
            '  "Action": ["s3:PutObject", "s3:GetBucketLocation"],',
            '  "Resource": [',
            f"    {j(objects)},",
            f"    {j(f'arn:aws:s3:::{bucket}')}",
            "  ],",
            '  "Condition": {',
            f'    "StringEquals": {{"aws:SourceAccount": {j(account or "ACCOUNT_ID")}}},',
            f'    "ArnLike": {{"aws:SourceArn": {j(source_arn)}}}',
            "  }",
            "}",
        ]
    )


def group_arn_of(arn: str) -> str:
    """The channel group's ARN from any ARN below it (job, endpoint, channel)."""
    match = re.match(r"(arn:[^:]*:mediapackagev2:[^:]*:[^:]*:channelGroup/[^/]+)", arn)
    return match.group(1) if match else ""


_DENIED = re.compile(r"access\s*denied|accessdenied|status code: 403|not authori[sz]ed", re.I)
_MISSING = re.compile(r"nosuchbucket|bucket does not exist|no such bucket|status code: 404", re.I)
_REGION = re.compile(
    r"(is in|in region|located in) [a-z]{2}-[a-z]+-\d|another region|"
    r"wrong region|channel's region|authorizationheadermalformed|permanentredirect",
    re.I,
)
_STARTOVER = re.compile(r"startover|no longer available|outside.*window", re.I)
_DELETED = re.compile(
    r"origin ?endpoint.*(deleted|does not exist|not found)|(deleted|removed).*endpoint", re.I
)
_TOO_LONG = re.compile(r"24 hours|INVALID_HARVEST_JOB_DURATION|duration", re.I)
_FUTURE = re.compile(r"future", re.I)
_END_FIRST = re.compile(r"END_TIME_EARLIER|EndTime must be later|end.*before.*start", re.I)
_MANIFEST = re.compile(r"manifest .* is not on|MANIFEST_NOT_FOUND|at least one manifest", re.I)


def explain(
    message: str,
    *,
    code: str = "",
    subtype: str | None = None,
    bucket: str = "",
    path: str = "",
    arn: str = "",
    region: str = "",
) -> Explanation:
    """Explain a FAILED job's ErrorMessage or an API error (`code`, its `subtype` such
    as a ConflictExceptionType, and its message).

    `bucket`, `path` and `arn` (the job's, or the endpoint's for a create) fill in the
    bucket policy; `region` names the region a bucket must be in.
    """
    text = message or ""
    parts = arn_parts(arn)
    region = region or parts.region
    where = f" ({region})" if region else ""
    if code == "ServiceQuotaExceededException":
        return Explanation(
            "quota",
            "The channel group already has its maximum of queued and running harvest jobs.",
            "Wait for one to finish, or cancel one (x), then create this job again.",
        )
    if code == "ConflictException" and subtype in (None, "RESOURCE_ALREADY_EXISTS"):
        return Explanation(
            "name-taken",
            "A harvest job of that name already exists in this channel.",
            "Choose another name: job names are unique within a channel.",
            field="name",
        )
    if code == "ResourceNotFoundException" or _DELETED.search(text):
        return Explanation(
            "endpoint-deleted",
            "The origin endpoint (or its channel) no longer exists.",
            "It was deleted: its harvest jobs went with it. Press r on the channel to "
            "refresh the tree, and harvest from an endpoint that exists.",
        )
    if _MISSING.search(text):
        return Explanation(
            "bucket-missing",
            f"The S3 bucket {bucket or 'named'} does not exist.",
            f"Create it in the channel's region{where}, or choose an existing bucket "
            "there; then re-run the job (R).",
            field="bucket",
        )
    if _DENIED.search(text):
        policy = bucket_policy(
            bucket or "BUCKET", path, account=parts.account, group_arn=group_arn_of(arn)
        )
        return Explanation(
            "s3-access-denied",
            f"The S3 bucket {bucket or '(unnamed)'} refused MediaPackage's writes (Access Denied).",
            "Add the statement below to the bucket's policy (S3 console: Permissions → "
            "Bucket policy, or aws s3api put-bucket-policy), keeping what the policy "
            "already allows; if the bucket uses a customer-managed KMS key, also let "
            f"{SERVICE_PRINCIPAL} use kms:GenerateDataKey in the key policy. Then re-run "
            "the job (R).",
            policy=policy,
            field="bucket",
        )
    if _STARTOVER.search(text):
        return Explanation(
            "outside-startover",
            "The window starts before the origin endpoint's startover window: that "
            "content is no longer kept.",
            "Harvest a newer window (it must start inside the endpoint's startover "
            "window), or lengthen the endpoint's StartoverWindowSeconds for next time.",
            field="start",
        )
    if _END_FIRST.search(text):
        return Explanation(
            "end-before-start",
            "The window ends before it starts.",
            "Set the end after the start.",
            field="end",
        )
    if _TOO_LONG.search(text):
        return Explanation(
            "window-too-long",
            "The window is longer than 24 hours, the most one harvest job covers.",
            "Split it into several jobs of at most 24 h each.",
            field="end",
        )
    if _FUTURE.search(text):
        return Explanation(
            "start-in-future",
            "The window starts in the future.",
            "A harvest cuts content already received: start it in the past (the end may "
            "be in the future; the job then waits).",
            field="start",
        )
    if _MANIFEST.search(text):
        return Explanation(
            "manifest-not-found",
            "A manifest asked for is not served by the origin endpoint.",
            "Pick among the endpoint's manifests.",
            field="manifests",
        )
    if bucket and _REGION.search(text):
        return Explanation(
            "bucket-region",
            f"The S3 bucket {bucket} is in another region than the channel{where}.",
            f"Harvest jobs write only to buckets in the channel's region: choose a bucket "
            f"in {region or 'that region'}, then re-run the job (R).",
            field="bucket",
        )
    return Explanation("unknown", text, "")


def explain_job(job: HarvestJob, region: str = "") -> Explanation | None:
    """The explanation of a failed job's ErrorMessage; None when it has none."""
    if not job.error_message:
        return None
    return explain(
        job.error_message,
        bucket=job.destination.bucket,
        path=job.destination.path,
        arn=job.arn,
        region=region,
    )


def explain_refusal(error: ServiceError, *, bucket: str = "") -> Explanation:
    """The explanation of the service's refusal of a create (its code, subtype, message)."""
    return explain(error.message, code=error.code, subtype=error.subtype, bucket=bucket)
