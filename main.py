"""Cloud Functions' Python runtime loads `main.py` from the source root: this re-exports the entry points."""

from functions.access import (
    create_api_key,
    list_api_keys,
    list_members,
    put_member,
    remove_member,
    revoke_api_key,
)
from functions.exports import export_lesson_file
from functions.lesson_files import lesson_file, whoami
from functions.main import (
    answer_clarification,
    cancel_request,
    get_request_status,
    handle_dead_letter,
    health,
    list_requests,
    retry_request,
    submit_content_request,
)
from functions.streams import request_events, request_stream_token
from functions.web import teacher_page
from functions.workflows import (
    cancel_workflow,
    get_workflow,
    regenerate_workflow_item,
    retry_workflow_items,
    submit_assessment,
    workflow_events,
    workflow_stream_token,
)

__all__ = [
    "answer_clarification",
    "cancel_request",
    "cancel_workflow",
    "create_api_key",
    "export_lesson_file",
    "get_request_status",
    "get_workflow",
    "handle_dead_letter",
    "health",
    "lesson_file",
    "list_api_keys",
    "list_members",
    "list_requests",
    "put_member",
    "regenerate_workflow_item",
    "remove_member",
    "request_events",
    "request_stream_token",
    "retry_request",
    "retry_workflow_items",
    "revoke_api_key",
    "submit_assessment",
    "submit_content_request",
    "teacher_page",
    "whoami",
    "workflow_events",
    "workflow_stream_token",
]
