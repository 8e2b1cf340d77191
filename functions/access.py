"""HTTP functions for an organisation's owners: API keys (create, shown once; list; revoke) and members (add or
change a role, list, remove). Thin: parse, call shared/db, answer through the one error table. Every call acts
on the owner's own organisation only; another's key or member is 404."""

from __future__ import annotations

from typing import Any

import flask
import functions_framework
import structlog

from functions.http import HttpError, Response, json_body
from functions.main import Call, _handle, resources
from shared.auth.pepper import pepper
from shared.auth.principal import Action, Role
from shared.db import api_keys, members
from shared.db.models import ApiKey, Member
from shared.errors import NotFound

MAX_LABEL_CHARS = 200
MAX_USER_CHARS = 128


def _role(value: Any) -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise HttpError(
            422, "validation_failed", "unknown role", [{"field": "role", "reason": f"must be one of {roles}"}]
        ) from exc


def _text(body: dict[str, Any], field: str, limit: int, *, required: bool) -> str:
    value = body.get(field, "" if not required else None)
    if (
        not isinstance(value, str)
        or (required and not value)
        or len(value) > limit
        or not value.isprintable()
    ):
        need = "1" if required else "0"
        raise HttpError(
            422,
            "validation_failed",
            f"invalid {field}",
            [{"field": field, "reason": f"must be {need}-{limit} printable characters"}],
        )
    return value


def _key_view(row: ApiKey) -> dict[str, Any]:
    return {
        "key_id": row.id,
        "role": row.role,
        "label": row.label,
        "created_at": row.created_at.isoformat(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def _member_view(row: Member) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "role": row.role,
        "email": row.email,
        "created_at": row.created_at.isoformat(),
    }


def _owner_body(request: flask.Request) -> dict[str, Any]:
    if request.method != "POST":
        raise HttpError(405, "method_not_allowed", "use POST")
    return json_body(request, max_bytes=resources().settings.max_body_bytes)


@functions_framework.http
def create_api_key(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        body = _owner_body(request)
        role, label = (
            _role(body.get("role", "service")),
            _text(body, "label", MAX_LABEL_CHARS, required=False),
        )
        res = resources()
        with res.sessions() as session:
            row, token = api_keys.create_key(
                session, call.principal.organization_id, role, pepper(res.settings), label=label
            )
            session.commit()
            view = _key_view(row)
        structlog.contextvars.bind_contextvars(key_id=view["key_id"])
        return {**view, "key": token}, 201  # the only time the key is ever shown

    return _handle(request, Action.MANAGE_KEYS, action)


@functions_framework.http
def list_api_keys(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        with resources().sessions() as session:
            rows = api_keys.list_keys(session, call.principal.organization_id)
            return {"keys": [_key_view(row) for row in rows]}, 200

    return _handle(request, Action.MANAGE_KEYS, action)


@functions_framework.http
def revoke_api_key(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        key_id = _text(_owner_body(request), "key_id", 32, required=True)
        with resources().sessions() as session:
            found = session.get(ApiKey, key_id)
            if found is None or found.organization_id != call.principal.organization_id:
                raise NotFound(f"no API key {key_id}")
            row = api_keys.revoke_key(session, key_id)
            session.commit()
            return _key_view(row), 200

    return _handle(request, Action.MANAGE_KEYS, action)


@functions_framework.http
def put_member(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        body = _owner_body(request)
        user = _text(body, "user_id", MAX_USER_CHARS, required=True)
        role = _role(body.get("role", "teacher"))
        email = _text(body, "email", 320, required=False) or None
        with resources().sessions() as session:
            row = members.add_member(session, call.principal.organization_id, user, role, email)
            session.commit()
            return _member_view(row), 200

    return _handle(request, Action.MANAGE_KEYS, action)


@functions_framework.http
def list_members(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        with resources().sessions() as session:
            rows = members.list_members(session, call.principal.organization_id)
            return {"members": [_member_view(row) for row in rows]}, 200

    return _handle(request, Action.MANAGE_KEYS, action)


@functions_framework.http
def remove_member(request: flask.Request) -> Response:
    def action(call: Call) -> tuple[dict[str, Any], int]:
        user = _text(_owner_body(request), "user_id", MAX_USER_CHARS, required=True)
        with resources().sessions() as session:
            members.remove_member(session, call.principal.organization_id, user)
            session.commit()
        return {"user_id": user, "removed": True}, 200

    return _handle(request, Action.MANAGE_KEYS, action)
