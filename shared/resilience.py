"""Resilience for calls to other services: retries for transient errors only, and a circuit breaker per
dependency, so an outage becomes nack-with-backoff and a clear stage message instead of a wave of
failed requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pybreaker
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from shared.errors import PermanentError, TransientError, reason_of

T = TypeVar("T")

# Human names: they appear in the status API ("waiting for text-to-speech to recover").
VERTEX_AI = "Vertex AI"
TEXT_TO_SPEECH = "text-to-speech"
CLOUD_STORAGE = "Cloud Storage"


class DependencyDown(TransientError):
    """The dependency's circuit is open: do not call it, come back later."""

    code = "dependency_unavailable"

    def __init__(self, dependency: str) -> None:
        super().__init__(f"waiting for {dependency} to recover")
        self.dependency = dependency


_breakers: dict[str, pybreaker.CircuitBreaker] = {}


def _not_an_outage(exc: BaseException) -> bool:
    """A bad request, or a bad answer from a service that did answer, does not open the circuit."""
    return isinstance(exc, PermanentError) or getattr(exc, "outage", True) is False


def breaker(dependency: str, *, fail_max: int = 5, reset_timeout_s: float = 30.0) -> pybreaker.CircuitBreaker:
    """One breaker per dependency per process. PermanentError (a bad request) is not an outage."""
    if dependency not in _breakers:
        _breakers[dependency] = pybreaker.CircuitBreaker(
            fail_max=fail_max,
            reset_timeout=reset_timeout_s,
            exclude=[_not_an_outage],
            name=dependency,
        )
    return _breakers[dependency]


def reset_breakers() -> None:
    _breakers.clear()


def log_each_wait(say: Callable[..., None], message: str) -> Callable[[RetryCallState], None]:
    """tenacity's `before_sleep`: one log line per wait, saying what failed and how long it has been."""

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        say(
            message,
            reason=reason_of(error),
            attempt=state.attempt_number,
            waited_s=round(state.seconds_since_start or 0.0, 1),
        )

    return before_sleep


def call_with_resilience(dependency: str, call: Callable[[], T], *, attempts: int = 3) -> T:
    """Retry `call` on TransientError with jittered backoff, behind the dependency's circuit breaker."""
    retrying = retry(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(initial=0.2, max=4),
        reraise=True,
    )(call)
    try:
        return breaker(dependency).call(retrying)
    except pybreaker.CircuitBreakerError as exc:
        raise DependencyDown(dependency) from exc
