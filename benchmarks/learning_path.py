"""Learning-path benchmark: the grade-6 sample end to end offline (gaps → every course lesson).

Prints, for a first (cold) run at --max-concurrent 2 and then warm runs at 1 and 2 in the same process:
wall time, the gap analysis, each course's time from release to rest, and peak RSS; then the speed-up of 2
over 1 (warm against warm, so model loading does not favour either). Target: the whole path under 2 min.

    python benchmarks/learning_path.py [--assessment PATH] [--narrator espeak|piper|auto]
"""

from __future__ import annotations

import argparse
import io
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, get_args

from rich.console import Console

from cli.path import read_assessment, run_path
from shared.config import Settings
from shared.logs import configure_logging
from shared.paths.workflow import path_result

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "data" / "assessment_grade6.json"


def course_times(summary: dict[str, Any]) -> dict[int, float]:
    """Seconds from an item's first event to its last, from the timeline."""
    from datetime import datetime

    first: dict[int, datetime] = {}
    last: dict[int, datetime] = {}
    for event in summary["timeline"]:
        if event["position"] is None:
            continue
        at = datetime.fromisoformat(event["at"])
        first.setdefault(event["position"], at)
        last[event["position"]] = at
    return {p: (last[p] - first[p]).total_seconds() for p in first}


def one_run(
    assessment: Any, raw: dict[str, Any], narrator: str, max_concurrent: int
) -> tuple[float, dict[str, Any]]:
    root = Path(tempfile.mkdtemp(prefix="vividly-path-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{root}/db.sqlite3",
        work_dir=root / "work",
        content_dir=root / "out",
        narrator=narrator,
    )
    started = time.perf_counter()
    run = run_path(
        assessment, raw, settings, Console(file=io.StringIO()), max_concurrent=max_concurrent, video=True
    )
    return time.perf_counter() - started, run.summary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assessment", type=Path, default=SAMPLE)
    parser.add_argument(
        "--narrator", default="espeak", choices=get_args(Settings.model_fields["narrator"].annotation)
    )
    args = parser.parse_args()
    configure_logging("ERROR")
    assessment, raw = read_assessment(args.assessment)
    started = time.perf_counter()
    path_result(assessment, lesson_minutes=2)
    analysis_s = time.perf_counter() - started

    print(f"# learning path benchmark: {args.assessment.name}, narrator {args.narrator}")
    print(f"gap analysis + course plan   {analysis_s * 1000:8.1f} ms")
    walls: dict[str, float] = {}
    for label, cap in (("cold, max 2", 2), ("warm, max 1", 1), ("warm, max 2", 2)):
        wall, summary = one_run(assessment, raw, args.narrator, cap)
        walls[label] = wall
        made = sum(entry["status"] == "completed" for entry in summary["courses"])
        print(
            f"{label:<28} {wall:8.1f} s   {summary['status']}, {made} of {len(summary['courses'])} courses made"
        )
        times = course_times(summary)
        for entry in summary["courses"]:
            course = entry["course"]
            print(
                f"    {course['position']}. {course['title']:<24} {times.get(course['position'], 0.0):6.1f} s  {entry['status']}"
            )
    print(f"speed-up of max 2 over max 1 {walls['warm, max 1'] / walls['warm, max 2']:8.2f}x   (warm runs)")
    print(f"whole path, first run        {walls['cold, max 2']:8.1f} s   (target < 120 s on 2 cores)")
    print(f"peak RSS                     {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
