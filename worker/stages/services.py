"""What the lesson stages share, built once per process (arq's ctx): engines picked by settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from shared.ai.writers import GroundedComposer, ScriptWriter
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
        extra = []
        if self.settings.knowledge_bucket:
            from shared.lesson.knowledge import load_gcs_documents

            extra = load_gcs_documents(self.settings.knowledge_bucket, project=self.settings.gcp_project)
        return KnowledgeBase.default(self.settings.knowledge_path, extra)

    @cached_property
    def writer(self) -> ScriptWriter:
        if self.settings.script_writer == "gemini":
            from shared.ai.gemini import GeminiScriptWriter

            return GeminiScriptWriter.for_vertex(
                self.settings.gcp_project, self.settings.vertex_location, self.settings.gemini_model
            )
        return GroundedComposer()

    @cached_property
    def narrator(self) -> Narrator:
        if self.settings.narrator == "cloud-tts":
            from shared.media.cloud_tts import CloudTtsNarrator

            return CloudTtsNarrator()
        return default_narrator(self.settings.narrator)
