"""Outlines: one section per taught scene in the lesson's order, a scene going on about an earlier
section's subject folded into it, the quiz question that checks a section attached, and an outline the
sources cannot fill said to be incomplete rather than padded."""

from __future__ import annotations

from shared.lesson.outline import MIN_SECTIONS, outline_of
from shared.lesson.script import LessonScript, Source
from tests.test_slides import sample_lesson


def _cited(script: LessonScript, keep: int | None = None) -> LessonScript:
    """The sample lesson with every taught scene citing the one source (the first `keep` of them only)."""
    scenes = []
    taught = 0
    for scene in script.scenes:
        if scene in script.taught_scenes:
            taught += 1
            if keep is not None and taught > keep:
                continue
            scene = scene.model_copy(update={"source_ids": ["wiki:Water cycle"]})
        scenes.append(scene)
    source = Source(doc_id="wiki:Water cycle", title="Water cycle", url="https://w/Water_cycle", license="CC")
    return script.model_copy(update={"scenes": scenes, "sources": [source]})


def test_sections_follow_the_lesson_from_basics_on():
    script = _cited(sample_lesson())
    outline = outline_of(script, objectives=["Describe the water cycle", "Explain condensation"])
    titles = [s["title"] for s in outline["sections"]]
    taught = [s.heading for s in script.taught_scenes if s.kind != "recap"]
    assert titles == taught[: len(titles)] and MIN_SECTIONS <= len(titles) <= 7
    assert outline["complete"] and not outline["notes"]
    assert outline["objectives"] == ["Describe the water cycle", "Explain condensation"]
    first = outline["sections"][1]  # "What is evaporation?": the definition, the basics
    assert first["level"] == "basics" and first["teaches"] and first["key_points"]
    assert first["sources"] == [{"title": "Water cycle", "url": "https://w/Water_cycle"}]
    assert not any(s["teaches"].lower().startswith("let's") for s in outline["sections"])
    # The condensation question checks the section whose narration says "condensation".
    checked = [s for s in outline["sections"] if "exercise" in s]
    assert any(s["exercise"]["answer"] == "Condensation" for s in checked)


def test_a_repeated_subject_extends_its_section():
    script = _cited(sample_lesson())
    scenes = list(script.scenes)
    again = scenes[2].model_copy(update={"bullets": ["Warm water turns to vapour faster"], "reveal": []})
    scenes.insert(5, again)  # a second scene headed "What is evaporation?"
    outline = outline_of(script.model_copy(update={"scenes": scenes}))
    (section,) = [s for s in outline["sections"] if s["title"] == "What is evaporation?"]
    assert "Warm water turns to vapour faster" in section["key_points"]


def test_too_little_source_is_said_not_padded():
    outline = outline_of(_cited(sample_lesson(), keep=3))
    assert len(outline["sections"]) == 3 and not outline["complete"]
    assert "supports 3 sections of the 5" in outline["notes"][0] and "vividly kb add" in outline["notes"][0]
