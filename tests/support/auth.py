"""Credentials for tests that call the HTTP functions: a key made the way `vividly keys create` makes one, in
the database the functions under test use."""

from __future__ import annotations

from typing import Any

from shared.auth.pepper import pepper
from shared.auth.principal import Role
from shared.config import get_settings
from shared.db import api_keys
from shared.db.engine import make_engine, make_session_factory


def new_key(organization_id: str = "test-org", role: Role = Role.TEACHER) -> str:
    """A key in the database the environment names (its own engine: the functions' resources, and the
    logging they configure, are built by their first request, inside the test)."""
    settings = get_settings()
    engine = make_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            _row, token = api_keys.create_key(session, organization_id, role, pepper(settings))
            session.commit()
    finally:
        engine.dispose()
    return token


def signed_in(client: Any, token: str) -> Any:
    """The Flask test client sending `token` on every call."""
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def signed_in_app(organization_id: str = "test-org", role: Role = Role.TEACHER) -> Any:
    from functions.local_app import create_app

    return signed_in(create_app().test_client(), new_key(organization_id, role))
