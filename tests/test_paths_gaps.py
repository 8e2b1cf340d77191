"""Assessment → gaps → courses: the pure part of learning paths, on the team's two samples and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.paths.assessment import AssessmentInvalid, from_csv, from_dict, from_json
from shared.paths.courses import plan_courses
from shared.paths.gaps import analyse
from shared.paths.objectives import objective

DATA = Path(__file__).resolve().parent / "data"  # our own assessments
GRADE6 = DATA / "assessment_grade6.json"
AWS = DATA / "assessment_cloud.json"


def grade6() -> dict:
    return json.loads(GRADE6.read_text())


def gaps_of(data: dict) -> dict:
    return {gap.skill_id: gap for gap in analyse(from_dict(data))}


def test_grade6_gaps_say_how_sure_they_are():
    gaps = gaps_of(grade6())
    assert gaps["weather"].severity == "critical"  # 0 of 2, one of them medium
    assert gaps["cells"].severity == "moderate" and gaps["photosynthesis"].severity == "moderate"
    assert gaps["water-cycle"].severity == "none"
    # Two right answers are not 100 %: the estimate and its interval say how sure we are.
    water = gaps["water-cycle"]
    assert water.mastery is not None and water.interval is not None
    assert 0.6 < water.mastery < 0.9 and water.interval[0] < 0.5 < water.interval[1] < 1.0
    for gap in gaps.values():
        assert gap.interval is not None and gap.interval[0] < gap.mastery < gap.interval[1]
    # One item is said plainly to be too little, not a confident 0 %.
    food = gaps["food-chains"]
    assert food.items == 1 and food.evidence == "insufficient"
    assert "insufficient evidence" in food.reason and food.mastery > 0.2
    assert food.severity != "critical"


def test_difficulty_weighs_the_evidence():
    data = {"skills": [{"skill_id": "s", "name": "S"}], "questions": []}

    def mastery(*answers: tuple[str, bool]) -> float:
        data["questions"] = [
            {"question_id": f"q{i}", "skill_id": "s", "question_text": "?", "difficulty": d, "is_correct": c}
            for i, (d, c) in enumerate(answers)
        ]
        return gaps_of(data)["s"].mastery

    assert mastery(("easy", False), ("medium", True)) < mastery(("hard", False), ("medium", True))
    assert mastery(("hard", True), ("hard", True)) > mastery(("easy", True), ("easy", True))


def test_a_weak_prerequisite_flags_the_skill_even_when_its_own_answers_were_right():
    data = grade6()
    for q in data["questions"]:
        if q["skill_id"] == "photosynthesis":
            q["is_correct"] = True
    gaps = gaps_of(data)
    assert gaps["photosynthesis"].severity in ("none", "minor")
    assert gaps["photosynthesis"].weak_prerequisites == ("cells",)
    assert "builds on Cells" in gaps["photosynthesis"].reason


def test_grade6_courses_follow_prerequisites_and_say_why():
    assessment = from_json(GRADE6.read_text())
    courses = plan_courses(assessment, analyse(assessment))
    order = [c.skill_id for c in courses]
    assert 2 <= len(courses) <= 5
    assert "water-cycle" not in order  # mastered
    assert order.index("cells") < order.index("photosynthesis") < order.index("food-chains")
    assert order[0] == "weather"  # ready from the start and the most severe
    for course in courses:
        assert 2 <= len(course.objectives) <= 4
        assert course.reason and course.lesson_query.startswith("Explain ")
        assert course.folder.startswith(f"{course.position}-")
    photosynthesis = courses[order.index("photosynthesis")]
    assert photosynthesis.builds_on == ("cells",) and "needs: cells" in photosynthesis.reason
    assert "Identify which gas leaves absorb from the air to make food" in photosynthesis.objectives
    assert "carbon dioxide" in photosynthesis.lesson_query and "chlorophyll" in photosynthesis.lesson_query


def test_a_needed_prerequisite_that_is_not_mastered_gets_its_course_first():
    data = grade6()
    for q in data["questions"]:
        if q["skill_id"] == "cells":  # one right, one wrong → make it a minor gap only
            q["is_correct"] = q["difficulty"] == "medium" or q["is_correct"]
    data["questions"].append(
        {
            "question_id": "q99",
            "skill_id": "cells",
            "question_text": "What do cells divide by?",
            "difficulty": "hard",
            "is_correct": False,
        }
    )
    assessment = from_dict(data)
    gaps = {g.skill_id: g for g in analyse(assessment)}
    assert gaps["cells"].severity == "minor"
    order = [c.skill_id for c in plan_courses(assessment, list(gaps.values()))]
    assert order.index("cells") < order.index("photosynthesis")


def test_aws_skills_come_from_domains_and_every_gap_is_insufficient_evidence():
    assessment = from_json(AWS.read_text())
    assert {s.id for s in assessment.skills} >= {"storage-object-storage", "security-access-management"}
    gaps = analyse(assessment)
    assert all(g.evidence == "insufficient" for g in gaps)
    courses = plan_courses(assessment, gaps)
    assert [c.skill_id for c in courses] == ["storage-object-storage", "security-access-management"]
    assert all(c.grade_level == "12" for c in courses)


def test_csv_with_the_same_columns():
    text = (
        "question_id,skill_id,question_text,difficulty,is_correct,correct_answer\n"
        "q1,fractions,What is a half of a half?,easy,false,A quarter\n"
        "q2,fractions,Which is bigger: 2/3 or 3/5?,medium,no,2/3\n"
        "q3,decimals,What is 0.5 as a fraction?,easy,yes,1/2\n"
    )
    gaps = {g.skill_id: g for g in analyse(from_csv(text))}
    assert gaps["fractions"].correct == 0 and gaps["fractions"].items == 2
    assert gaps["decimals"].correct == 1


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            lambda d: d["questions"][0].update(skill_id="nope"),
            "questions.0.skill_id",
            "unknown skill_id 'nope'",
        ),
        (lambda d: d["skills"][0]["prerequisites"].append("weather"), "skills", "prerequisite cycle"),
        (lambda d: d.update(questions=[]), "questions", "at least one question"),
        (
            lambda d: d["questions"][1].update(question_id=d["questions"][0]["question_id"]),
            "questions.1.question_id",
            "duplicate question_id",
        ),
        (lambda d: d["skills"][1].update(skill_id="cells"), "skills.1.skill_id", "duplicate skill_id"),
        (lambda d: d["questions"][0].update(is_correct="maybe"), "questions.0.is_correct", "boolean"),
        (lambda d: d["questions"][0].update(difficulty="brutal"), "questions.0.difficulty", "easy"),
        (
            lambda d: d["skills"][2]["prerequisites"].append("ghost"),
            "skills.2.prerequisites.1",
            "unknown skill_id",
        ),
    ],
)
def test_bad_assessments_name_the_field(change, field, reason):
    data = grade6()
    if (
        "cycle" in reason
    ):  # cells → photosynthesis → food chains; make weather need food chains and cells need weather
        data["skills"][4]["prerequisites"].append("food-chains")
    change(data)
    with pytest.raises(AssessmentInvalid) as raised:
        from_dict(data)
    assert raised.value.http_status == 422
    assert any(f["field"] == field and reason in f["reason"] for f in raised.value.fields), (
        raised.value.fields
    )


def test_a_cycle_is_shown_as_the_path_that_closes_it():
    data = {
        "skills": [
            {"skill_id": "a", "name": "A", "prerequisites": ["c"]},
            {"skill_id": "b", "name": "B", "prerequisites": ["a"]},
            {"skill_id": "c", "name": "C", "prerequisites": ["b"]},
        ],
        "questions": [{"question_id": "q", "skill_id": "a", "question_text": "?", "is_correct": True}],
    }
    with pytest.raises(AssessmentInvalid) as raised:
        from_dict(data)
    assert raised.value.fields == [{"field": "skills", "reason": "prerequisite cycle: a → c → b → a"}]


def test_not_json_and_not_an_object():
    with pytest.raises(AssessmentInvalid, match="not valid JSON"):
        from_json("{nope")
    with pytest.raises(AssessmentInvalid, match="must be a JSON object"):
        from_json("[]")
    with pytest.raises(AssessmentInvalid, match="missing column"):
        from_csv("question,answer\nx,y\n")


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        (
            "What gas do plants take in for photosynthesis?",
            "Identify what gas plants take in for photosynthesis",
        ),
        ("What does IAM stand for?", "Explain what IAM stands for"),
        ("Why does the Moon have phases?", "Explain why the Moon has phases"),
        (
            "What is the difference between weather and climate?",
            "Explain the difference between weather and climate",
        ),
        ("What is Amazon S3 used for?", "Explain what Amazon S3 is used for"),
        ("Which instrument measures air pressure?", "Identify which instrument measures air pressure"),
        ("What is the basic unit of life?", "Explain what the basic unit of life is"),
        ("Name three planets.", "Name three planets"),
    ],
)
def test_missed_questions_become_objectives(question, wanted):
    assert objective(question) == wanted


def test_a_path_made_for_presenters_asks_its_lessons_to_leave_them_room():
    from shared.paths.workflow import course_item

    assessment = from_json(GRADE6.read_text())
    course = plan_courses(assessment, analyse(assessment))[0]
    plain = course_item(course, organization_id="org", language="en-US")
    presented = course_item(course, organization_id="org", language="en-US", presenter_room=True)
    assert plain.request.options.presenter_room is False
    assert presented.request.options.presenter_room is True
