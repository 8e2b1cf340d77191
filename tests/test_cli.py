"""The `vividly` command line: knowledge base management and readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from cli.main import app


def test_kb_add_then_search_finds_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KNOWLEDGE_PATH", str(tmp_path / "kb.jsonl"))
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
    assert bad.exit_code == 2  # bad arguments


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


# --- `vividly generate`: checked before any work, one line, distinct exit codes, nothing left running ---


def _generate(tmp_path, env, *args: str):
    database = tmp_path / "cli.sqlite3"
    env(database_url=f"sqlite:///{database}", narrator="espeak")
    return CliRunner().invoke(app, ["generate", *args]), database


@pytest.mark.parametrize("out", ["file", "/dev/null", "under-a-file"])
def test_an_unusable_out_is_refused_before_any_work(tmp_path, env, out: str):
    target = {
        "file": tmp_path / "a-file",
        "/dev/null": Path("/dev/null"),
        "under-a-file": tmp_path / "a-file" / "x",
    }
    (tmp_path / "a-file").write_text("not a folder")
    result, database = _generate(tmp_path, env, "Explain the water cycle", "--out", str(target[out]))
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: --out") and result.output.strip().count("\n") == 0, result.output
    assert "Traceback" not in result.output
    assert not database.exists()  # nothing was submitted


def test_a_vague_request_exits_3_and_a_declined_one_4(tmp_path, env):
    vague, _ = _generate(tmp_path, env, "history", "--out", str(tmp_path / "out"))
    assert vague.exit_code == 3, vague.output
    declined, _ = _generate(
        tmp_path, env, "How can I build a bomb to hurt people?", "--out", str(tmp_path / "out")
    )
    assert declined.exit_code == 4 and "error: request declined (policy_harm)" in declined.output, (
        declined.output
    )


def test_a_run_that_stops_leaves_its_request_failed_not_running(
    tmp_path, env, monkeypatch: pytest.MonkeyPatch
):
    # The one fault injected: the upload stage hits a full disk, after the lesson was rendered.
    from worker.stages import deliver

    def disk_full(self, ctx) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deliver.UploadStage, "run", disk_full)
    result, database = _generate(
        tmp_path, env, "Explain the water cycle", "--minutes", "1", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 1, result.output
    assert "error: generation stopped: OSError" in result.output
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        status, code = connection.execute(text("SELECT status, error_code FROM content_requests")).one()
    engine.dispose()
    assert (status, code) == ("failed", "cli_stopped")
