"""Gemini (Vertex AI in production) as the script writer: JSON response schema, validation, retries.

The model drafts scenes and quiz from the retrieved passages it is given; what comes back is validated
into a LessonScript (answers among options, 3-5 questions, 2-4 objectives) and retried when malformed.
Sources, speaking rate and word targets are ours, never the model's.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from google import genai
from google.genai import errors as genai_errors
from google.genai import types
from pydantic import BaseModel, ValidationError

from shared.ai.writers import UsageCallback
from shared.domain.language import language_name, primary
from shared.errors import PermanentError, TooLittleSource, TransientError
from shared.lesson.composer import words_per_minute
from shared.lesson.framing import framed, framing_words, short_title
from shared.lesson.knowledge import Passage
from shared.lesson.readability import flesch_kincaid_grade
from shared.lesson.script import LessonScript, QuizItem, Scene, Source
from shared.resilience import VERTEX_AI, call_with_resilience


class SceneDraft(BaseModel):
    heading: str
    narration: str
    bullets: list[str]


class QuizDraft(BaseModel):
    question: str
    options: list[str]
    answer: str
    explanation: str


class ScriptDraft(BaseModel):
    """The response schema given to the model."""

    title: str
    objectives: list[str]
    scenes: list[SceneDraft]
    quiz: list[QuizDraft]


class MalformedScript(TransientError):
    code = "malformed_script"
    outage = False  # the service answered; the circuit breaker does not count it


def build_prompt(
    query: str, grade: str | None, minutes: int, passages: list[Passage], language: str = "en-US"
) -> str:
    target = minutes * words_per_minute(grade) - framing_words(query[:60])
    sources = "\n\n".join(f"[{i + 1}] {p.title} ({p.license})\n{p.text}" for i, p in enumerate(passages))
    name = language_name(language)
    return (
        f"Write a narrated lesson for a grade {grade or '6'} learner who asked: {query!r}.\n"
        f"Write every word of it (title, objectives, headings, narration, bullets, quiz) in {name} "
        f"(language tag {language}), whatever the language of the sources.\n"
        f"Use only facts stated in the sources below; do not add facts from elsewhere.\n"
        f"About {target} words of narration in total, in 3 to 7 scenes, sentences a grade {grade or '6'} "
        f"learner can follow. Each scene: a short heading, its narration, at most 4 bullets of under 10 words.\n"
        f"2 to 4 learning objectives. A quiz of 3 to 5 multiple-choice questions, each with 3 or 4 distinct "
        f"options, the answer copied exactly from the options, and a one-sentence explanation.\n\n"
        f"Sources:\n{sources}"
    )


class GeminiScriptWriter:
    name = "gemini"

    def __init__(
        self, client: genai.Client, *, model: str = "gemini-2.5-flash", timeout_s: float = 60.0
    ) -> None:
        self.client = client
        self.model = model
        self.timeout_s = timeout_s

    @classmethod
    def for_vertex(cls, project: str, location: str, model: str) -> GeminiScriptWriter:
        return cls(genai.Client(vertexai=True, project=project, location=location), model=model)

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
        if not passages:
            raise TooLittleSource("no passages to write from")
        wpm = words_per_minute(grade)

        def to_script(draft: ScriptDraft) -> LessonScript:
            return LessonScript(
                title=short_title(draft.title),
                grade_level=grade or "6",
                language=language,
                objectives=draft.objectives,
                scenes=framed(draft.title, [Scene.model_validate(s.model_dump()) for s in draft.scenes]),
                quiz=[QuizItem.model_validate(q.model_dump()) for q in draft.quiz],
                sources=[
                    Source(doc_id=p.doc_id, title=p.title, url=p.source_url, license=p.license)
                    for p in passages
                ],
                target_words=minutes * wpm,
                words_per_minute=wpm,
                # Flesch-Kincaid's weights are for English; other languages get no figure rather than a wrong one.
                reading_grade=(
                    flesch_kincaid_grade(" ".join(s.narration for s in draft.scenes))
                    if primary(language) == "en"
                    else None
                ),
                notes=[f"Written by {self.model}; grounded in {len(passages)} retrieved passages."],
            )

        prompt = build_prompt(query, grade, minutes, passages, language)
        try:
            return call_with_resilience(VERTEX_AI, lambda: self._generate(prompt, to_script, on_usage))
        except MalformedScript as exc:
            raise PermanentError(
                f"the model kept returning malformed scripts: {exc}", code="malformed_script"
            ) from exc

    def _generate(
        self, prompt: str, to_script: Callable[[ScriptDraft], LessonScript], on_usage: UsageCallback | None
    ) -> LessonScript:
        try:
            response = self.client.models.generate_content(
                model=self.model,
                contents=prompt,
                config=types.GenerateContentConfig(
                    response_mime_type="application/json",
                    response_schema=ScriptDraft,
                    temperature=0.3,
                    http_options=types.HttpOptions(timeout=int(self.timeout_s * 1000)),
                ),
            )
        except genai_errors.APIError as exc:
            if exc.code in (408, 429) or (exc.code or 0) >= 500:
                raise TransientError(f"Gemini answered {exc.code}") from exc
            raise PermanentError(
                f"Gemini refused the request ({exc.code}): {exc.message}", code="llm_rejected"
            ) from exc
        metadata = response.usage_metadata
        if on_usage is not None and metadata is not None:  # every attempt is billed, malformed or not
            on_usage(
                {
                    "llm_input_tokens": metadata.prompt_token_count or 0,
                    "llm_output_tokens": metadata.candidates_token_count or 0,
                }
            )
        try:
            # Validation failures (answer not among options, too few questions...) are retried, not failed.
            return to_script(ScriptDraft.model_validate(json.loads(response.text or "")))
        except (ValueError, ValidationError) as exc:
            raise MalformedScript(str(exc)[:200]) from exc
