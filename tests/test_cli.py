"""The `vividly` command line: knowledge base management and readable errors."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import app


def test_kb_add_then_search_finds_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_PATH", str(tmp_path / "kb.jsonl"))
    from shared.config import get_settings

    get_settings.cache_clear()
    doc = tmp_path / "zorb.txt"
    doc.write_text("Zorbling is the recreation of rolling downhill inside a large transparent ball. " * 3)
    runner = CliRunner()
    added = runner.invoke(
        app,
        [
            "kb",
            "add",
            str(doc),
            "--title",
            "Zorbling",
            "--url",
            "https://example.org/z",
            "--license",
            "CC BY 4.0",
        ],
    )
    assert added.exit_code == 0, added.output
    found = runner.invoke(app, ["kb", "search", "zorbling downhill", "-k", "1"])
    assert found.exit_code == 0 and "Zorbling" in found.output
    listed = runner.invoke(app, ["kb", "list"])
    assert "Zorbling" in listed.output
    bad = runner.invoke(
        app,
        [
            "kb",
            "add",
            str(tmp_path / "missing.txt"),
            "--title",
            "x",
            "--url",
            "https://e.org",
            "--license",
            "x",
        ],
    )
    assert bad.exit_code == 1
    get_settings.cache_clear()


def test_db_upgrade_and_pubsub_setup(tmp_path, env, pubsub_emulator):
    from sqlalchemy import create_engine, inspect

    env(
        database_url=f"sqlite:///{tmp_path}/cli.sqlite3",
        pubsub_emulator_host=pubsub_emulator.host,
        google_cloud_project="cli-setup",
    )
    runner = CliRunner()
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    tables = set(inspect(create_engine(f"sqlite:///{tmp_path}/cli.sqlite3")).get_table_names())
    assert {"content_requests", "request_events", "artifacts", "alembic_version"} <= tables
    first = runner.invoke(app, ["pubsub", "setup"])
    assert first.exit_code == 0 and "topic content-requests" in first.output
    again = runner.invoke(app, ["pubsub", "setup"])
    assert again.exit_code == 0 and "nothing to create" in again.output


def test_pubsub_setup_without_an_emulator_is_one_line_and_non_zero(env):
    from devstack.services import free_port

    env(pubsub_emulator_host=f"127.0.0.1:{free_port()}", google_cloud_project="nowhere")
    result = CliRunner().invoke(app, ["pubsub", "setup"])
    assert result.exit_code == 1 and "could not reach Pub/Sub" in result.output
