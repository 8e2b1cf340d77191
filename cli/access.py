"""Helpers of `vividly keys` and `vividly members`: the database they live in, and how they are listed (never a
secret)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.table import Table
from sqlalchemy.orm import Session

from shared.db.models import ApiKey, Member


@contextmanager
def database() -> Iterator[tuple[Session, bytes]]:
    """A session on the migrated database the environment names, and the pepper keys are HMAC'd with."""
    from shared.auth.pepper import pepper
    from shared.config import get_settings
    from shared.db.engine import make_engine, make_session_factory
    from shared.db.migrate import upgrade

    settings = get_settings()
    engine = make_engine(settings)
    try:
        upgrade(engine)
        with make_session_factory(engine)() as session:
            yield session, pepper(settings)
    finally:
        engine.dispose()


def key_table(rows: list[ApiKey]) -> Table:
    table = Table("organisation", "role", "label", "created", "last used", "revoked")
    table.add_column("key id", no_wrap=True)  # what `keys revoke` takes: never cut
    for row in rows:
        table.add_row(
            row.organization_id,
            row.role,
            row.label,
            f"{row.created_at:%Y-%m-%d %H:%M}",
            f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "never",
            f"{row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "",
            row.id,
        )
    return table


def member_table(rows: list[Member]) -> Table:
    table = Table("user id", "role", "email", "added")
    for row in rows:
        table.add_row(row.user_id, row.role, row.email or "", f"{row.created_at:%Y-%m-%d %H:%M}")
    return table
