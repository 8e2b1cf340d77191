"""From gaps to courses: which skills to teach, in what order, why, and to what end. Pure, no I/O.

A course is planned for every gap that matters (moderate or critical), and for each prerequisite such a
skill needs that is not mastered itself (any gap above none). They come in prerequisite order (a course
never comes before one it builds on); among those ready at the same point, the more severe first, then the
assessment's own order. Each course's objectives come from the questions the learner missed (2–4), and
its lesson question names what they missed, so the lesson teaches those answers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from shared.paths.assessment import Assessment, slug
from shared.paths.gaps import SEVERITIES, Gap
from shared.paths.objectives import objective

MAX_OBJECTIVES = 4
# Study time on top of the video: each objective gets a short exercise.
MINUTES_PER_OBJECTIVE = 3
DEFAULT_GRADE = "12"  # an assessment without a grade (a professional certification) is taught as grade 12
# A missed question's expected answer becomes a sub-part of the lesson question when it is a short term.
MAX_TERM_WORDS = 4


@dataclass(frozen=True)
class Course:
    position: int  # 1-based, in the order to take them
    skill_id: str
    title: str
    slug: str
    severity: str
    objectives: tuple[str, ...]
    difficulty: str  # introductory | intermediate | advanced
    estimated_minutes: int
    lesson_minutes: int
    lesson_query: str
    grade_level: str
    builds_on: tuple[str, ...]  # skill ids of earlier courses it needs
    reason: str

    @property
    def folder(self) -> str:
        return f"{self.position}-{self.slug}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["objectives"] = list(self.objectives)
        data["builds_on"] = list(self.builds_on)
        data["folder"] = self.folder
        return data


def plan_courses(assessment: Assessment, gaps: list[Gap], *, lesson_minutes: int = 2) -> list[Course]:
    by_id = {gap.skill_id: gap for gap in gaps}
    chosen = _chosen(assessment, by_id)
    ordered = _ordered(assessment, by_id, chosen)
    return [
        _course(assessment, by_id[skill_id], position, ordered, lesson_minutes)
        for position, skill_id in enumerate(ordered, start=1)
    ]


def _chosen(assessment: Assessment, gaps: dict[str, Gap]) -> set[str]:
    chosen = {skill_id for skill_id, gap in gaps.items() if gap.matters}
    frontier = list(chosen)
    while frontier:
        for prerequisite in assessment.skill(frontier.pop()).prerequisites:
            if prerequisite not in chosen and gaps[prerequisite].severity != "none":
                chosen.add(prerequisite)
                frontier.append(prerequisite)
    return chosen


def _ordered(assessment: Assessment, gaps: dict[str, Gap], chosen: set[str]) -> list[str]:
    """Kahn's topological order over the chosen skills; ties: the more severe, then assessment order."""
    order = {skill.id: i for i, skill in enumerate(assessment.skills)}
    needs = {s: {p for p in assessment.skill(s).prerequisites if p in chosen} for s in chosen}
    done: list[str] = []
    while len(done) < len(chosen):
        ready = [s for s in chosen if s not in done and needs[s] <= set(done)]
        ready.sort(key=lambda s: (-SEVERITIES.index(gaps[s].severity), order[s]))
        done.append(ready[0])  # the assessment was checked for cycles, so one is always ready
    return done


def _course(
    assessment: Assessment, gap: Gap, position: int, ordered: list[str], lesson_minutes: int
) -> Course:
    skill = assessment.skill(gap.skill_id)
    missed = [q for q in assessment.questions_of(skill.id) if not q.is_correct]
    objectives = [objective(q.text) for q in missed][: MAX_OBJECTIVES - 1]
    objectives.append(f"Explain the main ideas of {skill.name.lower()} in your own words")
    if len(objectives) < 2:
        objectives.insert(0, f"Describe what {skill.name.lower()} is")
    builds_on = tuple(p for p in skill.prerequisites if p in ordered[: position - 1])
    terms = _terms(skill.name, [q.correct_answer for q in missed])
    query = f"Explain {skill.name.lower()}" + (f", including {_listed(terms)}" if terms else "")
    return Course(
        position=position,
        skill_id=skill.id,
        title=skill.name,
        slug=slug(skill.name),
        severity=gap.severity,
        objectives=tuple(objectives),
        difficulty=_difficulty(assessment, skill.id),
        estimated_minutes=lesson_minutes + MINUTES_PER_OBJECTIVE * len(objectives),
        lesson_minutes=lesson_minutes,
        lesson_query=query,
        grade_level=assessment.grade_level or DEFAULT_GRADE,
        builds_on=builds_on,
        reason=_reason(assessment, gap, builds_on),
    )


def _terms(name: str, answers: list[str | None]) -> list[str]:
    """Short expected answers the learner missed, as sub-parts for the lesson (not the skill's own name)."""
    terms: list[str] = []
    for answer in answers:
        term = (answer or "").strip().rstrip(".")
        term = term[4:] if term.lower().startswith("the ") else term
        if (
            not term
            or len(term.split()) > MAX_TERM_WORDS
            or term.lower() in name.lower()
            or name.lower() in term.lower()
        ):
            continue
        if term.lower() not in (t.lower() for t in terms):
            terms.append(term if term.isupper() or term[1:] != term[1:].lower() else term.lower())
    return terms


def _listed(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"{', '.join(terms[:-1])} and {terms[-1]}"


def _difficulty(assessment: Assessment, skill_id: str) -> str:
    """The hardest level among the missed questions: what the course must reach."""
    levels = [q.difficulty for q in assessment.questions_of(skill_id) if not q.is_correct and q.difficulty]
    if "hard" in levels:
        return "advanced"
    return "intermediate" if "medium" in levels else "introductory"


def _reason(assessment: Assessment, gap: Gap, builds_on: tuple[str, ...]) -> str:
    if gap.mastery is None:
        said = "not tested"
    elif gap.evidence == "insufficient":
        said = f"{gap.severity} gap on {gap.name.lower()} ({gap.basis})"
    else:
        said = f"gap {1 - gap.mastery:.2f} on {gap.name.lower()} ({gap.severity}, {gap.correct} of {gap.items} right)"
    needed_by = [
        other.name.lower()
        for other in assessment.skills
        if gap.skill_id in other.prerequisites and other.id != gap.skill_id
    ]
    parts = [said]
    if builds_on:
        parts.append("needs: " + ", ".join(assessment.skill(s).name.lower() for s in builds_on))
    if not gap.matters and needed_by:
        parts.append("taught first because " + ", ".join(needed_by) + " builds on it")
    return "; ".join(parts)
