"""ServiceError: every failure of an AWS call, as one type that says what to do.

translate() turns whatever boto3 or botocore raised (client errors, missing or
expired credentials, SSO, no region, unknown profiles, unreachable endpoints,
throttling that outlasted the retries) into a ServiceError with a hint. It
imports botocore's exceptions lazily, so importing this module stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    """Every failure of an AWS call, carrying what a user needs to act on it."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        hint: str = "",
        subtype: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        profile: str | None = None,
        region: str | None = None,
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint
        self.subtype = subtype
        self.http_status = http_status
        self.request_id = request_id
        self.operation = operation
        self.profile = profile
        self.region = region
        self.retryable = retryable

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its fields: it crosses from the service worker (service_worker.py)."""
        return (_rebuild, (type(self), self.__dict__.copy()))

    @property
    def title(self) -> str:
        """The code and its subtype, e.g. 'ValidationException (MEMBER_MISSING)'."""
        return f"{self.code} ({self.subtype})" if self.subtype else self.code

    def __str__(self) -> str:
        return f"{self.title}: {self.message}"

    def details(self) -> list[tuple[str, str]]:
        """Labelled lines for an error panel, in reading order."""
        rows = [("Error", self.title), ("Message", self.message)]
        if self.operation:
            rows.append(("Operation", self.operation))
        if self.http_status:
            rows.append(("HTTP status", str(self.http_status)))
        if self.request_id:
            rows.append(("Request id", self.request_id))
        rows.append(("Profile", self.profile or "(default chain)"))
        rows.append(("Region", self.region or "(none)"))
        if self.hint:
            rows.append(("What to do", self.hint))
        return rows


class WorkerStopped(ServiceError):
    """The service worker process went away while a call was in flight."""


def _rebuild(cls: type[ServiceError], fields: dict[str, Any]) -> ServiceError:
    error = cls(fields.pop("code"), fields.pop("message"))
    error.__dict__.update(fields)
    return error


def _sso_hint(profile: str | None) -> str:
    return f"run aws sso login --profile {profile}" if profile else "run aws sso login"


def _aws_config_file() -> str:
    """The AWS config file botocore reads: AWS_CONFIG_FILE, else ~/.aws/config."""
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def translate(
    exc: BaseException,
    *,
    operation: str | None = None,
    profile: str | None = None,
    region: str | None = None,
) -> ServiceError:
    """Turn any exception raised by boto3 or botocore into a ServiceError."""
    if isinstance(exc, ServiceError):
        return exc
    from botocore import exceptions as bx

    ctx: dict[str, Any] = {"operation": operation, "profile": profile, "region": region}

    def err(code: str, message: str, hint: str, **kw: Any) -> ServiceError:
        return ServiceError(code, message, hint=hint, **ctx, **kw)

    if isinstance(exc, bx.ClientError):
        return _client_error(exc, ctx)
    if isinstance(exc, bx.ProfileNotFound):
        return err(
            "ProfileNotFound",
            str(exc),
            f"no such profile in {_aws_config_file()}: check the name (aws configure "
            "list-profiles lists them), or switch profile with p",
        )
    if isinstance(exc, bx.SSOTokenLoadError):
        # No token in ~/.aws/sso/cache (never signed in here, or the cache was cleared), or
        # one botocore cannot read: raised while resolving credentials, before any request.
        who = f"AWS profile {profile}" if profile else "the default AWS profile"
        if "does not exist" in str(exc):
            message = f"no SSO token cached for {who}: nobody has signed in with it here yet"
            return err("SSOTokenMissing", message, _sso_hint(profile))
        message = f"the cached SSO token for {who} cannot be used ({exc})"
        return err("SSOTokenInvalid", message, _sso_hint(profile))
    if isinstance(exc, bx.TokenRetrievalError | bx.SSOError):
        # An expired or revoked SSO token (legacy or sso-session profiles).
        who = f"AWS profile {profile}" if profile else "the default AWS profile"
        message = f"the SSO sign-in of {who} has expired or was revoked ({exc})"
        return err("SSOTokenExpired", message, _sso_hint(profile))
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return err(
            "NoCredentials",
            str(exc),
            f"pass credentials: AWS_PROFILE=NAME or --profile NAME picks a profile of "
            f"{_aws_config_file()}; aws configure sets up access keys, aws configure sso an "
            "SSO profile (then aws sso login --profile NAME); AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY work too. No account at hand? Try --sandbox",
        )
    if isinstance(exc, bx.CredentialRetrievalError):
        return err("CredentialRetrievalError", str(exc), "check the credential_process or role")
    if isinstance(exc, bx.NoRegionError):
        where = f"AWS profile {profile}" if profile else "the default AWS profile"
        return err(
            "NoRegion",
            f"no AWS region is configured ({where} names none)",
            "pass --region, set AWS_DEFAULT_REGION, or add regions to the harvest-tui profile",
        )
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        return err(
            "EndpointUnreachable",
            str(exc),
            "check the network, VPN or --endpoint-url, then press r to retry",
            retryable=True,
        )
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectionClosedError | bx.HTTPClientError):
        return err(
            "ConnectionLost",
            str(exc),
            "the endpoint stopped answering; press r to retry",
            retryable=True,
        )
    if isinstance(exc, bx.ConnectionError):  # SSL, proxy and other transport failures
        return err(
            "ConnectionFailed",
            str(exc),
            "check the network, proxy, certificates or --endpoint-url, then press r to retry",
            retryable=True,
        )
    if isinstance(exc, bx.ParamValidationError):
        return err("InvalidParameter", str(exc), "correct the value and try again")
    if isinstance(exc, bx.ConfigParseError):
        return err(
            "InvalidAWSConfig",
            str(exc),
            f"fix the syntax of {_aws_config_file()} (sections look like [profile NAME])",
        )
    if isinstance(exc, bx.InvalidConfigError):
        return err("InvalidAWSConfig", str(exc), f"check {_aws_config_file()}")
    if isinstance(exc, bx.BotoCoreError):
        return err(type(exc).__name__, str(exc), "")
    return err(type(exc).__name__, str(exc) or type(exc).__name__, "")


_CODE_HINTS: dict[str, str] = {
    "AccessDeniedException": "the credentials in use lack permission for this call; "
    "check the IAM policy, or switch profile with p",
    "ThrottlingException": "AWS kept throttling after every retry; wait a moment, then press r",
    "InternalServerException": "the service failed; press r to retry",
    "ServiceUnavailableException": "the service is unavailable; press r to retry",
    "ResourceNotFoundException": "it may have been deleted; press r to refresh",
    "ConflictException": "the resource changed since it was read; refresh with r and try again",
    "ExpiredTokenException": "the session credentials have expired; log in again",
    "UnrecognizedClientException": "the access key is not valid; check the credentials",
    "InvalidSignatureException": "the secret key is wrong or the clock is skewed",
}

# A ConflictException's ConflictExceptionType (the enum of botocore's MediaPackage v2
# model) says which conflict it is; one without a type keeps the code's hint above. A
# stale ETag is CONFLICTING_OPERATION, and so is another change under way.
_CONFLICT_HINTS: dict[str, str] = {
    "RESOURCE_ALREADY_EXISTS": "the name is taken; choose another name",
    "RESOURCE_IN_USE": "other resources still depend on it; delete those first, then try again",
    "IDEMPOTENT_PARAMETER_MISMATCH": "its client token was already used by a request with "
    "other parameters; send it again as a new request",
    "CONFLICTING_OPERATION": "the resource changed since it was read, or another change to it "
    "is under way; refresh with r and try again",
}


def _client_error(exc: Any, ctx: dict[str, Any]) -> ServiceError:
    response: Mapping[str, Any] = exc.response or {}
    error: Mapping[str, Any] = response.get("Error") or {}
    meta: Mapping[str, Any] = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or error.get("message") or exc)
    subtype = None
    for key in ("ValidationExceptionType", "ConflictExceptionType", "ResourceTypeNotFound"):
        subtype = response.get(key) or error.get(key)
        if subtype:
            break
    status = meta.get("HTTPStatusCode")
    hint = _CODE_HINTS.get(code, "")
    if code == "ConflictException" and subtype:
        hint = _CONFLICT_HINTS.get(str(subtype), hint)
    if code in ("ExpiredTokenException", "ExpiredToken") and ctx.get("profile"):
        hint = f"the session credentials have expired; {_sso_hint(ctx['profile'])}"
    retryable = code in ("ThrottlingException", "InternalServerException") or (
        isinstance(status, int) and status >= 500
    )
    if code == "ThrottlingException":
        message = f"{message} (after {meta.get('RetryAttempts', 0) + 1} attempts)"
    return ServiceError(
        code,
        message,
        hint=hint,
        subtype=str(subtype) if subtype else None,
        http_status=status if isinstance(status, int) else None,
        request_id=meta.get("RequestId"),
        retryable=retryable,
        **ctx,
    )
