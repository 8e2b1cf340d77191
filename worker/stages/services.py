"""What the lesson stages share, built once per process (arq's ctx).

The engines are chosen in one place, the `make_*` functions below, from settings; whoever assembles the
stages (`lesson_stages`, a test) may hand any of them in instead. An engine not handed in is built on
first use, so a process that never narrates never loads a voice.
"""

from __future__ import annotations

import threading

from shared.ai.writers import GroundedComposer, ScriptWriter
from shared.config import Settings
from shared.lesson.knowledge import KnowledgeBase
from shared.media.tts import Narrator, default_narrator
from shared.messaging.publisher import Publisher


def make_knowledge(settings: Settings) -> KnowledgeBase:
    extra = []
    if settings.knowledge_bucket:
        from shared.lesson.knowledge import load_gcs_documents

        extra = load_gcs_documents(
            settings.knowledge_bucket,
            project=settings.gcp_project,
            emulator_host=settings.storage_emulator_host,
        )
    return KnowledgeBase.default(settings.knowledge_path, extra)


def make_writer(settings: Settings) -> ScriptWriter:
    if settings.script_writer == "gemini":
        from shared.ai.gemini import GeminiScriptWriter

        return GeminiScriptWriter.for_vertex(
            settings.gcp_project, settings.vertex_location, settings.gemini_model
        )
    return GroundedComposer()


def make_narrator(settings: Settings) -> Narrator:
    if settings.narrator == "cloud-tts":
        from shared.media.cloud_tts import CloudTtsNarrator

        return CloudTtsNarrator()
    return default_narrator(settings.narrator)


class LessonServices:
    def __init__(
        self,
        settings: Settings,
        publisher: Publisher,
        *,
        knowledge: KnowledgeBase | None = None,
        writer: ScriptWriter | None = None,
        narrator: Narrator | None = None,
    ) -> None:
        self.settings = settings
        self.publisher = publisher
        self._knowledge, self._writer, self._narrator = knowledge, writer, narrator
        self._lock = threading.Lock()  # stages run on several threads; build each engine once

    @property
    def knowledge(self) -> KnowledgeBase:
        with self._lock:
            if self._knowledge is None:
                self._knowledge = make_knowledge(self.settings)
            return self._knowledge

    @property
    def writer(self) -> ScriptWriter:
        with self._lock:
            if self._writer is None:
                self._writer = make_writer(self.settings)
            return self._writer

    @property
    def narrator(self) -> Narrator:
        with self._lock:
            if self._narrator is None:
                self._narrator = make_narrator(self.settings)
            return self._narrator

    def using(
        self,
        *,
        knowledge: KnowledgeBase | None = None,
        writer: ScriptWriter | None = None,
        narrator: Narrator | None = None,
    ) -> LessonServices:
        """The same services with some engines replaced; the others (built or not) are shared."""
        return LessonServices(
            self.settings,
            self.publisher,
            knowledge=knowledge or self._knowledge,
            writer=writer or self._writer,
            narrator=narrator or self._narrator,
        )
