"""The caller of every HTTP function, and what each role may do. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from shared.errors import VividlyError


class Role(StrEnum):
    OWNER = "owner"  # everything a teacher does, plus keys and members
    TEACHER = "teacher"  # submit, answer, cancel, retry, export; sees the organisation's work
    VIEWER = "viewer"  # reads only
    SERVICE = "service"  # a machine that submits and reads


class Action(StrEnum):
    READ = "read"
    SUBMIT = "submit"
    CHANGE = "change"  # answer a clarification, cancel, retry, regenerate
    EXPORT = "export"
    MANAGE_KEYS = "manage_keys"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.READ: frozenset(Role),
    Action.SUBMIT: frozenset({Role.OWNER, Role.TEACHER, Role.SERVICE}),
    Action.CHANGE: frozenset({Role.OWNER, Role.TEACHER}),
    Action.EXPORT: frozenset({Role.OWNER, Role.TEACHER}),
    Action.MANAGE_KEYS: frozenset({Role.OWNER}),
}


class Unauthenticated(VividlyError):
    """No credential, or one that is not valid: the same answer for all of them, so a caller cannot probe
    which key ids exist."""

    code = "unauthenticated"
    http_status = 401
    public_message = (
        "send a valid API key (X-API-Key, or Authorization: Bearer) or a signed-in person's ID token"
    )


class Forbidden(VividlyError):
    code = "forbidden"
    http_status = 403


@dataclass(frozen=True)
class Principal:
    organization_id: str
    user_id: str  # the key id for a machine; the token's subject for a person
    roles: frozenset[Role]
    via: Literal["api_key", "id_token", "stream_token"]
    only: str | None = None  # a stream token's one object (a workflow id, hex); None: the whole organisation

    def may(self, action: Action) -> bool:
        return bool(self.roles & ALLOWED[action])

    def require(self, action: Action) -> None:
        if not self.may(action):
            roles = ", ".join(sorted(ALLOWED[action]))
            raise Forbidden(
                f"this needs one of the roles {roles}; your credential has {', '.join(sorted(self.roles))}"
            )
