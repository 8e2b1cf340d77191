"""A lesson's outline, from basics to advanced: one section per taught scene, in the lesson's order.

Pure: built from the script the lesson was made from, so the outline never promises what the video does
not teach. A course outline wants MIN_SECTIONS to MAX_SECTIONS sections; when the sources support fewer,
the outline says so (`complete: false` and a note) instead of padding itself with filler.
"""

from __future__ import annotations

import re
from typing import Any

import Stemmer

from shared.lesson.script import LessonScript, QuizItem, Scene, Source
from shared.lesson.shaping import split_sentences

MIN_SECTIONS, MAX_SECTIONS = 5, 7
CONNECTIVE = re.compile(r"^(?:(?:first|next|now|then|finally|so),\s+)?let's\b", re.IGNORECASE)
_STEMMER = Stemmer.Stemmer("english")
LEVELS = {
    "definition": "basics",
    "part": "core",
    "mechanism": "core",
    "comparison": "deeper",
    "example": "applied",
}


def _taught_sentences(narration: str) -> list[str]:
    """The scene's sentences that teach (not the connective line leading into it)."""
    return [s for s in split_sentences(narration) if not CONNECTIVE.match(s)]


def _sources(scene: Scene, titles: dict[str, Source]) -> list[dict[str, str]]:
    return [
        {"title": titles[i].title, "url": titles[i].url} if i in titles else {"title": i, "url": ""}
        for i in scene.source_ids
    ]


def _stems(text: str) -> set[str]:
    return set(_STEMMER.stemWords(re.findall(r"[a-z0-9]+", text.lower())))


def _exercise(scene: Scene, quiz: list[QuizItem], used: set[int]) -> dict[str, Any] | None:
    """The quiz question that checks this section: the first unused one whose answer the scene states
    (every word of it, stemmed: "condenses" states "condensation"), or that asks about its heading."""
    said = _stems(scene.narration)
    for index, item in enumerate(quiz):
        answer = _stems(item.answer)
        asks = scene.heading.lower().rstrip("?") in item.question.lower()
        if index not in used and answer and (answer <= said or asks):
            used.add(index)
            return {"question": item.question, "options": list(item.options), "answer": item.answer}
    return None


def outline_of(script: LessonScript, *, objectives: list[str] | None = None) -> dict[str, Any]:
    titles = {s.doc_id: s for s in script.sources}
    taught = [s for s in script.taught_scenes if s.kind != "recap" and s.source_ids]
    used: set[int] = set()
    sections: list[dict[str, Any]] = []
    by_title: dict[str, dict[str, Any]] = {}
    for scene in taught:
        sentences = _taught_sentences(scene.narration)
        same = by_title.get(scene.heading.strip().lower())
        if same is not None:  # a scene that goes on about an earlier section's subject extends it
            same["key_points"] += [b for b in scene.bullets if b not in same["key_points"]]
            same["sources"] += [s for s in _sources(scene, titles) if s not in same["sources"]]
            continue
        if len(sections) == MAX_SECTIONS:
            break
        section: dict[str, Any] = {
            "title": scene.heading,
            "level": LEVELS.get(scene.kind, "core"),
            "teaches": sentences[0] if sentences else scene.heading,
            "key_points": list(scene.bullets),
            "sources": _sources(scene, titles),
        }
        by_title[scene.heading.strip().lower()] = section
        if scene.kind == "example" and len(sentences) > 1:
            section["example"] = " ".join(sentences[1:3])
        exercise = _exercise(scene, list(script.quiz), used)
        if exercise:
            section["exercise"] = exercise
        sections.append(section)
    notes = []
    if len(sections) < MIN_SECTIONS:
        notes.append(
            f"The knowledge base supports {len(sections)} section{'s' if len(sections) != 1 else ''} of the "
            f"{MIN_SECTIONS} a course outline asks for; add documents with `vividly kb add` for a fuller one."
        )
    listed = sum(1 for scene in taught if scene.heading.strip().lower() in by_title)
    if listed < len(taught):
        notes.append(f"{len(taught) - listed} further scene(s) of the lesson are not listed.")
    return {
        "title": script.title,
        "grade_level": script.grade_level,
        "objectives": list(objectives or script.objectives),
        "complete": len(sections) >= MIN_SECTIONS,
        "sections": sections,
        "quiz": [q.model_dump() for q in script.quiz],
        "sources": [s.model_dump() for s in script.sources],
        "notes": notes,
    }
