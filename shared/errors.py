"""One error tree, named for what happens next.

- TransientError: try again later (the worker nacks, Pub/Sub redelivers and finally dead-letters).
- PermanentError: retrying will not help; the request is marked failed.
- Outcome: a normal end that is not a success (clarification, policy rejection); the message is acked.
"""

from __future__ import annotations


class VividlyError(Exception):
    """Every error we raise. `code` names it in logs and records; `http_status` and `http_error` are how
    the HTTP functions answer it, and `public_message` what they say (None: the error's own text)."""

    code = "internal_error"
    http_status = 500
    http_error: str | None = None  # None: the code
    public_message: str | None = None

    @property
    def http(self) -> tuple[int, str, str]:
        return self.http_status, self.http_error or self.code, self.public_message or str(self)


def reason_of(error: BaseException | None) -> str:
    """A short name for logs: our code, or the exception's class (a library's own `code` means other things)."""
    return error.code if isinstance(error, VividlyError) else type(error).__name__


class TransientError(VividlyError):
    code = "transient"
    http_status = 503


class PermanentError(VividlyError):
    code = "permanent"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class Outcome(VividlyError):
    """A stage decided how the request ends; not a failure."""


class ClarificationNeeded(Outcome):
    code = "clarification_needed"

    def __init__(self, questions: list[str], reason: str) -> None:
        super().__init__(reason)
        self.questions = questions
        self.reason = reason


class Rejected(Outcome):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class TooLittleSource(VividlyError):
    """The retrieved sources cannot carry a lesson on the question: the learner is asked to rephrase.

    Its own class, not ValueError: a bug (a pydantic ValidationError is a ValueError) must stay a bug.
    """

    code = "too_little_source"


class InvalidInput(VividlyError):
    """What a caller sent cannot be used; `fields` says where and why (HTTP 422, CLI one line each)."""

    code = "validation_failed"
    http_status = 422

    def __init__(self, fields: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{f['field']}: {f['reason']}" for f in fields))
        self.fields = fields


class IllegalTransition(VividlyError):
    code = "illegal_transition"
    http_status = 409


class Conflict(VividlyError):
    """Someone else changed the request first (compare-and-set lost)."""

    code = "conflict"
    http_status = 409


class NotFound(VividlyError):
    code = "not_found"
    http_status = 404


class QuotaExceeded(VividlyError):
    """Too many calls with one credential this minute; `retry_after_s` says when the next window opens."""

    code = "quota_exceeded"
    http_status = 429

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PublishFailed(TransientError):
    code = "publish_failed"
    http_error = "unavailable"
    public_message = "could not enqueue the request; try again"
