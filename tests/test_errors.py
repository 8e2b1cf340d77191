"""One error tree: every error we raise is a VividlyError, and its HTTP answer is declared on its class."""

from __future__ import annotations

import pytest

from cli.generate import InvalidRequest, UnusableOutput
from devstack.services import ServiceUnavailable
from functions.http import HttpError
from shared.domain.webhooks import UnsafeWebhook
from shared.errors import Conflict, NotFound, PublishFailed, TooLittleSource, TransientError, VividlyError
from shared.lifecycle import StillWorkedOn
from shared.resilience import DependencyDown
from shared.webhook_delivery import RetryableWebhookError, WebhookRefused
from worker.pipeline import Busy, Interrupted


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (NotFound("no request 1"), 404, "not_found"),
        (Conflict("request 1 is completed"), 409, "conflict"),
        (PublishFailed("topic down"), 503, "unavailable"),
        (UnsafeWebhook("host metadata is internal"), 422, "unsafe_webhook"),
        (InvalidRequest("grade_level: not a grade"), 422, "validation_failed"),
        (DependencyDown("text-to-speech"), 503, "dependency_unavailable"),
        (TooLittleSource("nothing about tides"), 500, "too_little_source"),
        (HttpError(405, "method_not_allowed", "use POST"), 405, "method_not_allowed"),
    ],
)
def test_each_error_declares_its_http_answer(error, status, code):
    answer = HttpError.of(error)
    assert (answer.status, answer.error) == (status, code)


def test_publish_failure_says_what_to_do_without_internal_detail():
    assert HttpError.of(PublishFailed("could not publish to content-requests: DeadlineExceeded")).message == (
        "could not enqueue the request; try again"
    )


def test_every_error_we_raise_is_in_the_tree():
    for error in (
        UnsafeWebhook,
        RetryableWebhookError,
        WebhookRefused,
        ServiceUnavailable,
        InvalidRequest,
        UnusableOutput,
        HttpError,
        StillWorkedOn,
        TooLittleSource,
    ):
        assert issubclass(error, VividlyError), error
    assert issubclass(Busy, TransientError) and issubclass(Interrupted, TransientError)
    assert not issubclass(UnsafeWebhook, ValueError)  # a bug's ValueError must not pass for a refusal
