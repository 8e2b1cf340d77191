"""Lesson benchmark: a 2-minute 720p lesson, offline, end to end.

Prints wall time per stage, peak RSS (this process and its children: espeak-ng, ffmpeg), and, in
the same run, the ratio of our render stage (draw slides + encode + thumbnail) to a bare ffmpeg
encode of the same slides and narration.

    python benchmarks/lesson_offline.py [--minutes 2] [--resolution 720p]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db.migrate import upgrade
from shared.domain.schemas import ContentRequestCreate
from shared.domain.status import Status
from shared.lesson.script import LessonScript
from shared.lifecycle import Lifecycle
from shared.logs import configure_logging
from shared.media.video import Still, encode, probe
from worker.pipeline import Hooks, PipelineRunner
from worker.stages import lesson_stages
from worker.stages.render import RESOLUTIONS, render_slides


class StageTimes(Hooks):
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def on_stage(self, stage: str, status: Status, duration_s: float, skipped: bool) -> None:
        self.times[stage] = duration_s


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=2)
    parser.add_argument("--resolution", default="720p", choices=sorted(RESOLUTIONS))
    parser.add_argument(
        "--query", default="Explain the water cycle: evaporation, condensation, precipitation"
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    root = Path(tempfile.mkdtemp(prefix="vividly-lesson-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{root}/db.sqlite3", work_dir=root / "work", content_dir=root / "out"
    )
    res = bootstrap.build(settings, offline=True)
    upgrade(res.engine)
    stages = lesson_stages(res)
    warm = time.perf_counter()
    stages[1].services.knowledge.search("warm up")  # type: ignore[attr-defined]
    index_s = time.perf_counter() - warm

    body = ContentRequestCreate.model_validate(
        {
            "student_query": args.query,
            "grade_level": "5",
            "duration_minutes": args.minutes,
            "options": {"resolution": args.resolution},
        }
    )
    request, _ = Lifecycle(res.sessions, res.publisher).submit(body, correlation_id=uuid.uuid4().hex)
    timer = StageTimes()
    runner = PipelineRunner(
        stages,
        sessions=res.sessions,
        work_storage=res.work_storage,
        content_storage=res.content_storage,
        worker_id="bench",
        hooks=[timer],
    )
    started = time.perf_counter()
    result = runner.run(request.id)
    total_s = time.perf_counter() - started
    if result.status != "completed":
        print(f"lesson ended {result.status}")
        return 1
    with res.sessions() as session:
        artifacts = {a.kind: a.uri for a in repo.get_request(session, request.id, full=True).artifacts}
    video = Path(artifacts["video"].removeprefix("file://"))
    narration = Path(artifacts["narration"].removeprefix("file://"))
    script = LessonScript.model_validate_json(Path(artifacts["script"].removeprefix("file://")).read_text())
    info = probe(video)

    # Baseline: the same slides and narration through the ffmpeg encode alone (no drawing, no checkpoints).
    slides_dir = root / "baseline"
    slides_dir.mkdir()
    rendered = render_slides(script, slides_dir, RESOLUTIONS[args.resolution])
    per_slide = info.duration_s / len(rendered)
    bare_started = time.perf_counter()
    encode(
        [Still(path, per_slide) for path, _ in rendered],
        narration,
        slides_dir / "bare.mp4",
        audio_s=info.duration_s,
    )
    bare_s = time.perf_counter() - bare_started

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"# offline lesson benchmark: {args.minutes}-minute {args.resolution} lesson, '{args.query}'")
    print(f"knowledge index build      {index_s:6.2f} s (once per process)")
    for stage, seconds in timer.times.items():
        print(f"stage {stage:<20} {seconds:6.2f} s")
    print(f"whole lesson               {total_s:6.2f} s   (target <= 20 s)")
    print(
        f"video                      {info.duration_s:6.1f} s long, {info.width}x{info.height} {info.video_codec}/{info.audio_codec}, "
        f"{video.stat().st_size / 1e6:.1f} MB"
    )
    render_s = timer.times["render"]
    print(
        f"render vs bare ffmpeg      {render_s:6.2f} s vs {bare_s:.2f} s = {render_s / bare_s:.2f}x   (target <= 1.5x)"
    )
    print(
        f"peak RSS                   {self_mb:6.0f} MB this process, {children_mb:.0f} MB largest child   (target <= 1 GB)"
    )
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
