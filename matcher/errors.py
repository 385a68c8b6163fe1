"""Domain exceptions. The API maps these to RFC 9457 problem details in one handler; the CLI
prints them as one line and exits non-zero."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One problem with one field of one record; ``line`` is 1-based for files, None otherwise."""

    field: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.reason}"


class TalentmatchError(Exception):
    """Base of every error we raise on purpose."""

    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors: list[FieldError] = errors or []


class ValidationFailed(TalentmatchError):
    status = 422
    title = "Validation failed"
    type_slug = "validation-failed"


class NotFound(TalentmatchError):
    status = 404
    title = "Not found"
    type_slug = "not-found"


class Conflict(TalentmatchError):
    status = 409
    title = "Conflict"
    type_slug = "conflict"


class Unauthenticated(TalentmatchError):
    status = 401
    title = "Unauthenticated"
    type_slug = "unauthenticated"


class Forbidden(TalentmatchError):
    status = 403
    title = "Forbidden"
    type_slug = "forbidden"


class PayloadTooLarge(TalentmatchError):
    status = 413
    title = "Payload too large"
    type_slug = "payload-too-large"


class Unavailable(TalentmatchError):
    status = 503
    title = "Service unavailable"
    type_slug = "unavailable"


class RateLimited(TalentmatchError):
    """The caller's key used up its share; ``retry_after`` seconds until it may try again."""

    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


@dataclass
class ImportReport:
    """What an import did, for the CLI and the API."""

    created: int = 0
    updated: int = 0
    errors: list[FieldError] = field(default_factory=list)
