"""`vividly generate`: the whole lesson pipeline in-process on the embedded default, with a progress bar."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from shared import bootstrap
from shared.config import Settings
from shared.db import repository as repo
from shared.db.migrate import upgrade
from shared.db.models import ContentRequest
from shared.domain.language import language_errors
from shared.domain.schemas import ContentRequestCreate, field_errors
from shared.domain.status import Status
from shared.errors import VividlyError
from shared.lifecycle import Lifecycle
from worker.pipeline import Hooks, PipelineRunner, RunResult
from worker.stages import lesson_stages


class ProgressBar(Hooks):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("Waiting", total=100)

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        self.progress.update(self.task, completed=progress, description=message)


class InvalidRequest(VividlyError):
    """What submit would refuse with 422, said by the CLI as one line."""

    code = "validation_failed"
    http_status = 422


class UnusableOutput(VividlyError):
    """The --out location cannot hold a lesson: said before any work is done."""

    code = "unusable_output"


def check_output_folder(folder: Path) -> None:
    """A folder that exists or can be made, and that we can write in (not a file, not /dev/null)."""
    if folder.exists() and not folder.is_dir():
        raise UnusableOutput(f"--out {folder} is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".vividly-write-check-"):
            pass
    except OSError as exc:
        raise UnusableOutput(f"--out {folder} cannot be written: {exc.strerror or exc}") from exc


def _one_line(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{e['field']}: {e['reason']}" for e in errors)


def parse(
    query: str,
    grade: str | None,
    minutes: int,
    language: str,
    resolution: str,
    *,
    teach_languages: Sequence[str],
) -> ContentRequestCreate:
    """The request as submit would accept it, or InvalidRequest with one line saying what is wrong."""
    try:
        body = ContentRequestCreate.model_validate(
            {
                "student_query": query,
                "grade_level": grade,
                "duration_minutes": minutes,
                "language": language,
                "options": {"resolution": resolution},
            }
        )
    except ValidationError as exc:
        raise InvalidRequest(_one_line(field_errors(exc.errors()))) from exc
    unteachable = language_errors(body.student_query, body.language, teach_languages=teach_languages)
    if unteachable:
        raise InvalidRequest(_one_line(unteachable))
    return body


def artifact_paths(request: ContentRequest) -> dict[str, Path]:
    """The published files of a request held in local storage, by kind (checkpoints left out)."""
    return {
        a.kind: Path(url2pathname(urlparse(a.uri).path))
        for a in request.artifacts
        if not a.kind.startswith(repo.CHECKPOINT_PREFIX)
    }


def generate(
    body: ContentRequestCreate, settings: Settings, console: Console
) -> tuple[RunResult, dict[str, Path], ContentRequest]:
    resources = bootstrap.build(settings, offline=True)
    try:
        upgrade(resources.engine)
        request, _ = Lifecycle(resources.sessions, resources.publisher).submit(
            body, correlation_id=uuid.uuid4().hex
        )
        with Progress(
            TextColumn("{task.description:<42}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            runner = PipelineRunner.for_resources(
                lesson_stages(resources),
                resources,
                worker_id="cli",
                claim_ttl_s=3600,
                hooks=[ProgressBar(progress)],
            )
            try:
                result = runner.run(request.id)
            except BaseException as exc:
                # No worker will pick this request up again: it must not stay "uploading" for ever.
                reason = (
                    "interrupted" if isinstance(exc, KeyboardInterrupt) else f"{type(exc).__name__}: {exc}"
                )
                Lifecycle(resources.sessions, resources.publisher).fail_unfinished(
                    request.id, "cli_stopped", reason
                )
                raise
        with resources.sessions() as session:
            final = repo.get_request(session, request.id, full=True)
        return result, artifact_paths(final), final
    finally:
        resources.close()


def print_report(request: ContentRequest, console: Console) -> None:
    """What the user should know about a finished lesson: its reading level, then each warning in yellow."""
    if request.reading_grade is not None:
        console.print(f"Reading level: grade {request.reading_grade:.1f} (Flesch-Kincaid)", highlight=False)
    for warning in request.warnings or []:
        console.print(f"[yellow]Warning:[/yellow] {warning}", soft_wrap=True, highlight=False)
