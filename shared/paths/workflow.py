"""A learning path as a workflow: the gap analysis is worked out at submit, each course is one child item."""

from __future__ import annotations

from typing import Any

from shared.db.models import Workflow
from shared.domain.schemas import ContentRequestCreate
from shared.paths.assessment import Assessment
from shared.paths.courses import Course, plan_courses
from shared.paths.gaps import analyse
from shared.workflows.engine import NewItem, WorkflowEngine

KIND = "learning_path"
COURSE = "course"


def course_item(
    course: Course, *, organization_id: str, language: str, presenter_room: bool = False
) -> NewItem:
    request = ContentRequestCreate.model_validate(
        {
            "student_query": course.lesson_query,
            "grade_level": course.grade_level,
            "duration_minutes": course.lesson_minutes,
            "language": language,
            "organization_id": organization_id,
            "options": {"objectives": list(course.objectives), "presenter_room": presenter_room},
        }
    )
    return NewItem(kind=COURSE, title=course.title, request=request, details={"course": course.as_json()})


def path_result(assessment: Assessment, *, lesson_minutes: int) -> tuple[dict[str, Any], list[Course]]:
    gaps = analyse(assessment)
    courses = plan_courses(assessment, gaps, lesson_minutes=lesson_minutes)
    result = {
        "title": assessment.title,
        "learner_id": assessment.learner_id,
        "gaps": [gap.as_json() for gap in gaps],
        "courses": [course.as_json() for course in courses],
    }
    return result, courses


def start_path(
    engine: WorkflowEngine,
    assessment: Assessment,
    raw: dict[str, Any],
    *,
    correlation_id: str,
    max_concurrent: int = 2,
    lesson_minutes: int = 2,
    organization_id: str | None = None,
    idempotency_key: str | None = None,
    language: str = "en-US",
    plan_only: bool = False,
    presenter_room: bool = False,
) -> tuple[Workflow, bool]:
    """The path as a workflow; `plan_only`: the diagnosis and the plan, no course items (complete at once);
    `presenter_room`: the courses' slides leave room for a presenter video made from their decks."""
    organization = organization_id or assessment.organization_id or "default"
    result, courses = path_result(assessment, lesson_minutes=lesson_minutes)
    return engine.create(
        kind=KIND,
        organization_id=organization,
        items=[]
        if plan_only
        else [
            course_item(c, organization_id=organization, language=language, presenter_room=presenter_room)
            for c in courses
        ],
        max_concurrent=max_concurrent,
        input=raw,
        result=result,
        idempotency_key=idempotency_key,
        correlation_id=correlation_id,
    )
