"""`vividly path`: a learning path offline, in-process, on the same workflow engine the cloud runs.

The workflow and its child requests live in SQLite; the engine releases children under the cap and this
module runs each released child through the lesson pipeline, as a worker would. Each course's lesson
files are published into workflows/<id>/courses/<n>-<slug>/ by its upload stage, the report beside them
(shared.paths.report).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from shared import bootstrap
from shared.config import Settings
from shared.db import workflows as store
from shared.db.migrate import upgrade
from shared.db.models import Workflow, WorkflowItem
from shared.domain.status import Status
from shared.paths.assessment import Assessment, from_csv, from_json
from shared.paths.report import folder_of, publish_report
from shared.paths.workflow import start_path
from shared.workflows.engine import WorkflowEngine
from worker.pipeline import Hooks, PipelineRunner
from worker.stages import lesson_stages
from worker.workflows import WorkflowAdvancer, run_in_process


def read_assessment(path: Path) -> tuple[Assessment, dict[str, Any]]:
    """The parsed assessment and what is stored as the workflow's input."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        return from_csv(text), {"format": "csv", "csv": text}
    assessment = from_json(text)
    return assessment, json.loads(text)


class ProgressTree(Hooks):
    """One bar for the path, one per course, moved by the children's transitions."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.overall = progress.add_task("Learning path", total=100)
        self.courses: dict[uuid.UUID, tuple[TaskID, str]] = {}

    def add(self, item: WorkflowItem) -> None:
        assert item.request_id is not None
        title = f"{item.position}. {item.payload['title']}"
        self.courses[item.request_id] = (self.progress.add_task(f"  {title}", total=100), title)

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        if request_id in self.courses:
            task, title = self.courses[request_id]
            self.progress.update(task, completed=progress, description=f"  {title} — {message}")

    def parent(self, workflow: Workflow) -> None:
        self.progress.update(
            self.overall, completed=workflow.progress, description=f"Learning path — {workflow.status}"
        )


@dataclass
class PathRun:
    workflow_id: uuid.UUID
    folder: Path
    summary: dict[str, Any]


def run_path(
    assessment: Assessment,
    raw: dict[str, Any],
    settings: Settings,
    console: Console,
    *,
    max_concurrent: int,
    video: bool,
    lesson_minutes: int = 2,
    presenter_room: bool = False,
) -> PathRun:
    resources = bootstrap.build(settings, offline=True)
    try:
        upgrade(resources.engine)
        engine = WorkflowEngine(resources.sessions, resources.publisher)
        workflow, _ = start_path(
            engine,
            assessment,
            raw,
            correlation_id=uuid.uuid4().hex,
            max_concurrent=max_concurrent,
            lesson_minutes=lesson_minutes,
            plan_only=not video,
            presenter_room=presenter_room,
        )
        if video:
            _drive(resources, engine, workflow.id, console, max_concurrent)
        with resources.sessions() as session:
            final = store.get_workflow(session, workflow.id, full=True)
            summary = publish_report(resources.content_storage, session, final, plan_only=not video)
        for entry in summary["courses"]:  # a teacher's terminal wants paths, not file:// URIs
            entry["files"] = {kind: url2pathname(urlparse(uri).path) for kind, uri in entry["files"].items()}
        return PathRun(final.id, settings.content_dir / folder_of(final), summary)
    finally:
        resources.close()


def _drive(
    resources: bootstrap.Resources,
    engine: WorkflowEngine,
    workflow_id: uuid.UUID,
    console: Console,
    threads: int,
) -> None:
    with Progress(
        TextColumn("{task.description:<60}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tree = ProgressTree(progress)
        runner = PipelineRunner.for_resources(
            lesson_stages(resources),
            resources,
            worker_id="cli-path",
            claim_ttl_s=3600,
            hooks=[WorkflowAdvancer(engine), tree],
        )
        run_in_process(engine, runner, workflow_id, threads=threads, on_start=tree.add, on_poll=tree.parent)


def gap_table(gaps: list[dict[str, Any]]) -> Table:
    table = Table(title="Skill gaps", show_lines=False)
    for column in ("skill", "mastery", "80 % interval", "items", "severity", "reason"):
        table.add_column(column)
    for gap in gaps:
        interval = gap["interval"]
        table.add_row(
            gap["name"],
            "—" if gap["mastery"] is None else f"{gap['mastery']:.2f}",
            "—" if interval is None else f"{interval[0]:.2f}–{interval[1]:.2f}",
            str(gap["items"]),
            gap["severity"],
            gap["reason"],
        )
    return table
