"""Cloud Functions' Python runtime loads `main.py` from the source root: this re-exports the entry points."""

from functions.main import (
    answer_clarification,
    cancel_request,
    get_request_status,
    handle_dead_letter,
    health,
    retry_request,
    submit_content_request,
)

__all__ = [
    "answer_clarification",
    "cancel_request",
    "get_request_status",
    "handle_dead_letter",
    "health",
    "retry_request",
    "submit_content_request",
]
