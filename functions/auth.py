"""Who is calling an HTTP function, as one Principal: a machine's API key (`X-API-Key`, or
`Authorization: Bearer vvd_…`), counted against its quota, or a person's Identity Platform ID token
(`Authorization: Bearer <JWT>`), mapped through their tenant and membership to an organisation and a role."""

from __future__ import annotations

import threading
import time

import flask

from shared import bootstrap
from shared.auth import api_keys as key_format
from shared.auth import stream_tokens
from shared.auth.id_tokens import CertificateCache, IdTokenVerifier
from shared.auth.pepper import pepper
from shared.auth.principal import Principal, Role, Unauthenticated
from shared.config import Settings
from shared.db import api_keys, members

MAX_CREDENTIAL_CHARS = 4096  # an ID token is one to two kilobytes; anything longer is not a credential

_verifiers: dict[tuple[str, str, str, int], IdTokenVerifier] = {}
_verifiers_lock = threading.Lock()


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


def _has_header_credential(request: flask.Request) -> bool:
    return bool(request.headers.get("X-API-Key") or request.headers.get("Authorization"))


def verifier(settings: Settings) -> IdTokenVerifier | None:
    """One verifier per configuration and process, so its certificates are fetched once per max-age."""
    if not settings.id_token_audience:
        return None
    key = (
        settings.id_token_audience,
        settings.id_token_certs_url,
        settings.id_token_issuer_prefix,
        settings.id_token_clock_skew_s,
    )
    with _verifiers_lock:
        if key not in _verifiers:
            _verifiers[key] = IdTokenVerifier(
                settings.id_token_audience,
                CertificateCache(settings.id_token_certs_url),
                settings.id_token_issuer_prefix,
                settings.id_token_clock_skew_s,
            )
        return _verifiers[key]


def principal_of(request: flask.Request, res: bootstrap.Resources, *, streams: bool = False) -> Principal:
    """`streams`: the function serves an event stream, so a `stream_token` in the query string is enough (a
    read of the one object it names)."""
    if streams and "stream_token" in request.args and not _has_header_credential(request):
        grant = stream_tokens.verify(pepper(res.settings), request.args["stream_token"], now=time.time())
        return Principal(
            grant.organization_id, "stream", frozenset({Role.VIEWER}), "stream_token", grant.object_id
        )
    token = credential_of(request)
    if token.startswith(f"{key_format.PREFIX}_"):
        with res.sessions() as session:
            principal = api_keys.authenticate(
                session, token, pepper(res.settings), calls_per_minute=res.settings.api_key_calls_per_minute
            )
            session.commit()
        return principal
    people = verifier(res.settings)
    if people is None or token.count(".") != 2:
        raise Unauthenticated("not an API key, and sign-in with ID tokens is not configured here")
    identity = people.verify(token)  # before any database work: a forged token costs no query
    with res.sessions() as session:
        return members.person(session, identity)
