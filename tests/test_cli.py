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
