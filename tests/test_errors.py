"""errors.translate: each botocore failure gets the code, message and fix that fit it."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bx

from harvest_tui.commands.targets import cli_hint
from harvest_tui.errors import translate


def test_an_unknown_profile_is_told_how_to_pick_another_where_it_is_read() -> None:
    """The app's key (p) in the app, --profile on the command line; the fleet, showing
    every profile, drops the advice."""
    from harvest_tui.ui.screens.fleet_screen import fleet_hint

    error = translate(bx.ProfileNotFound(profile="media-prod"))
    assert error.hint.endswith("or switch profile with p"), error.hint
    assert cli_hint(error).endswith("or use another --profile"), cli_hint(error)
    assert fleet_hint(error.hint).endswith("list-profiles lists them)"), fleet_hint(error.hint)


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


def conflict(subtype: str | None) -> bx.ClientError:
    """A ConflictException as botocore parses MediaPackage v2's (a sandbox answer's shape)."""
    response: dict[str, Any] = {
        "Error": {"Code": "ConflictException", "Message": "A harvest job named x exists."},
        "ResponseMetadata": {"RequestId": "r-1", "HTTPStatusCode": 409},
    }
    if subtype:
        response["ConflictExceptionType"] = subtype
    return bx.ClientError(response, "CreateHarvestJob")  # type: ignore[arg-type]


def test_a_name_taken_says_choose_another_name_not_read_it_again() -> None:
    error = translate(conflict("RESOURCE_ALREADY_EXISTS"), operation="CreateHarvestJob")
    assert error.title == "ConflictException (RESOURCE_ALREADY_EXISTS)"
    assert error.hint == "the name is taken; choose another name"
    assert cli_hint(error) == "the name is taken; choose another name"


@pytest.mark.parametrize(
    ("subtype", "tui", "cli"),
    [
        (
            None,
            "the resource changed since it was read; refresh with r and try again",
            "the resource changed since it was read; read it again and retry",
        ),
        (
            "CONFLICTING_OPERATION",  # a stale ETag, or another change under way
            "the resource changed since it was read, or another change to it is under way; "
            "refresh with r and try again",
            "the resource changed since it was read, or another change to it is under way; "
            "read it again and retry",
        ),
        (
            "RESOURCE_IN_USE",
            "other resources still depend on it; delete those first, then try again",
            "other resources still depend on it; delete those first, then try again",
        ),
        (
            "IDEMPOTENT_PARAMETER_MISMATCH",
            "its client token was already used by a request with other parameters; send it "
            "again as a new request",
            "its client token was already used by a request with other parameters; send it "
            "again as a new request",
        ),
    ],
    ids=["no type", "conflicting operation", "in use", "idempotent mismatch"],
)
def test_each_conflict_type_gets_its_own_hint(subtype: str | None, tui: str, cli: str) -> None:
    error = translate(conflict(subtype))
    assert (error.subtype, error.hint, cli_hint(error)) == (subtype, tui, cli)


def test_every_conflict_type_of_the_model_has_a_hint() -> None:
    """A type botocore's model adds later must be given its own hint, or chosen not to."""
    import botocore.session

    from harvest_tui.errors import _CONFLICT_HINTS

    model = botocore.session.get_session().get_service_model("mediapackagev2")
    assert set(model.shape_for("ConflictExceptionType").enum) == set(_CONFLICT_HINTS)
