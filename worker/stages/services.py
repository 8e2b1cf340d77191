"""What the lesson stages share, built once per process (arq's ctx)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from shared.config import Settings
from shared.lesson.knowledge import KnowledgeBase
from shared.media.tts import Narrator, default_narrator
from shared.messaging.publisher import Publisher


@dataclass
class LessonServices:
    settings: Settings
    publisher: Publisher

    @cached_property
    def knowledge(self) -> KnowledgeBase:
        return KnowledgeBase.default(self.settings.knowledge_path)

    @cached_property
    def narrator(self) -> Narrator:
        return default_narrator()
