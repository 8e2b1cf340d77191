"""Persistence of organisations and API keys: create (shown once), list, revoke, and authenticate a call,
which also counts it against the key's per-minute quota in the same transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shared.auth import api_keys
from shared.auth.principal import Principal, Role, Unauthenticated
from shared.db.engine import upsert
from shared.db.models import ApiKey, ApiKeyWindow, Organization, utcnow
from shared.errors import NotFound, QuotaExceeded

WINDOW = timedelta(minutes=1)


def ensure_organization(session: Session, organization_id: str, name: str | None = None) -> Organization:
    found = session.get(Organization, organization_id)
    if found is None:
        found = Organization(id=organization_id, name=name or organization_id, created_at=utcnow())
        session.add(found)
        session.flush()
    return found


def create_key(
    session: Session, organization_id: str, role: Role, pepper: bytes, *, label: str = ""
) -> tuple[ApiKey, str]:
    """(row, the key itself): the caller shows the key once; only its HMAC is stored."""
    ensure_organization(session, organization_id)
    key = api_keys.new_key()
    row = ApiKey(
        id=key.key_id,
        organization_id=organization_id,
        role=role.value,
        label=label,
        secret_hmac=api_keys.secret_hmac(key.secret, pepper),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row, key.token


def list_keys(session: Session, organization_id: str | None = None) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.organization_id, ApiKey.created_at)
    if organization_id is not None:
        query = query.where(ApiKey.organization_id == organization_id)
    return list(session.scalars(query))


def revoke_key(session: Session, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row


def authenticate(
    session: Session, token: str, pepper: bytes, *, calls_per_minute: int, now: datetime | None = None
) -> Principal:
    """The principal a key stands for, after counting this call. Unknown, malformed, revoked and wrong keys
    all get the same Unauthenticated; over the quota, QuotaExceeded. The caller commits."""
    key = api_keys.parse(token)
    row = session.get(ApiKey, key.key_id) if key else None
    if key is None or row is None or not api_keys.matches(key.secret, row.secret_hmac, pepper):
        raise Unauthenticated("unknown or malformed API key")
    if row.revoked_at is not None:
        raise Unauthenticated("revoked API key")
    now = now or utcnow()
    window = now.replace(second=0, microsecond=0)
    statement = upsert(session, ApiKeyWindow).values(key_id=row.id, window_start=window, calls=1)
    calls = session.execute(
        statement.on_conflict_do_update(
            index_elements=[ApiKeyWindow.key_id, ApiKeyWindow.window_start],
            set_={"calls": ApiKeyWindow.calls + 1},
        ).returning(ApiKeyWindow.calls)
    ).scalar_one()
    if calls == 1:  # a new window: the key's earlier ones are spent
        session.execute(
            delete(ApiKeyWindow).where(ApiKeyWindow.key_id == row.id, ApiKeyWindow.window_start < window)
        )
    if calls > calls_per_minute:
        retry_after = max(1, int((window + WINDOW - now).total_seconds()) + 1)
        raise QuotaExceeded(f"this key made {calls_per_minute} calls this minute", retry_after)
    session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    return Principal(row.organization_id, row.id, frozenset({Role(row.role)}), "api_key")
