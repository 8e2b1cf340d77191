"""The framing every lesson gets, whoever wrote its body: a title card that says what the lesson answers, a
closing card that cites. Pure; it states no facts, so grounding checks skip it.
"""

from __future__ import annotations

from typing import Any

from shared.lesson.script import Scene, VisualSpec

OUTRO = "That is the end of this lesson. Check the sources on screen to read more."


def intro_for(title: str, question: str | None = None) -> str:
    if question and question.rstrip().endswith("?"):
        return f"Welcome! Today's question: {question.strip()} Let's find out, and then try a short quiz."
    if question:
        return f"Welcome! In this lesson we will learn about {title}. Listen for the key ideas, and try the quiz at the end."
    return f"Welcome! In this lesson we will learn about {title}. Listen for the key ideas, and try the quiz at the end."


def framing_words(title: str) -> int:
    return len(intro_for(title).split()) + len(OUTRO.split())


def short_title(title: str) -> str:
    return title if len(title) <= 60 else title[:57] + "…"


def framed(title: str, body: list[Scene], plan: Any = None) -> list[Scene]:
    """[title card, *body, closing card]: the render stage draws the sources on the closing card."""
    question = getattr(plan, "question", None)
    return [
        Scene(
            kind="intro",
            heading=short_title(title),
            narration=intro_for(title, question),
            visual=VisualSpec(layout="title"),
        ),
        *body,
        Scene(
            kind="outro",
            heading="Sources",
            narration=OUTRO,
            bullets=[s.heading[:80] for s in body if s.kind not in ("quiz_question", "quiz_answer", "recap")][
                :4
            ],
            visual=VisualSpec(layout="closing"),
        ),
    ]
