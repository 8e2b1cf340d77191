"""One error tree, named for what happens next.

- TransientError: try again later (the worker nacks, Pub/Sub redelivers and finally dead-letters).
- PermanentError: retrying will not help; the request is marked failed.
- Outcome: a normal end that is not a success (clarification, policy rejection); the message is acked.
"""

from __future__ import annotations


class VividlyError(Exception):
    code = "internal_error"


class TransientError(VividlyError):
    code = "transient"


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


class IllegalTransition(VividlyError):
    code = "illegal_transition"


class Conflict(VividlyError):
    """Someone else changed the request first (compare-and-set lost)."""

    code = "conflict"


class NotFound(VividlyError):
    code = "not_found"


class PublishFailed(TransientError):
    code = "publish_failed"
