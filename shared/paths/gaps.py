"""Gap analysis: how sure we are of each skill's mastery, and how much its gap matters. Pure, no I/O.

Mastery is a Beta posterior, starting from a uniform prior Beta(1, 1). Each answer adds its weight to the
correct (α) or the missed (β) side, weighted by what it proves: a hard question answered right, or an easy
one missed, says more than the opposite (EVIDENCE). The estimate is the posterior mean with its central
80 % interval, so two right answers read "about 73 %, somewhere in 45–93 %", never a confident 100 %.

Severity, from the posterior mean (SEVERITY_FLOORS): none ≥ 0.70 > minor ≥ 0.55 > moderate ≥ 0.35 >
critical. Fewer than MIN_ITEMS questions is insufficient evidence: it is said in the reason, and the
severity is at most moderate (one missed question is a reason to teach, not a diagnosis). A skill whose
prerequisite has a moderate or critical gap is flagged even when its own answers were right.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from scipy.special import betaincinv

from shared.paths.assessment import Assessment, Question

Severity = Literal["none", "minor", "moderate", "critical"]
SEVERITIES: tuple[Severity, ...] = ("none", "minor", "moderate", "critical")
SEVERITY_FLOORS: tuple[tuple[float, Severity], ...] = ((0.70, "none"), (0.55, "minor"), (0.35, "moderate"))
MIN_ITEMS = 2
INTERVAL = (0.10, 0.90)
# (weight when answered right, weight when missed) per difficulty; unknown difficulty counts as medium.
EVIDENCE: dict[str | None, tuple[float, float]] = {
    "easy": (0.75, 1.25),
    "medium": (1.0, 1.0),
    "hard": (1.25, 0.75),
    None: (1.0, 1.0),
}


@dataclass(frozen=True)
class Gap:
    skill_id: str
    name: str
    mastery: float | None  # posterior mean; None when no question tested the skill
    interval: tuple[float, float] | None
    items: int
    correct: int
    severity: Severity
    evidence: Literal["sufficient", "insufficient", "none"]
    weak_prerequisites: tuple[str, ...]
    missed: tuple[str, ...]  # question ids, in the assessment's order
    basis: str  # what the answers themselves say
    prerequisite_note: str = ""

    @property
    def reason(self) -> str:
        return "; ".join(part for part in (self.basis, self.prerequisite_note) if part)

    @property
    def matters(self) -> bool:
        return SEVERITIES.index(self.severity) >= SEVERITIES.index("moderate")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reason"] = self.reason
        data["interval"] = list(self.interval) if self.interval else None
        data["weak_prerequisites"] = list(self.weak_prerequisites)
        data["missed"] = list(self.missed)
        return data


def posterior(questions: list[Question]) -> tuple[float, float]:
    alpha, beta = 1.0, 1.0
    for q in questions:
        right, missed = EVIDENCE.get(q.difficulty, EVIDENCE[None])
        if q.is_correct:
            alpha += right
        else:
            beta += missed
    return alpha, beta


def severity_of(mastery: float) -> Severity:
    return next((severity for floor, severity in SEVERITY_FLOORS if mastery >= floor), "critical")


def analyse(assessment: Assessment) -> list[Gap]:
    """One Gap per skill, in the assessment's skill order."""
    own = {skill.id: _own_gap(assessment, skill.id) for skill in assessment.skills}
    gaps = []
    for skill in assessment.skills:
        gap = own[skill.id]
        weak = tuple(p for p in skill.prerequisites if own[p].matters)
        if weak:
            names = ", ".join(assessment.skill(p).name for p in weak)
            gap = _with(gap, weak_prerequisites=weak, prerequisite_note=f"builds on {names}, a gap")
        gaps.append(gap)
    return gaps


def _own_gap(assessment: Assessment, skill_id: str) -> Gap:
    skill = assessment.skill(skill_id)
    questions = assessment.questions_of(skill_id)
    correct = sum(q.is_correct for q in questions)
    missed = tuple(q.id for q in questions if not q.is_correct)
    if not questions:
        return Gap(skill.id, skill.name, None, None, 0, 0, "none", "none", (), (), "no question tested it")
    alpha, beta = posterior(questions)
    mastery = alpha / (alpha + beta)
    low, high = (float(betaincinv(alpha, beta, p)) for p in INTERVAL)
    severity = severity_of(mastery)
    answered = f"{correct} of {len(questions)} right"
    if len(questions) < MIN_ITEMS:
        if severity == "critical":
            severity = "moderate"
        word = "question" if len(questions) == 1 else "questions"
        verdict = "answered right" if correct else "missed"
        basis = f"insufficient evidence: only {len(questions)} {word}, {verdict}"
        evidence: Literal["sufficient", "insufficient"] = "insufficient"
    else:
        basis = f"{answered}, mastery {mastery:.2f} (80 % interval {low:.2f}–{high:.2f})"
        evidence = "sufficient"
    return Gap(
        skill.id,
        skill.name,
        round(mastery, 3),
        (round(low, 3), round(high, 3)),
        len(questions),
        correct,
        severity,
        evidence,
        (),
        missed,
        basis,
    )


def _with(gap: Gap, **changes: Any) -> Gap:
    return Gap(**{**asdict(gap), **changes})
