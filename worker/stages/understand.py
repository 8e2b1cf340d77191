"""validating, retrieving, generating_script: from the question to a grounded LessonScript."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shared.domain.status import Status
from shared.errors import ClarificationNeeded, TooLittleSource
from shared.lesson.knowledge import Passage
from shared.lesson.outline import outline_of
from shared.lesson.plan import plan_question
from shared.lesson.policy import assess
from shared.lesson.relevance import candidates
from worker.pipeline import Output, StageContext
from worker.stages.services import LessonServices

VALIDATION = Output("validation", "validation.json", "application/json")
PASSAGES = Output("passages", "passages.json", "application/json")
SCRIPT = Output("script", "script.json", "application/json")
OUTLINE = Output("outline", "outline.json", "application/json")
MIN_TOP_SCORE = 3.0


def _read(ctx: StageContext, output: Output) -> dict:  # type: ignore[type-arg]
    return json.loads(ctx.input_path(output).read_text())  # type: ignore[no-any-return]


@dataclass
class ValidateStage:
    services: LessonServices
    name: str = "validate"
    status: Status = Status.VALIDATING
    outputs: tuple[Output, ...] = (VALIDATION,)

    def run(self, ctx: StageContext) -> None:
        request = ctx.request
        query = " ".join([request.query, *(request.clarification_answers or [])])
        assessment = assess(query)
        grade = request.grade_level or assessment.inferred_grade
        ctx.output_path(VALIDATION).write_text(
            json.dumps(
                {
                    "query": query,
                    "topic_terms": assessment.topic_terms,
                    "grade_level": grade,
                    "minutes": request.duration_minutes,
                    "language": request.language,
                }
            )
        )


@dataclass
class RetrieveStage:
    services: LessonServices
    name: str = "retrieve"
    status: Status = Status.RETRIEVING
    outputs: tuple[Output, ...] = (PASSAGES,)

    def run(self, ctx: StageContext) -> None:
        validation = _read(ctx, VALIDATION)
        # Candidates for the question as a whole, its focus and each part it names; the script stage's
        # relevance judge keeps only those about the question.
        language = validation["language"].split("-")[0]
        passages = candidates(self.services.knowledge, plan_question(validation["query"]), language=language)
        if not passages or max(p.score for p in passages) < MIN_TOP_SCORE:
            raise ClarificationNeeded(
                [
                    "We could not find source material on that. Could you name the topic differently, "
                    "or give a related idea we should start from?",
                ],
                "no match in the knowledge base",
            )
        ctx.output_path(PASSAGES).write_text(json.dumps([p.to_dict() for p in passages]))


@dataclass
class ScriptStage:
    services: LessonServices
    name: str = "script"
    status: Status = Status.GENERATING_SCRIPT
    outputs: tuple[Output, ...] = (SCRIPT, OUTLINE)

    def run(self, ctx: StageContext) -> None:
        validation = _read(ctx, VALIDATION)
        passages = [Passage(**p) for p in json.loads(ctx.input_path(PASSAGES).read_text())]
        try:
            script = self.services.writer.write(
                query=validation["query"],
                grade=validation["grade_level"],
                minutes=validation["minutes"],
                passages=passages,
                language=validation["language"],
                on_usage=lambda usage: ctx.add_usage(**usage),
            )
        except TooLittleSource as exc:
            raise ClarificationNeeded(
                [f"Our sources say little about that ({exc}). Could you narrow or rephrase the topic?"],
                str(exc),
            ) from exc
        given = ctx.request.options.get("objectives")
        if given:
            script = script.model_copy(update={"objectives": list(given)})
        ctx.output_path(SCRIPT).write_text(script.model_dump_json(indent=2))
        ctx.output_path(OUTLINE).write_text(json.dumps(outline_of(script), indent=2, ensure_ascii=False))
        ctx.add_warnings(script.warnings)
        if script.reading_grade is not None:
            ctx.set_reading_grade(script.reading_grade)
