"""A lesson script as slides: what each scene shows, for the video and the deck alike (one slide model)."""

from __future__ import annotations

from shared.lesson.script import LessonScript, QuizItem, Scene
from shared.media.slides import Slide


def slide_for(script: LessonScript, index: int) -> Slide:
    """What scene `index` shows: its visual spec, plus what only the script knows (title card, sources,
    the quiz explanation, which question of how many, the place in the lesson)."""
    scene = script.scenes[index]
    visual = scene.visual
    extra: dict[str, object] = {}
    if visual.layout == "title":
        grade = "Kindergarten" if script.grade_level == "K" else f"Grade {script.grade_level}"
        minutes = max(1, round(script.narration_words / max(1, script.words_per_minute)))
        ideas = len(script.taught_scenes)
        has_quiz = any(s.kind == "quiz_question" for s in script.scenes) or bool(script.quiz)
        parts = [
            grade,
            f"{ideas} key idea{'s' if ideas != 1 else ''}",
            f"about {minutes} minute{'s' if minutes != 1 else ''}",
        ]
        extra = {
            "heading": script.title,
            "eyebrow": f"{grade} lesson",
            "subtitle": " · ".join([*parts, "quiz at the end"] if has_quiz else parts),
            "objectives": tuple(script.objectives),
        }
    elif visual.layout == "closing":
        extra = {"sources": tuple((s.title, s.url, s.license) for s in script.sources)}
    elif visual.layout in ("quiz_question", "quiz_answer"):
        item = _quiz_item(script, index)
        same = [i for i, s in enumerate(script.scenes) if s.visual.layout == visual.layout]
        if visual.layout == "quiz_question":
            extra = {"eyebrow": f"Quiz · question {same.index(index) + 1} of {len(same)}"}
        else:
            extra = {"explanation": item.explanation if item else "", "term": _answer(scene, item)}
        if item and not scene.heading.rstrip().endswith("?"):
            extra["heading"] = item.question  # a heading such as "Question 1 of 2": show the question itself
    fields: dict[str, object] = {
        "layout": visual.layout,
        "heading": scene.heading,
        "bullets": tuple(scene.bullets),
        "term": visual.term,
        "labels": tuple(visual.labels),
        "columns": tuple(visual.columns),
        "sides": tuple(visual.sides),
        "equation": visual.equation,
        "position": (index, len(script.scenes)),
        **extra,
    }
    return Slide(**fields)  # type: ignore[arg-type]


def _quiz_item(script: LessonScript, index: int) -> QuizItem | None:
    """The quiz item a question or answer scene shows: the one with the same options (and answer)."""
    scene = script.scenes[index]
    same = [q for q in script.quiz if set(q.options) == set(scene.bullets)]
    if len(same) > 1 and scene.visual.term:
        same = [q for q in same if q.answer.startswith(scene.visual.term.rstrip("…"))] or same
    return same[0] if same else None


def _answer(scene: Scene, item: QuizItem | None) -> str | None:
    """The option the answer scene lights: its term, even cut short (a term holds 60 characters, an
    option 80), else the quiz item's answer."""
    term = (scene.visual.term or "").strip()
    if term in scene.bullets:
        return term
    starting = [o for o in scene.bullets if term and o.startswith(term.rstrip("…").rstrip())]
    if len(starting) == 1:
        return starting[0]
    if item and item.answer in scene.bullets:
        return item.answer
    return scene.visual.term
