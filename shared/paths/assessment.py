"""An assessment as we read it: skills (with prerequisites) and the learner's answers to questions.

Two shapes come in. With a `skills` list (the K–12 sample), every question names its `skill_id`. Without
one (seed 000's AWS export), the skills are the questions' `domain / subdomain` pairs and carry no
prerequisites. A CSV has the question columns, one row per question. Whatever is wrong is reported as
field errors (422), all at once, before anything is planned.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.domain.schemas import field_errors
from shared.errors import InvalidInput

Difficulty = Literal["easy", "medium", "hard"]
MAX_QUESTIONS = 500
MAX_SKILLS = 200


class AssessmentInvalid(InvalidInput):
    """The assessment cannot be analysed."""


class SkillIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    skill_id: str = Field(min_length=1, max_length=120)
    name: str = Field(min_length=1, max_length=200)
    prerequisites: list[str] = Field(default_factory=list, max_length=50)


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    question_id: str = Field(min_length=1, max_length=120)
    question_text: str = Field(min_length=1, max_length=2000)
    is_correct: bool
    skill_id: str | None = Field(default=None, max_length=120)
    domain: str | None = Field(default=None, max_length=200)
    subdomain: str | None = Field(default=None, max_length=200)
    difficulty: Difficulty | None = None
    user_answer: str | None = Field(default=None, max_length=2000)
    correct_answer: str | None = Field(default=None, max_length=2000)
    time_spent_seconds: float | None = Field(default=None, ge=0)

    @field_validator("difficulty", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() or None if isinstance(value, str) else value


class AssessmentIn(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    assessment_title: str = Field(default="Assessment", max_length=300)
    learner_id: str | None = Field(default=None, max_length=200)
    organization_id: str | None = Field(default=None, max_length=200)
    grade_level: str | None = Field(default=None, max_length=20)
    domain: str | None = Field(default=None, max_length=200)
    skills: list[SkillIn] | None = Field(default=None, max_length=MAX_SKILLS)
    questions: list[QuestionIn] = Field(max_length=MAX_QUESTIONS)


@dataclass(frozen=True)
class Skill:
    id: str
    name: str
    prerequisites: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    skill_id: str
    text: str
    is_correct: bool
    difficulty: Difficulty | None
    user_answer: str | None
    correct_answer: str | None


@dataclass(frozen=True)
class Assessment:
    title: str
    grade_level: str | None
    learner_id: str | None
    organization_id: str | None
    skills: tuple[Skill, ...]  # in the order given
    questions: tuple[Question, ...]

    def skill(self, skill_id: str) -> Skill:
        return next(s for s in self.skills if s.id == skill_id)

    def questions_of(self, skill_id: str) -> list[Question]:
        return [q for q in self.questions if q.skill_id == skill_id]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "skill"


def from_json(text: str | bytes) -> Assessment:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AssessmentInvalid([{"field": "body", "reason": f"not valid JSON: {exc}"}]) from exc
    return from_dict(data)


def from_csv(text: str) -> Assessment:
    """One question per row, the JSON field names as headers; is_correct as true/false, yes/no or 1/0."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"question_id", "question_text", "is_correct"} - set(reader.fieldnames or ())
    if missing:
        raise AssessmentInvalid(
            [{"field": "header", "reason": f"missing column(s): {', '.join(sorted(missing))}"}]
        )
    rows = []
    for row in reader:
        cleaned: dict[str, Any] = {k: v for k, v in row.items() if k and v not in (None, "")}
        if "is_correct" in cleaned:
            cleaned["is_correct"] = {
                "true": True,
                "yes": True,
                "1": True,
                "false": False,
                "no": False,
                "0": False,
            }.get(str(cleaned["is_correct"]).strip().lower(), cleaned["is_correct"])
        rows.append(cleaned)
    return from_dict({"questions": rows})


def from_dict(data: Any) -> Assessment:
    if not isinstance(data, dict):
        raise AssessmentInvalid([{"field": "body", "reason": "must be a JSON object"}])
    try:
        parsed = AssessmentIn.model_validate(data)
    except ValidationError as exc:
        raise AssessmentInvalid(field_errors(exc.errors())) from exc
    return _checked(parsed)


def _checked(parsed: AssessmentIn) -> Assessment:
    errors: list[dict[str, str]] = []
    if not parsed.questions:
        errors.append({"field": "questions", "reason": "at least one question is needed"})
    errors += _duplicates("questions", "question_id", [q.question_id for q in parsed.questions])
    if parsed.skills:
        skills = tuple(Skill(s.skill_id, s.name, tuple(s.prerequisites)) for s in parsed.skills)
        errors += _duplicates("skills", "skill_id", [s.id for s in skills])
        known = {s.id for s in skills}
        for i, skill in enumerate(skills):
            for j, prerequisite in enumerate(skill.prerequisites):
                if prerequisite not in known:
                    errors.append(
                        {
                            "field": f"skills.{i}.prerequisites.{j}",
                            "reason": f"unknown skill_id {prerequisite!r}",
                        }
                    )
        for i, q in enumerate(parsed.questions):
            if not q.skill_id:
                errors.append(
                    {"field": f"questions.{i}.skill_id", "reason": "required when skills are listed"}
                )
            elif q.skill_id not in known:
                errors.append(
                    {"field": f"questions.{i}.skill_id", "reason": f"unknown skill_id {q.skill_id!r}"}
                )
        if not errors and (cycle := _cycle(skills)):
            errors.append({"field": "skills", "reason": f"prerequisite cycle: {' → '.join(cycle)}"})
        skill_of = {q.question_id: q.skill_id or "" for q in parsed.questions}
    else:
        skills, skill_of = _skills_from_domains(parsed.questions, errors)
    if errors:
        raise AssessmentInvalid(errors)
    used = set(skill_of.values())
    return Assessment(
        title=parsed.assessment_title,
        grade_level=parsed.grade_level,
        learner_id=parsed.learner_id,
        organization_id=parsed.organization_id,
        skills=tuple(s for s in skills if s.id in used or any(s.id in o.prerequisites for o in skills)),
        questions=tuple(
            Question(
                id=q.question_id,
                skill_id=skill_of[q.question_id],
                text=q.question_text,
                is_correct=q.is_correct,
                difficulty=q.difficulty,
                user_answer=q.user_answer,
                correct_answer=q.correct_answer,
            )
            for q in parsed.questions
        ),
    )


def _skills_from_domains(
    questions: list[QuestionIn], errors: list[dict[str, str]]
) -> tuple[tuple[Skill, ...], dict[str, str]]:
    """No skills list: a question's skill is its skill_id if given, else its domain / subdomain."""
    skills: dict[str, Skill] = {}
    skill_of: dict[str, str] = {}
    for i, q in enumerate(questions):
        if q.skill_id:
            skill = Skill(q.skill_id, q.subdomain or q.domain or q.skill_id, ())
        elif q.domain or q.subdomain:
            name = " / ".join(part for part in (q.domain, q.subdomain) if part)
            skill = Skill(slug(name), q.subdomain or name, ())
        else:
            errors.append(
                {
                    "field": f"questions.{i}",
                    "reason": "give skill_id, or domain and subdomain, to say what it tests",
                }
            )
            continue
        skills.setdefault(skill.id, skill)
        skill_of[q.question_id] = skill.id
    return tuple(skills.values()), skill_of


def _duplicates(where: str, key: str, ids: list[str]) -> list[dict[str, str]]:
    seen: set[str] = set()
    out = []
    for i, value in enumerate(ids):
        if value in seen:
            out.append({"field": f"{where}.{i}.{key}", "reason": f"duplicate {key} {value!r}"})
        seen.add(value)
    return out


def _cycle(skills: tuple[Skill, ...]) -> list[str] | None:
    """A prerequisite cycle as the path that closes it (a → b → a), or None."""
    needs = {s.id: s.prerequisites for s in skills}
    state: dict[str, str] = {}  # visiting | done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "visiting"
        for prerequisite in needs[node]:
            if state.get(prerequisite) == "visiting":
                return (
                    [*path[path.index(prerequisite) :], prerequisite]
                    if prerequisite in path
                    else [node, prerequisite]
                )
            if prerequisite not in state and (found := visit(prerequisite, [*path, prerequisite])):
                return found
        state[node] = "done"
        return None

    for skill in skills:
        if skill.id not in state and (found := visit(skill.id, [skill.id])):
            return found
    return None
