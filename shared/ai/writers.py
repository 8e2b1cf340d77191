"""Script writers behind one Protocol: the offline grounded composer, and Gemini on Vertex AI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.lesson.composer import compose
from shared.lesson.knowledge import Passage
from shared.lesson.script import LessonScript

UsageCallback = Callable[[dict[str, float]], None]


class ScriptWriter(Protocol):
    name: str

    def write(
        self,
        *,
        query: str,
        grade: str | None,
        minutes: int,
        language: str,
        passages: list[Passage],
        on_usage: UsageCallback | None = None,
    ) -> LessonScript:
        """A validated LessonScript grounded in `passages`; ValueError when they cannot carry a lesson.

        `on_usage` receives what the call consumed (LLM tokens), for the cost estimate.
        """
        ...


class GroundedComposer:
    name = "grounded-composer"

    def write(
        self,
        *,
        query: str,
        grade: str | None,
        minutes: int,
        language: str,
        passages: list[Passage],
        on_usage: UsageCallback | None = None,
    ) -> LessonScript:
        return compose(query=query, grade=grade, minutes=minutes, passages=passages, language=language)
