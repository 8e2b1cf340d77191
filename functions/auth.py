"""Who is calling an HTTP function: the API key in `X-API-Key` or `Authorization: Bearer <key>`, resolved
to a Principal in one short transaction that also counts the call against the key's quota."""

from __future__ import annotations

import flask

from shared import bootstrap
from shared.auth.pepper import pepper
from shared.auth.principal import Principal, Unauthenticated
from shared.db import api_keys

MAX_CREDENTIAL_CHARS = 200


def credential_of(request: flask.Request) -> str:
    """`X-API-Key` first: behind Cloud Run's IAM check, `Authorization` carries the invoker's Google ID token."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    token = request.headers.get("X-API-Key", "").strip() or (
        value.strip() if scheme.lower() == "bearer" else ""
    )
    if not token:
        raise Unauthenticated("no credential")
    if len(token) > MAX_CREDENTIAL_CHARS:
        raise Unauthenticated("credential too long")
    return token


def principal_of(request: flask.Request, res: bootstrap.Resources) -> Principal:
    token = credential_of(request)
    with res.sessions() as session:
        principal = api_keys.authenticate(
            session, token, pepper(res.settings), calls_per_minute=res.settings.api_key_calls_per_minute
        )
        session.commit()
    return principal
