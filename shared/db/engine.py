"""The one engine factory: DATABASE_URL (SQLite or PostgreSQL), or Cloud SQL via the connector."""

from __future__ import annotations

import atexit
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings


def _cloud_sql_engine(settings: Settings, *, pre_ping: bool) -> Engine:
    remember_pg8000_statements()
    from google.cloud.sql.connector import Connector, IPTypes

    # Lazy refresh suits serverless: no background refresh thread between CPU-throttled requests.
    connector = Connector(refresh_strategy="lazy", ip_type=IPTypes.PRIVATE)
    atexit.register(connector.close)

    instance = settings.instance_connection_name
    assert instance is not None

    def getconn() -> Any:
        return connector.connect(
            instance,
            "pg8000",
            user=settings.db_user,
            password=settings.db_password.get_secret_value() if settings.db_password else None,
            db=settings.db_name,
            enable_iam_auth=settings.db_iam_auth,
        )

    return create_engine(
        "postgresql+pg8000://",
        creator=getconn,
        hide_parameters=True,
        pool_pre_ping=pre_ping,
        pool_size=settings.db_pool_size,
        max_overflow=2,
        pool_recycle=1800,
    )


def remember_pg8000_statements() -> None:
    """pg8000 rescans every statement character by character to turn `%s` into `$n`: on the spine that was a
    quarter of the worker's CPU. For the "format" style SQLAlchemy uses, the result depends on the statement's
    text alone (the values pass through untouched), so each distinct text is converted once."""
    import pg8000.legacy

    convert = pg8000.legacy.convert_paramstyle
    if getattr(convert, "remembers", False):
        return

    @lru_cache(maxsize=2048)
    def converted(query: str) -> str:
        statement: str = convert("format", query, ())[0]
        return statement

    def remembering(style: str, query: str, args: Any) -> tuple[str, Any]:
        if style != "format":
            return convert(style, query, args)  # type: ignore[no-any-return]
        return converted(query), args

    remembering.remembers = True  # type: ignore[attr-defined]
    pg8000.legacy.convert_paramstyle = remembering


def make_engine(settings: Settings, *, pre_ping: bool = True) -> Engine:
    """`pre_ping` checks each pooled connection with a round trip before use; the worker, whose every unit of
    work is retried when the database drops it (shared/db/outage.py), turns that off."""
    if settings.instance_connection_name:
        return _cloud_sql_engine(settings, pre_ping=pre_ping)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    remember_pg8000_statements()
    # pre_ping notices connections the server dropped (restart, maintenance) before we use them.
    # hide_parameters: an error's text never carries the learner's query, student id or webhook URL.
    return create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=pre_ping,
        pool_size=settings.db_pool_size,
        max_overflow=10,
        pool_recycle=1800,
        connect_args={"timeout": 10},
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def upsert(session: Session, table: Any) -> Any:
    """INSERT … ON CONFLICT for the session's database: both dialects spell it alike, from different modules."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert(table)
    return sqlite_insert(table)
