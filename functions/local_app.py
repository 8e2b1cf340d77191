"""All HTTP functions on one local port (`vividly dev`): /<function_name>[/<path>], as in the cloud."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import prometheus_client

from functions import access, exports, lesson_files, main, streams, web, workflows

HTTP_FUNCTIONS: dict[str, Callable[[flask.Request], Any]] = {
    "submit_content_request": main.submit_content_request,
    "get_request_status": main.get_request_status,
    "request_events": streams.request_events,
    "request_stream_token": streams.request_stream_token,
    "list_requests": main.list_requests,
    "lesson_file": lesson_files.lesson_file,
    "whoami": lesson_files.whoami,
    "teacher_page": web.teacher_page,
    "answer_clarification": main.answer_clarification,
    "cancel_request": main.cancel_request,
    "retry_request": main.retry_request,
    "health": main.health,
    "submit_assessment": workflows.submit_assessment,
    "get_workflow": workflows.get_workflow,
    "workflow_events": workflows.workflow_events,
    "workflow_stream_token": workflows.workflow_stream_token,
    "retry_workflow_items": workflows.retry_workflow_items,
    "regenerate_workflow_item": workflows.regenerate_workflow_item,
    "cancel_workflow": workflows.cancel_workflow,
    "export_lesson_file": exports.export_lesson_file,
    "create_api_key": access.create_api_key,
    "list_api_keys": access.list_api_keys,
    "revoke_api_key": access.revoke_api_key,
    "put_member": access.put_member,
    "list_members": access.list_members,
    "remove_member": access.remove_member,
}


def create_app() -> flask.Flask:
    app = flask.Flask("vividly-functions")

    def dispatch(name: str, rest: str = "") -> flask.Response:
        function = HTTP_FUNCTIONS.get(name)
        if function is None:
            flask.abort(404)
        return flask.make_response(function(flask.request))

    def prometheus() -> flask.Response:
        return flask.Response(
            prometheus_client.generate_latest(), mimetype=prometheus_client.CONTENT_TYPE_LATEST
        )

    app.add_url_rule("/metrics", view_func=prometheus)
    app.add_url_rule("/<name>", view_func=dispatch, methods=["GET", "POST"])
    app.add_url_rule("/<name>/<path:rest>", view_func=dispatch, methods=["GET", "POST"])
    return app
