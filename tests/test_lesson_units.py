"""Pure parts of the lesson pipeline: policy, captions, slides, readability (the composer: test_composer.py)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from shared.errors import ClarificationNeeded, Rejected
from shared.lesson.captions import MAX_LINE, scene_cues, to_srt, to_webvtt
from shared.lesson.knowledge import Document, KnowledgeBase, add_local_document
from shared.lesson.policy import assess
from shared.lesson.readability import flesch_kincaid_grade
from shared.media.slides import BACKGROUND, MUTED, TEXT, contrast_ratio, render_bullets, render_sources
from tests.conftest import REQUESTS

CASES = [json.loads(line) for line in REQUESTS.read_text().splitlines()]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.default()


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["expect"] in ("rejected", "clarification_needed")], ids=lambda c: c["case"]
)
def test_policy_on_samples(case):
    expected = {"rejected": Rejected, "clarification_needed": ClarificationNeeded}[case["expect"]]
    with pytest.raises(expected) as info:
        assess(case["body"]["student_query"])
    if isinstance(info.value, ClarificationNeeded):
        assert 1 <= len(info.value.questions) <= 3
    else:
        assert info.value.code.startswith("policy_")


@pytest.mark.parametrize(
    "query",
    [
        "Explain how bullying affects students and what schools can do",
        "Why do insults hurt? Teach kindness to grade 2",
        "What is a roast dinner in British cooking?",
        "Why do some animals mock other animals' calls?",
    ],
)
def test_a_lesson_about_a_hard_subject_is_not_refused(query: str):
    assert assess(query).query


def test_grade_is_inferred_from_the_query():
    assert assess("Explain photosynthesis for 8th grade students").inferred_grade == "8"


def test_captions_fit_two_lines_of_42_and_leave_no_gaps():
    text = (
        "The water cycle is a biogeochemical cycle that involves the continuous change in form of water. " * 4
    )
    cues = scene_cues(text, 1.0, 31.0)
    assert cues[0].start_s == 1.0 and cues[-1].end_s == 31.0
    for before, after in itertools.pairwise(cues):
        assert after.start_s == pytest.approx(before.end_s)
    assert all(1 <= len(c.lines) <= 2 and all(len(line) <= MAX_LINE for line in c.lines) for c in cues)
    assert to_webvtt(cues).startswith("WEBVTT\n\n00:00:01.000 --> ")
    assert to_srt(cues).startswith("1\n00:00:01,000 --> ")


def test_captions_follow_the_engines_sentence_times():
    text = "First sentence is short. The second sentence is a good deal longer than the first one was."
    cues = scene_cues(text, 10.0, 20.0, sentence_starts_s=[0.0, 6.0])
    assert cues[0].start_s == 10.0 and cues[0].end_s == 16.0  # the first sentence, exactly as spoken
    assert cues[1].start_s == 16.0 and cues[-1].end_s == 20.0
    proportional = scene_cues(text, 10.0, 20.0)
    assert proportional[0].end_s != 16.0


def test_slides_never_overflow_and_meet_contrast(tmp_path: Path):
    long_words = ["Pneumonoultramicroscopicsilicovolcanoconiosis" * 3] + ["word " * 60] * 4
    for size in ((1280, 720), (1920, 1080)):
        layout = render_bullets(tmp_path / "a.png", "A heading " * 12, long_words, size)
        assert not layout.overflows()
        layout = render_sources(
            tmp_path / "b.png",
            [("Title " * 10, "https://example.org/" + "x" * 200, "CC BY-SA 4.0")] * 8,
            size,
        )
        assert not layout.overflows()
    assert contrast_ratio(TEXT, BACKGROUND) >= 4.5 and contrast_ratio(MUTED, BACKGROUND) >= 4.5


def test_readability_tracks_sentence_complexity():
    easy = "The cat sat. The dog ran. We had fun."
    hard = "Photosynthetic organisms convert electromagnetic radiation into chemically stored energy through complicated biochemical mechanisms."
    assert flesch_kincaid_grade(easy) < 3 < 12 < flesch_kincaid_grade(hard)


def test_added_documents_are_searchable(tmp_path: Path):
    path = tmp_path / "kb.jsonl"
    add_local_document(
        path,
        Document(
            "local:zorb",
            "Zorbling",
            "Zorbling is the art of rolling downhill in a ball.",
            "https://example.org/zorb",
            "CC BY 4.0",
        ),
    )
    kb = KnowledgeBase.default(path)
    assert kb.search("zorbling downhill", k=1)[0].doc_id == "local:zorb"


def test_a_definition_names_its_term_as_the_source_does():
    from shared.lesson.naming import as_sources_say as _as_sources_say

    assert (
        _as_sources_say("Access management", "Access management is the practice of …") == "access management"
    )
    assert _as_sources_say("Sonnet", "A sonnet is a poem of fourteen lines.") == "a sonnet"
    assert _as_sources_say("Water cycle", "The water cycle is the path …") == "the water cycle"
    assert _as_sources_say("Amazon River", "The Amazon River is …") == "the Amazon River"
