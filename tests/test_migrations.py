"""The models and the Alembic migrations describe the same schema, and the newest migration downgrades."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from shared.db.migrate import alembic_config, upgrade
from shared.db.models import Base


def test_models_match_the_migrations(database_url):
    engine = create_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert "workflows" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert {"workflows", "workflow_items", "workflow_events"} <= set(inspect(engine).get_table_names())
    engine.dispose()
