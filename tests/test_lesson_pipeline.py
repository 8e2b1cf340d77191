"""The lesson pipeline end to end on the embedded default: SQLite, local files, espeak-ng, ffmpeg."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db.migrate import upgrade
from shared.domain.schemas import ContentRequestCreate
from shared.lesson.script import LessonScript
from shared.lifecycle import Lifecycle
from shared.media import audio
from shared.media.slides import contrast_ratio
from shared.media.video import probe
from tests import reference
from tests.conftest import REQUESTS
from worker.events import OutcomeEvents
from worker.pipeline import PipelineRunner
from worker.stages import lesson_stages
from worker.stages.render import render_slides

pytestmark = pytest.mark.slow
CASES = [json.loads(line) for line in REQUESTS.read_text().splitlines()]
STAGES = ["validate", "retrieve", "script", "narrate", "render", "upload", "notify"]


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("offline")
    settings = Settings(
        database_url=f"sqlite:///{root}/vividly.sqlite3", work_dir=root / "work", content_dir=root / "content"
    )
    resources = bootstrap.build(settings, offline=True)
    upgrade(resources.engine)
    stages = lesson_stages(resources)
    yield resources, stages
    resources.close()


def run_case(offline, body: dict, stages=None):
    resources, default_stages = offline
    request, _ = Lifecycle(resources.sessions, resources.publisher).submit(
        ContentRequestCreate.model_validate(body), correlation_id=uuid.uuid4().hex
    )
    runner = PipelineRunner.for_resources(
        stages or default_stages, resources, worker_id="test", hooks=[OutcomeEvents(resources.publisher)]
    )
    return request.id, runner


def final(offline, request_id):
    with offline[0].sessions() as session:
        return repo.get_request(session, request_id, full=True)


def local(uri: str) -> Path:
    return Path(uri.removeprefix("file://"))


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c["expect"] in ("completed", "completed_or_clarification")],
    ids=lambda c: c["case"],
)
def test_clear_samples_complete(offline, case):
    request_id, runner = run_case(offline, case["body"])
    result = runner.run(request_id)
    assert result.status == "completed", final(offline, request_id).error_message
    assert result.stages_run == STAGES
    kinds = {a.kind for a in final(offline, request_id).artifacts}
    assert {"video", "captions_vtt", "captions_srt", "script", "thumbnail", "narration"} <= kinds


@pytest.mark.parametrize(
    "case", [c for c in CASES if c["expect"] in ("clarification_needed", "rejected")], ids=lambda c: c["case"]
)
def test_unclear_and_off_policy_samples_end_without_work(offline, case):
    request_id, runner = run_case(offline, case["body"])
    result = runner.run(request_id)
    request = final(offline, request_id)
    assert result.status == case["expect"]
    if case["expect"] == "clarification_needed":
        assert 1 <= len(request.clarification_questions) <= 3
    else:
        assert request.error_code.startswith("policy_")
    assert result.stages_run == []  # the validate stage ended it; nothing was produced
    events = (
        (offline[0].settings.work_dir.parent / "topics" / "content-events.jsonl").read_text().splitlines()
    )
    announced = [json.loads(json.loads(line)["data"]) for line in events]
    assert {"event": f"lesson.{case['expect']}", "request_id": str(request_id)}.items() <= next(
        e for e in announced if e["request_id"] == str(request_id)
    ).items()


def test_lesson_media_is_sound(offline):
    body = {
        "student_query": "Explain the water cycle: evaporation, condensation, precipitation",
        "grade_level": "5",
        "duration_minutes": 2,
    }
    request_id, runner = run_case(offline, body)
    assert runner.run(request_id).status == "completed"
    artifacts = {a.kind: a for a in final(offline, request_id).artifacts}

    narration = local(artifacts["narration"].uri)
    samples, rate = audio.read_wav(narration)
    assert reference.loudness(samples, rate) == pytest.approx(-16.0, abs=1.0)
    info = probe(local(artifacts["video"].uri))
    assert info.has_video and info.has_audio
    assert (info.video_codec, info.audio_codec, info.pixel_format) == ("h264", "aac", "yuv420p")
    assert (info.width, info.height) == (1280, 720)
    assert info.duration_s == pytest.approx(len(samples) / rate, abs=0.5)

    vtt = local(artifacts["captions_vtt"].uri).read_text().split("\n\n")[1:]
    spans = []
    for block in filter(None, vtt):
        start, end = block.splitlines()[0].split(" --> ")
        spans.append((_seconds(start), _seconds(end)))
        assert all(len(line) <= 42 for line in block.splitlines()[1:]) and len(block.splitlines()[1:]) <= 2
    assert spans[0][0] < 1.0 and spans[-1][1] > len(samples) / rate - 1.5
    assert all(b[0] - a[1] <= 1.0 for a, b in itertools.pairwise(spans))

    script = LessonScript.model_validate_json(local(artifacts["script"].uri).read_text())
    assert all(item.answer in item.options for item in script.quiz)
    retrieved = {
        p["doc_id"]
        for p in json.loads(local(artifacts_of(offline, request_id, "checkpoint.passages")).read_text())
    }
    assert {s.doc_id for s in script.sources} <= retrieved
    for _path, layout in render_slides(script, Path(str(narration.parent)), (1280, 720)):
        assert not layout.overflows() and not layout.truncated, layout.notes
        assert all(contrast_ratio(fg, bg) >= 4.5 for fg, bg in layout.colour_pairs)
    for sha_checked in ("video", "thumbnail"):
        from shared.storage.base import file_sha256

        assert file_sha256(local(artifacts[sha_checked].uri)) == artifacts[sha_checked].sha256
    events = (offline[0].settings.work_dir.parent / "topics" / "content-events.jsonl").read_text()
    assert str(request_id) in events


def artifacts_of(offline, request_id, kind) -> str:
    return next(a.uri for a in final(offline, request_id).artifacts if a.kind == kind)


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


class FlakyNarrator:
    """Fails the first call: a crash in the middle of the narration stage."""

    name = "flaky"

    def __init__(self, real):
        self.real, self.calls = real, 0

    def synthesize(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("engine crashed")
        return self.real.synthesize(*args, **kwargs)


def test_a_crash_resumes_without_redoing_finished_stages(offline):
    resources, stages = offline
    shared = stages[0].services  # type: ignore[attr-defined]
    flaky = lesson_stages(resources, shared.using(narrator=FlakyNarrator(shared.narrator)))
    request_id, runner = run_case(
        offline,
        {
            "student_query": "How do volcanoes form and why do they erupt?",
            "grade_level": "6",
            "duration_minutes": 1,
        },
        stages=flaky,
    )
    with pytest.raises(RuntimeError):
        runner.run(request_id)
    assert final(offline, request_id).status == "synthesizing_audio"
    resumed = runner.run(request_id)
    assert resumed.status == "completed"
    assert resumed.stages_skipped == ["validate", "retrieve", "script"]
    assert resumed.stages_run == ["narrate", "render", "upload", "notify"]


def test_cli_bad_input_is_one_line_and_non_zero(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "generate", "water cycle", "--grade", "13"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2  # bad arguments
    assert result.stderr.strip().count("\n") == 0 and "grade_level" in result.stderr


def test_cli_vague_request_asks_questions(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "cli", "generate", "science", "--grade", "5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 3  # clarification needed
    assert "Which topic" in result.stderr


def _frame_at(video_path: Path, seconds: float, out: Path):
    from PIL import Image

    from shared.media.video import ffmpeg_exe

    subprocess.run(
        [
            ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-ss",
            str(seconds),
            "-i",
            str(video_path),
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
    )
    with Image.open(out) as image:
        return image.convert("RGB").getpixel((20, 680))  # bottom-left, inside the caption band


def test_burned_in_captions_appear_on_the_frames(offline, tmp_path):
    body = {
        "student_query": "What is the difference between weather and climate?",
        "grade_level": "5",
        "duration_minutes": 1,
        "options": {"burn_captions": True},
    }
    request_id, runner = run_case(offline, body)
    assert runner.run(request_id).status == "completed"
    artifacts = {a.kind: a for a in final(offline, request_id).artifacts}
    video_path = local(artifacts["video"].uri)
    info = probe(video_path)
    samples, rate = audio.read_wav(local(artifacts["narration"].uri))
    assert info.duration_s == pytest.approx(len(samples) / rate, abs=0.5)
    captioned = _frame_at(video_path, 2.0, tmp_path / "a.png")
    assert max(captioned) < 30  # the dark caption band, not the navy slide (11, 31, 58)


def test_answering_clarification_requeues_and_completes(offline):
    resources, _stages = offline
    request_id, runner = run_case(
        offline, {"student_query": "science", "grade_level": "5", "duration_minutes": 1}
    )
    assert runner.run(request_id).status == "clarification_needed"
    requeued = Lifecycle(resources.sessions, resources.publisher).answer_clarification(
        request_id, ["photosynthesis"], organization_id=None
    )
    assert (requeued.status, requeued.attempts, requeued.query) == ("pending", 2, "science")
    result = runner.run(request_id)
    assert result.status == "completed" and result.stages_run == STAGES  # the earlier checkpoint was dropped
    assert final(offline, request_id).clarification_answers == ["photosynthesis"]
