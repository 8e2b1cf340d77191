"""Lesson warnings and reading level: measured by the stages, stored once, shown by the status API and the CLI."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from alembic import command
from rich.console import Console
from sqlalchemy import text

from cli.generate import print_report
from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db.engine import make_engine, make_session_factory
from shared.db.migrate import alembic_config, upgrade
from shared.db.models import ContentRequest
from shared.domain.schemas import ContentRequestCreate
from shared.domain.status import Status
from shared.errors import TooLittleSource
from shared.lesson.knowledge import Passage
from shared.lesson.length import format_duration, length_warning
from shared.lesson.script import LessonScript, QuizItem, Scene, Source
from shared.lifecycle import Lifecycle
from shared.views import request_view
from worker.pipeline import PipelineRunner, Stage, StageContext, checkpoint_key
from worker.stages.deliver import PUBLISHED, UploadStage
from worker.stages.narrate import TIMINGS
from worker.stages.services import LessonServices
from worker.stages.understand import PASSAGES, ScriptStage, ValidateStage

# --- the length warning (pure) -----------------------------------------------------------------------


def test_lessons_within_a_fifth_of_the_minutes_asked_need_no_warning():
    for duration_s in (96.0, 120.0, 143.9):
        assert length_warning(duration_s, 2) is None


def test_short_and_long_lessons_say_by_how_much():
    assert length_warning(70, 2) == (
        "This lesson runs 1 min 10 s, shorter than the 2 minutes asked: the sources hold little on this topic."
    )
    assert length_warning(45.4, 1) == (
        "This lesson runs 45 s, shorter than the 1 minute asked: the sources hold little on this topic."
    )
    long = length_warning(150, 2)
    assert long is not None and long.startswith(
        "This lesson runs 2 min 30 s, longer than the 2 minutes asked"
    )
    assert [format_duration(s) for s in (42, 59.6, 60, 61, 125)] == [
        "42 s",
        "1 min",
        "1 min",
        "1 min 1 s",
        "2 min 5 s",
    ]


# --- the schema: additive, old rows and old writers keep working ------------------------------------

OLD_INSERT = text(
    "INSERT INTO content_requests (id, organization_id, correlation_id, query, duration_minutes, language,"
    " options, status, progress, stage_message, attempts, created_at, updated_at) VALUES (:id, 'default',"
    " 'c', 'volcanoes', 2, 'en-US', '{}', 'pending', 0, 'Queued', 1, :now, :now)"
)


def _old_row(connection, request_id: uuid.UUID) -> None:
    stored_id = request_id.hex if connection.dialect.name == "sqlite" else str(request_id)
    connection.execute(OLD_INSERT, {"id": stored_id, "now": datetime.now(UTC)})


def test_migration_0003_is_additive_and_reversible(database_url):
    engine = make_engine(Settings(database_url=database_url))
    try:
        upgrade(engine, "0002")
        before, after = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as connection:
            _old_row(connection, before)
        upgrade(engine)
        with engine.begin() as connection:
            _old_row(connection, after)  # what code from before 0003 writes still fits
        with make_session_factory(engine)() as session:
            for request_id in (before, after):
                request = repo.get_request(session, request_id, full=True)
                assert request.warnings is None and request.reading_grade is None
                view = request_view(request)
                assert view["warnings"] == [] and view["reading_grade"] is None
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM content_requests")).scalar() == 2
    finally:
        engine.dispose()


# --- stored once per attempt -------------------------------------------------------------------------


@pytest.fixture
def resources(database_url, tmp_path):
    settings = Settings(
        database_url=database_url, work_dir=tmp_path / "work", content_dir=tmp_path / "content"
    )
    built = bootstrap.build(settings, offline=True)
    upgrade(built.engine)
    yield built
    built.close()


def _submit(resources, **body) -> uuid.UUID:
    request, _ = Lifecycle(resources.sessions, resources.publisher).submit(
        ContentRequestCreate.model_validate({"student_query": "Explain the water cycle", **body}),
        correlation_id=uuid.uuid4().hex,
    )
    return request.id


def _stored(resources, request_id) -> ContentRequest:
    with resources.sessions() as session:
        return repo.get_request(session, request_id)


def test_warnings_are_kept_once_in_order_and_a_new_attempt_forgets_them(resources):
    request_id = _submit(resources)
    with resources.sessions() as session:
        repo.add_warnings(session, request_id, ["thin sources", "above grade"])
        repo.add_warnings(session, request_id, ["above grade", "shorter"])
        repo.set_reading_grade(session, request_id, 7.4)
        session.commit()
    stored = _stored(resources, request_id)
    assert stored.warnings == ["thin sources", "above grade", "shorter"] and stored.reading_grade == 7.4
    with resources.sessions() as session:
        repo.transition(session, request_id, Status.PENDING, Status.VALIDATING)
        repo.transition(session, request_id, Status.VALIDATING, Status.FAILED)
        repo.transition(session, request_id, Status.FAILED, Status.PENDING)  # retry: attempt 2
        session.commit()
    stored = _stored(resources, request_id)
    assert stored.attempts == 2 and stored.warnings is None and stored.reading_grade is None


SCRIPT = LessonScript(
    title="The water cycle",
    grade_level="5",
    objectives=["Describe evaporation", "Describe condensation"],
    scenes=[
        Scene(kind="intro", heading="The water cycle", narration="Let us learn about the water cycle."),
        Scene(kind="definition", heading="Evaporation", narration="Water evaporates from the ocean."),
    ],
    quiz=[
        QuizItem(
            question="What does water do over the ocean?",
            options=["evaporates", "freezes", "burns"],
            answer="evaporates",
            explanation="Water evaporates from the ocean.",
        )
    ]
    * 3,
    sources=[
        Source(doc_id="wiki:Water cycle", title="Water cycle", url="https://e.org/w", license="CC BY-SA 4.0")
    ],
    target_words=130,
    words_per_minute=130,
    reading_grade=8.6,
    warnings=["The sources say little about precipitation.", "Reading level 8.6 is above grade 5."],
)


@dataclass
class ScriptedWriter:
    """A ScriptWriter whose script is given: what the stage records must not depend on the composer's wording."""

    script: LessonScript
    name: str = "scripted"

    def write(self, **_request: object) -> LessonScript:
        return self.script


@dataclass
class CrashOnce:
    """Runs the stage, then crashes before its checkpoint is stored: the redelivery runs it again."""

    stage: Stage
    crashed: bool = False

    def __post_init__(self) -> None:
        self.name, self.status, self.outputs = self.stage.name, self.stage.status, self.stage.outputs

    def run(self, ctx: StageContext) -> None:
        self.stage.run(ctx)
        if not self.crashed:
            self.crashed = True
            raise RuntimeError("worker died after the stage's work")


def _runner(resources, stages) -> PipelineRunner:
    return PipelineRunner.for_resources(stages, resources, worker_id="test")


def _put_checkpoint(resources, tmp_path, request_id, output, content: str) -> None:
    source = tmp_path / output.filename
    source.write_text(content)
    resources.work_storage.put(checkpoint_key(request_id, output), source, output.content_type)


def test_the_script_stage_records_the_scripts_warnings_and_reading_level_once(resources, tmp_path):
    services = LessonServices(resources.settings, resources.publisher, writer=ScriptedWriter(SCRIPT))
    request_id = _submit(resources, grade_level="5", duration_minutes=1)
    passage = Passage(
        "wiki:Water cycle", "Water cycle", "Water evaporates.", "https://e.org/w", "CC BY-SA 4.0", 9.0
    )
    _put_checkpoint(resources, tmp_path, request_id, PASSAGES, json.dumps([passage.to_dict()]))
    runner = _runner(resources, [ValidateStage(services), CrashOnce(ScriptStage(services))])
    with pytest.raises(RuntimeError):
        runner.run(request_id)
    assert runner.run(request_id).status == "completed"
    stored = _stored(resources, request_id)
    assert stored.warnings == SCRIPT.warnings  # the rerun added nothing
    assert stored.reading_grade == 8.6


@pytest.mark.parametrize(
    ("duration_s", "expected"), [(130.0, "shorter than the 3 minutes asked"), (178.0, None)]
)
def test_the_upload_stage_warns_when_the_lesson_is_not_the_length_asked(
    resources, tmp_path, duration_s, expected
):
    services = LessonServices(resources.settings, resources.publisher)
    request_id = _submit(resources, duration_minutes=3)
    for output in PUBLISHED:
        _put_checkpoint(resources, tmp_path, request_id, output, f"{output.kind} placeholder")
    _put_checkpoint(
        resources, tmp_path, request_id, TIMINGS, json.dumps({"scenes": [], "duration_s": duration_s})
    )
    runner = _runner(resources, [CrashOnce(UploadStage(services))])
    with pytest.raises(RuntimeError):
        runner.run(request_id)
    assert runner.run(request_id).status == "completed"
    warnings = _stored(resources, request_id).warnings
    if expected is None:
        assert not warnings
    else:
        assert len(warnings) == 1 and expected in warnings[0] and "2 min 10 s" in warnings[0]


# --- shown to the user -------------------------------------------------------------------------------


@pytest.mark.pubsub
def test_the_status_api_shows_warnings_and_reading_level(client, stack):
    from functions import main as functions_main

    request_id = client.post("/submit_content_request", json={"student_query": "volcanoes"}).json[
        "request_id"
    ]
    fresh = client.get(f"/get_request_status?request_id={request_id}").json
    assert fresh["warnings"] == [] and fresh["reading_grade"] is None
    with functions_main.resources().sessions() as session:
        repo.add_warnings(
            session, uuid.UUID(request_id), ["This lesson runs 1 min 10 s, shorter than asked."]
        )
        repo.set_reading_grade(session, uuid.UUID(request_id), 6.1)
        session.commit()
    shown = client.get(f"/get_request_status?request_id={request_id}").json
    assert shown["warnings"] == ["This lesson runs 1 min 10 s, shorter than asked."]
    assert shown["reading_grade"] == 6.1


def test_the_cli_prints_the_reading_level_and_each_warning_in_yellow():
    request = ContentRequest(reading_grade=7.3, warnings=["Thin sources.", "Reading level above grade 5."])
    colour = io.StringIO()
    print_report(request, Console(file=colour, force_terminal=True, color_system="standard", width=200))
    assert "Reading level: grade 7.3 (Flesch-Kincaid)" in colour.getvalue()
    assert colour.getvalue().count("\x1b[33mWarning:\x1b[0m") == 2  # yellow
    plain = io.StringIO()
    print_report(request, Console(file=plain, width=200))
    assert plain.getvalue().splitlines() == [
        "Reading level: grade 7.3 (Flesch-Kincaid)",
        "Warning: Thin sources.",
        "Warning: Reading level above grade 5.",
    ]
    nothing = io.StringIO()
    print_report(ContentRequest(), Console(file=nothing))
    assert nothing.getvalue() == ""


@dataclass
class FailingWriter:
    error: Exception
    name: str = "failing"

    def write(self, **_request: object) -> LessonScript:
        raise self.error


def _invalid_script() -> Exception:
    try:
        LessonScript.model_validate({"title": ""})
    except ValueError as exc:  # pydantic's ValidationError is a ValueError: the trap this guards
        return exc
    raise AssertionError("an empty script validated")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (TooLittleSource("the sources hold nothing about tides"), "clarification_needed"),
        (
            _invalid_script(),
            "generating_script",
        ),  # a bug: retried and finally dead-lettered, never "rephrase"
    ],
    ids=["too-little-source", "composer-bug"],
)
def test_only_too_little_source_asks_the_learner_to_rephrase(resources, tmp_path, error, expected):
    services = LessonServices(resources.settings, resources.publisher, writer=FailingWriter(error))
    request_id = _submit(resources, grade_level="5", duration_minutes=1)
    passage = Passage(
        "wiki:Water cycle", "Water cycle", "Water evaporates.", "https://e.org/w", "CC BY-SA 4.0", 9.0
    )
    _put_checkpoint(resources, tmp_path, request_id, PASSAGES, json.dumps([passage.to_dict()]))
    runner = _runner(resources, [ValidateStage(services), ScriptStage(services)])
    if expected == "clarification_needed":
        assert runner.run(request_id).status == expected
        assert "rephrase" in _stored(resources, request_id).clarification_questions[0]
    else:
        with pytest.raises(type(error)):
            runner.run(request_id)
        assert _stored(resources, request_id).status == expected
