"""Injected faults: timeouts, 429/503, malformed answers, outages (circuit breaker), storage failing halfway."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

import pytest

from shared.errors import PermanentError, TransientError
from shared.resilience import TEXT_TO_SPEECH, DependencyDown, breaker
from shared.storage.local import LocalStorage
from tests.support.fake_google import FakeGoogle
from tests.test_google_adapters import narrator


@pytest.fixture
def fake():
    server = FakeGoogle()
    yield server
    server.stop()


def speak(fake: FakeGoogle, tmp_path: Path, *, timeout_s: float = 10) -> None:
    speaker = narrator(fake)
    speaker.timeout_s = timeout_s
    speaker.synthesize(
        "Water evaporates.", tmp_path / f"{uuid.uuid4().hex}.wav", language="en-US", words_per_minute=130
    )


def test_a_slow_dependency_times_out_as_transient(fake, tmp_path):
    fake.tts_delay_s = 2.0
    started = time.monotonic()
    with pytest.raises(TransientError):
        speak(fake, tmp_path, timeout_s=0.5)
    assert len(fake.requests) == 3  # retried, each bounded by the timeout
    assert time.monotonic() - started < 12


def test_malformed_audio_is_a_permanent_error_and_not_an_outage(fake, tmp_path):
    fake.tts_garbage = True
    for _ in range(3):
        with pytest.raises(PermanentError):
            speak(fake, tmp_path)
    assert breaker(TEXT_TO_SPEECH).current_state == "closed"


def test_an_outage_opens_the_circuit_then_it_recovers(fake, tmp_path):
    breaker(TEXT_TO_SPEECH, fail_max=2, reset_timeout_s=1.0)
    fake.tts_always_fail = 503
    with pytest.raises(TransientError):
        speak(fake, tmp_path)
    with pytest.raises(DependencyDown):  # the second failed call trips the breaker
        speak(fake, tmp_path)
    calls = len(fake.requests)
    with pytest.raises(DependencyDown) as info:
        speak(fake, tmp_path)
    assert len(fake.requests) == calls  # open: the service is not called at all
    assert str(info.value) == "waiting for text-to-speech to recover"
    fake.tts_always_fail = None
    time.sleep(1.1)
    speak(fake, tmp_path)  # half-open trial succeeds and closes the circuit
    assert breaker(TEXT_TO_SPEECH).current_state == "closed"


def test_an_outage_mid_lesson_shows_in_the_status_and_resumes(fake, tmp_path):
    from shared import bootstrap
    from shared.config import Settings
    from shared.db import repository as repo
    from shared.db.migrate import upgrade
    from shared.domain.schemas import ContentRequestCreate
    from shared.lifecycle import Lifecycle
    from worker.pipeline import PipelineRunner
    from worker.stages import lesson_stages
    from worker.stages.services import LessonServices

    breaker(TEXT_TO_SPEECH, fail_max=1, reset_timeout_s=0.5)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/db.sqlite3", work_dir=tmp_path / "w", content_dir=tmp_path / "c"
    )
    resources = bootstrap.build(settings, offline=True)
    upgrade(resources.engine)
    stages = lesson_stages(resources, LessonServices(settings, resources.publisher, narrator=narrator(fake)))
    request, _ = Lifecycle(resources.sessions, resources.publisher).submit(
        ContentRequestCreate(student_query="How do volcanoes form?", grade_level="6", duration_minutes=1),
        correlation_id="x",
    )
    runner = PipelineRunner.for_resources(stages, resources, worker_id="outage")
    fake.tts_always_fail = 503
    with pytest.raises(DependencyDown):
        runner.run(request.id)
    with resources.sessions() as session:
        stuck = repo.get_request(session, request.id)
        assert (stuck.status, stuck.stage_message) == (
            "synthesizing_audio",
            "waiting for text-to-speech to recover",
        )
    fake.tts_always_fail = None
    time.sleep(0.6)
    result = runner.run(request.id)
    assert result.status == "completed" and result.stages_skipped == ["validate", "retrieve", "script"]
    resources.close()


def test_a_local_write_failing_halfway_leaves_nothing_at_the_final_path(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path / "store")
    source = tmp_path / "lesson.mp4"
    source.write_bytes(b"x" * 100_000)

    def half_then_fail(src, dst, *args, **kwargs):
        Path(dst).write_bytes(Path(src).read_bytes()[:50_000])
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copyfile", half_then_fail)
    with pytest.raises(OSError):
        storage.put("lessons/x/lesson.mp4", source, "video/mp4")
    folder = tmp_path / "store" / "lessons" / "x"
    assert not (folder / "lesson.mp4").exists()
    assert list(folder.iterdir()) == []  # no temporary leftovers either


def test_cloud_storage_going_away_is_transient(monkeypatch, tmp_path):
    from devstack.services import StorageEmulator
    from shared.storage.gcs import GCSStorage

    emulator = StorageEmulator().start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    emulator.create_bucket("flaky")
    storage = GCSStorage("flaky", project="vividly-local", emulator_host=emulator.url)
    source = tmp_path / "a.bin"
    source.write_bytes(b"abc")
    assert storage.put("k/a.bin", source, "application/octet-stream").bytes == 3
    emulator.stop()
    with pytest.raises(TransientError):
        storage.put("k/b.bin", source, "application/octet-stream")
