"""Script writers behind one Protocol: the offline grounded composer, and Gemini on Vertex AI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from shared.ai.embeddings import Embedder, WordLlamaEmbedder
from shared.lesson.composer import compose
from shared.lesson.glossary import Glossary
from shared.lesson.knowledge import Passage
from shared.lesson.script import LessonScript
from shared.lesson.syntax import ParseSimplifier, Simplifier

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
        """A validated LessonScript grounded in `passages`; TooLittleSource when they cannot carry a lesson.

        `on_usage` receives what the call consumed (LLM tokens), for the cost estimate.
        """
        ...


class GroundedComposer:
    """Offline: answers from the passages with a packaged embedding model, WordNet's common words and a
    packaged parser that cuts long sentences apart."""

    name = "grounded-composer"

    def __init__(
        self,
        embedder: Embedder | None = None,
        glossary: Glossary | None = None,
        simplifier: Simplifier | None = None,
    ) -> None:
        self.embedder = embedder or WordLlamaEmbedder()
        self.glossary = glossary or Glossary()
        self.simplifier = simplifier or ParseSimplifier()

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
        return compose(
            query=query,
            grade=grade,
            minutes=minutes,
            passages=passages,
            language=language,
            embedder=self.embedder,
            glossary=self.glossary,
            simplifier=self.simplifier,
        )
