"""Lesson benchmark: a 2-minute 720p lesson, offline, end to end.

Prints wall time per stage, peak RSS (this process and its children: espeak-ng, ffmpeg), and, in
the same run, the ratio of our render stage (draw the stills + encode + thumbnail) to a bare ffmpeg
encode of the very same stills (drawn beforehand, same durations) and narration, and the same script
narrated again by espeak-ng and by piper (the narrate stage alone, piper's voice already loaded) with
the ratio of the two.

    python benchmarks/lesson_offline.py [--minutes 2] [--resolution 720p] [--narrator auto]
    python benchmarks/lesson_offline.py --minutes 10      # peak RSS of a long lesson (target <= 400 MB)
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, get_args

from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db.migrate import upgrade
from shared.domain.schemas import ContentRequestCreate
from shared.domain.status import Status
from shared.lesson.script import LessonScript
from shared.lifecycle import Lifecycle
from shared.logs import configure_logging
from shared.media.tts import EspeakNarrator, Narrator, piper_installed
from shared.media.video import encode, probe
from worker.pipeline import Hooks, PipelineRunner
from worker.stages import lesson_stages
from worker.stages.narrate import NarrateStage
from worker.stages.render import RESOLUTIONS, lesson_stills
from worker.stages.understand import SCRIPT


class StageTimes(Hooks):
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def on_stage(self, stage: str, status: Status, duration_s: float, skipped: bool) -> None:
        self.times[stage] = duration_s


@dataclass
class NarrateOnly:
    """The little of a StageContext that NarrateStage uses, to time it outside the pipeline."""

    workdir: Path

    def input_path(self, output: Any) -> Path:
        return self.workdir / output.filename

    output_path = input_path

    def progress(self, fraction: float, message: str) -> None:
        pass

    def add_usage(self, **usage: float) -> None:
        pass


def narrate_s(narrator: Narrator, script_json: str, workdir: Path) -> float:
    workdir.mkdir(parents=True)
    ctx = NarrateOnly(workdir)
    ctx.output_path(SCRIPT).write_text(script_json)
    started = time.perf_counter()
    NarrateStage(SimpleNamespace(narrator=narrator)).run(ctx)  # type: ignore[arg-type, arg-type]
    return time.perf_counter() - started


def rss_mb() -> tuple[float, float]:
    """Peak RSS so far of this process and of its largest child, in MB."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=2)
    parser.add_argument("--resolution", default="720p", choices=sorted(RESOLUTIONS))
    parser.add_argument(
        "--query", default="Explain the water cycle: evaporation, condensation, precipitation"
    )
    parser.add_argument(
        "--narrator", default="auto", choices=get_args(Settings.model_fields["narrator"].annotation)
    )
    args = parser.parse_args()
    configure_logging("WARNING")
    root = Path(tempfile.mkdtemp(prefix="vividly-lesson-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{root}/db.sqlite3",
        work_dir=root / "work",
        content_dir=root / "out",
        narrator=args.narrator,
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
    runner = PipelineRunner.for_resources(stages, res, worker_id="bench", hooks=[timer])
    started = time.perf_counter()
    result = runner.run(request.id)
    total_s = time.perf_counter() - started
    lesson_rss = rss_mb()
    if result.status != "completed":
        print(f"lesson ended {result.status}")
        return 1
    with res.sessions() as session:
        artifacts = {a.kind: a.uri for a in repo.get_request(session, request.id, full=True).artifacts}
    video = Path(artifacts["video"].removeprefix("file://"))
    narration = Path(artifacts["narration"].removeprefix("file://"))
    script_json = Path(artifacts["script"].removeprefix("file://")).read_text()
    script = LessonScript.model_validate_json(script_json)
    info = probe(video)
    narrator = stages[3].services.narrator  # type: ignore[attr-defined]
    spoken_by = getattr(narrator, "for_language", lambda _language: narrator)(script.language).name

    timings = json.loads(Path(artifacts["checkpoint.timings"].removeprefix("file://")).read_text())

    # Baseline: the render stage's own stills (drawn here, untimed) through the ffmpeg encode alone.
    slides_dir = root / "baseline"
    stills, store = lesson_stills(script, timings["scenes"], slides_dir, RESOLUTIONS[args.resolution])
    bare_started = time.perf_counter()
    encode(stills, narration, slides_dir / "bare.mp4", audio_s=timings["duration_s"])
    bare_s = time.perf_counter() - bare_started

    # The same script narrated by each offline engine (the piper voice is loaded before timing).
    engines: dict[str, float] = {}
    if piper_installed():
        from shared.media.piper_tts import PiperNarrator

        piper = PiperNarrator()
        _ = piper.voice
        engines["piper"] = narrate_s(piper, script_json, root / "narrate-piper")
    engines["espeak-ng"] = narrate_s(EspeakNarrator(), script_json, root / "narrate-espeak")

    self_mb, children_mb = lesson_rss
    print(f"# offline lesson benchmark: {args.minutes}-minute {args.resolution} lesson, '{args.query}'")
    print(f"knowledge index build      {index_s:6.2f} s (once per process)")
    for stage, seconds in timer.times.items():
        print(f"stage {stage:<20} {seconds:6.2f} s")
    print(
        f"whole lesson               {total_s:6.2f} s   (target <= 12 s with piper; narrated by {spoken_by})"
    )
    print(
        f"video                      {info.duration_s:6.1f} s long, {info.width}x{info.height} {info.video_codec}/{info.audio_codec}, "
        f"{video.stat().st_size / 1e6:.1f} MB"
    )
    render_s = timer.times["render"]
    longest = max(s.duration_s for s in stills)
    print(
        f"stills                     {len(stills):6d} ({store.drawn} drawn, {store.reused} reused), "
        f"longest held {longest:.1f} s, {len(script.scenes)} scenes"
    )
    print(
        f"render vs bare ffmpeg      {render_s:6.2f} s vs {bare_s:.2f} s = {render_s / bare_s:.2f}x   (target <= 1.5x)"
    )
    for engine, seconds in engines.items():
        print(
            f"narrate with {engine:<13} {seconds:6.2f} s for {info.duration_s:.0f} s of lesson"
            f" = {info.duration_s / seconds:.0f}x real time"
        )
    if len(engines) == 2:
        print(f"piper vs espeak-ng         {engines['piper'] / engines['espeak-ng']:6.1f}x the time")
    target = "400 MB" if args.minutes >= 10 else "1 GB"
    print(
        f"peak RSS (lesson)          {self_mb:6.0f} MB this process, {children_mb:.0f} MB largest child   (target <= {target})"
    )
    res.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
