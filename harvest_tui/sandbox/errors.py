"""The errors the sandbox answers with, named after botocore's error shapes.

A handler raises `ApiError`; the server serializes it through the error shape of
the same name in the service model (status code, members), so botocore parses it
back into a ClientError with the right code, message and subtype field.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response: `code` is an error shape name (or an unmodeled code)."""

    def __init__(self, code: str, message: str, status: int | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status  # None: take it from the model's error shape
        self.fields = fields


def validation(subtype: str, message: str) -> ApiError:
    return ApiError("ValidationException", message, ValidationExceptionType=subtype)


def not_found(resource_type: str, message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message, ResourceTypeNotFound=resource_type)


def conflict(subtype: str, message: str) -> ApiError:
    return ApiError("ConflictException", message, ConflictExceptionType=subtype)


def access_denied(message: str) -> ApiError:
    return ApiError("AccessDeniedException", message)


def throttling(message: str = "Rate exceeded") -> ApiError:
    return ApiError("ThrottlingException", message)


def internal(message: str = "An internal error occurred. Try again later.") -> ApiError:
    return ApiError("InternalServerException", message)


def unknown_operation(method: str, path: str) -> ApiError:
    return ApiError(
        "UnknownOperationException",
        f"No MediaPackage v2 operation matches {method} {path}",
        status=404,
    )


def not_implemented(operation: str) -> ApiError:
    return ApiError(
        "NotImplementedException",
        f"The sandbox does not implement {operation}",
        status=501,
    )
