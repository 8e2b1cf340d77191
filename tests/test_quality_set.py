"""The lesson-quality question sets (benchmarks/quality_questions*.json) are sound: fast, no lesson made."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shared.lesson.knowledge import packaged_documents

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
PUBLIC = BENCHMARKS / "quality_questions.json"
HELDBACK = BENCHMARKS / "quality_questions_heldback.json"
# The team's sample requests, beside the project; a clean clone (CI) does not have them.
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "requests.jsonl"

REQUIRED = {
    "id": str,
    "question": str,
    "grade": int,
    "minutes": int,
    "on_topic_titles": list,
    "key_terms": list,
    "subject": str,
    "type": str,
}
OPTIONAL = {"off_topic_traps": list, "kb_gap": str}
SUBJECTS = {"science", "history", "civics", "geography", "maths", "language arts", "computing", "health"}
TYPES = {"define", "explain_how", "explain_why", "compare", "steps", "parts", "example"}


def load(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data.get("comment"), str) and data["comment"].strip()
    return list(data["questions"])


@cache
def kb() -> dict[str, str]:
    return {d.title: d.text.lower() for d in packaged_documents()}


def all_entries() -> list[dict[str, Any]]:
    return load(PUBLIC) + load(HELDBACK)


def words(text: str) -> set[str]:
    stop = {
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "is",
        "are",
        "what",
        "how",
        "why",
        "do",
        "does",
    }
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in stop}


def test_sizes_and_separation() -> None:
    public, held = load(PUBLIC), load(HELDBACK)
    assert len(public) >= 20
    assert len(held) >= 10
    assert "held" in json.loads(HELDBACK.read_text(encoding="utf-8"))["comment"].lower()
    ids = [e["id"] for e in public + held]
    assert len(ids) == len(set(ids)), "ids are unique across both sets"
    questions = [e["question"].strip().lower() for e in public + held]
    assert len(questions) == len(set(questions))


@pytest.mark.parametrize("entry", all_entries(), ids=lambda e: e["id"])
def test_entry_is_well_formed(entry: dict[str, Any]) -> None:
    for key, kind in REQUIRED.items():
        assert isinstance(entry.get(key), kind), f"{key} must be a {kind.__name__}"
    assert set(entry) <= set(REQUIRED) | set(OPTIONAL), (
        f"unknown keys: {set(entry) - set(REQUIRED) - set(OPTIONAL)}"
    )
    for key, kind in OPTIONAL.items():
        if key in entry:
            assert isinstance(entry[key], kind)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["id"])
    assert 10 <= len(entry["question"]) <= 300
    assert 2 <= entry["grade"] <= 10
    assert 1 <= entry["minutes"] <= 3
    assert entry["subject"] in SUBJECTS
    assert entry["type"] in TYPES
    assert entry["on_topic_titles"], "at least one on-topic document"
    assert 3 <= len(entry["key_terms"]) <= 6
    for term in entry["key_terms"]:
        assert isinstance(term, str) and term == term.lower().strip() and term, f"key term {term!r}"


@pytest.mark.parametrize("entry", all_entries(), ids=lambda e: e["id"])
def test_titles_exist_and_key_terms_are_in_them(entry: dict[str, Any]) -> None:
    documents = kb()
    missing = [t for t in entry["on_topic_titles"] + entry.get("off_topic_traps", []) if t not in documents]
    assert not missing, f"not in the packaged knowledge base: {missing}"
    assert not set(entry["on_topic_titles"]) & set(entry.get("off_topic_traps", []))
    unsupported = [
        term
        for term in entry["key_terms"]
        if not any(term in documents[title] for title in entry["on_topic_titles"])
    ]
    assert not unsupported, f"no on-topic document says {unsupported}: a lesson cannot be asked for them"


def test_sets_cover_subjects_types_grades_and_lengths() -> None:
    public = load(PUBLIC)
    assert {e["subject"] for e in public} == SUBJECTS
    assert len({e["type"] for e in public}) >= 5
    grades = {e["grade"] for e in public}
    assert min(grades) <= 3 and max(grades) >= 9
    assert {e["minutes"] for e in public} >= {1, 2, 3}


def test_no_question_copies_a_sample_request() -> None:
    if not SAMPLES.exists():
        pytest.skip(f"{SAMPLES} is not here (clean clone)")
    samples = []
    for line in SAMPLES.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        body = json.loads(line).get("body")
        query = body.get("student_query") if isinstance(body, dict) else None
        if isinstance(query, str) and query.strip():
            samples.append(query)
    assert samples
    for entry in all_entries():
        mine = words(entry["question"])
        for sample in samples:
            theirs = words(sample)
            overlap = len(mine & theirs) / len(mine | theirs)
            assert entry["question"].strip().lower() != sample.strip().lower()
            assert overlap < 0.6, f"{entry['id']} is too close to the sample {sample!r} ({overlap:.2f})"
