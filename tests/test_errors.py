"""errors.translate: each botocore failure gets the code, message and fix that fit it."""

from __future__ import annotations

import pytest
from botocore import exceptions as bx

from harvest_tui.errors import translate


def test_a_missing_sso_token_is_not_called_expired() -> None:
    exc = bx.SSOTokenLoadError(error_msg="Token for https://corp.awsapps.com/start does not exist")
    error = translate(exc, profile="media-prod")
    assert error.code == "SSOTokenMissing"
    assert error.message.startswith("no SSO token cached for AWS profile media-prod")
    assert "expired" not in error.message
    assert error.hint == "run aws sso login --profile media-prod"


def test_a_missing_sso_token_of_the_default_profile() -> None:
    error = translate(bx.SSOTokenLoadError(error_msg="Token for corp does not exist"))
    assert error.code == "SSOTokenMissing"
    assert "the default AWS profile" in error.message
    assert error.hint == "run aws sso login"


def test_an_unreadable_cached_token() -> None:
    exc = bx.SSOTokenLoadError(error_msg="Token for https://corp.awsapps.com/start is invalid")
    error = translate(exc, profile="p")
    assert error.code == "SSOTokenInvalid"
    assert "is invalid" in error.message and error.hint == "run aws sso login --profile p"


@pytest.mark.parametrize(
    "exc",
    [
        bx.UnauthorizedSSOTokenError(),
        bx.TokenRetrievalError(provider="sso", error_msg="Token has expired and refresh failed"),
    ],
    ids=["legacy", "sso-session"],
)
def test_an_expired_sso_token(exc: Exception) -> None:
    error = translate(exc, profile="media-prod")
    assert error.code == "SSOTokenExpired"
    assert error.message.startswith("the SSO sign-in of AWS profile media-prod has expired")
    assert error.hint == "run aws sso login --profile media-prod"
