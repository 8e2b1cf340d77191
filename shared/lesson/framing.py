"""The framing every lesson gets, whoever wrote its body: a title card that welcomes, a closing card
that reviews and cites. Pure; it states no facts, so grounding checks skip it.
"""

from __future__ import annotations

from shared.lesson.script import Scene, VisualSpec

OUTRO = "That is the end of this lesson. Now test yourself with the quiz questions, and check the sources to read more."


def intro_for(title: str) -> str:
    return f"Welcome! In this lesson we will learn about {title}. Listen for the key ideas, and try the quiz at the end."


def framing_words(title: str) -> int:
    return len(intro_for(title).split()) + len(OUTRO.split())


def short_title(title: str) -> str:
    return title if len(title) <= 60 else title[:57] + "…"


def framed(title: str, body: list[Scene]) -> list[Scene]:
    """[title card, *body, closing card]: the render stage draws the sources on the closing card."""
    return [
        Scene(heading=short_title(title), narration=intro_for(title), visual=VisualSpec(layout="title")),
        *body,
        Scene(
            heading="Review",
            narration=OUTRO,
            bullets=[s.heading for s in body][:4],
            visual=VisualSpec(layout="closing"),
        ),
    ]
