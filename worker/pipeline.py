"""The generic pipeline runner: walks a request through the status machine, one stage per status.

Each stage declares its status and the files it outputs. Outputs are stored as checkpoints (work
storage + an artifact row); on redelivery a stage whose checkpoints exist is skipped, so a crash
resumes from the last finished stage. Outcomes (clarification, rejection) end the run normally;
PermanentError fails the request; anything else propagates so the caller can retry (nack).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from shared.bootstrap import Resources
from shared.db import repository as repo
from shared.db import workflows as workflow_store
from shared.db.models import ContentRequest
from shared.db.outage import is_database_down, ride_out
from shared.domain.status import AT_REST, PIPELINE, Status, stage_progress
from shared.errors import (
    ClarificationNeeded,
    Conflict,
    NotFound,
    PermanentError,
    Rejected,
    TransientError,
    reason_of,
)
from shared.logs import get_logger
from shared.storage.base import Storage, StoredObject

log = get_logger("pipeline")
T = TypeVar("T")


class Busy(TransientError):
    """Another live worker holds the request; try again after it finishes or its claim expires."""

    code = "busy"


class Interrupted(TransientError):
    """The worker is shutting down; the stage will resume from its checkpoint elsewhere."""

    code = "interrupted"


@dataclass(frozen=True)
class Output:
    kind: str
    filename: str
    content_type: str


@dataclass(frozen=True)
class RequestSnapshot:
    """The request as a stage sees it: plain values, no session."""

    id: uuid.UUID
    correlation_id: str
    organization_id: str
    query: str
    grade_level: str | None
    duration_minutes: int
    language: str
    options: dict[str, Any]
    webhook_url: str | None
    clarification_answers: list[str] | None
    attempt: int
    # Where the finished files are published in content storage (a folder of keys, no trailing slash).
    artifact_prefix: str = ""

    @classmethod
    def of(cls, request: ContentRequest, artifact_prefix: str | None = None) -> RequestSnapshot:
        return cls(
            id=request.id,
            correlation_id=request.correlation_id,
            organization_id=request.organization_id,
            query=request.query,
            grade_level=request.grade_level,
            duration_minutes=request.duration_minutes,
            language=request.language,
            options=dict(request.options or {}),
            webhook_url=request.webhook_url,
            clarification_answers=request.clarification_answers,
            attempt=request.attempts,
            artifact_prefix=artifact_prefix or f"lessons/{request.id}",
        )


def checkpoint_key(request_id: uuid.UUID, output: Output) -> str:
    """Where a stage's output is kept in work storage."""
    return f"{request_id}/{output.filename}"


class RequestRecord(Protocol):
    """What a stage may write about its request, each call one short transaction (the runner is one)."""

    def report_progress(
        self, request_id: uuid.UUID, status: Status, fraction: float, message: str
    ) -> None: ...
    def add_usage(self, request_id: uuid.UUID, usage: dict[str, float]) -> None: ...
    def add_warnings(self, request_id: uuid.UUID, warnings: list[str]) -> None: ...
    def set_reading_grade(self, request_id: uuid.UUID, grade: float) -> None: ...
    def record(self, request_id: uuid.UUID, kind: str, stored: StoredObject) -> None: ...


@dataclass
class StageContext:
    """A stage's view of the world: its request, its folder, and narrow collaborators, never the runner."""

    request: RequestSnapshot
    workdir: Path
    status: Status
    records: RequestRecord
    work_storage: Storage  # where earlier stages' checkpoints are
    content_storage: Storage  # where finished lesson files are published

    def output_path(self, output: Output) -> Path:
        return self.workdir / output.filename

    def input_path(self, output: Output) -> Path:
        """A previous stage's output, fetched from work storage when this process did not write it."""
        local = self.workdir / output.filename
        if not local.exists():
            self.work_storage.fetch(checkpoint_key(self.request.id, output), local)
        return local

    def progress(self, fraction: float, message: str) -> None:
        self.records.report_progress(self.request.id, self.status, fraction, message)

    def add_usage(self, **usage: float) -> None:
        """Record what this stage consumed (tokens, characters) for the request's cost estimate."""
        self.records.add_usage(self.request.id, usage)

    def add_warnings(self, warnings: list[str]) -> None:
        """Tell the user something about the lesson (shown by the status API and the CLI); repeats are dropped."""
        if warnings:
            self.records.add_warnings(self.request.id, warnings)

    def set_reading_grade(self, grade: float) -> None:
        """Record the lesson's reading level (Flesch-Kincaid grade) for the user."""
        self.records.set_reading_grade(self.request.id, grade)

    def publish(self, kind: str, source: Path, key: str, content_type: str) -> str:
        """Store a finished lesson file in content storage and record it; returns its URI."""
        stored = self.content_storage.put(key, source, content_type)
        self.records.record(self.request.id, kind, stored)
        return stored.uri


class Stage(Protocol):
    name: str
    status: Status
    outputs: tuple[Output, ...]

    def run(self, ctx: StageContext) -> None:
        """Write every declared output to ctx.output_path(output); raise an Outcome to end early."""
        ...


class Hooks:
    """Cross-cutting observers (progress bar, metrics, logs); override what you need."""

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        pass

    def on_stage(self, stage: str, status: Status, duration_s: float, skipped: bool) -> None:
        pass


@dataclass
class RunResult:
    status: Status
    stages_run: list[str] = field(default_factory=list)
    stages_skipped: list[str] = field(default_factory=list)


class PipelineRunner:
    def __init__(
        self,
        stages: Sequence[Stage],
        *,
        sessions: sessionmaker[Session],
        work_storage: Storage,
        content_storage: Storage,
        worker_id: str,
        claim_ttl_s: int = 60,
        outage_budget_s: float = 60.0,
        hooks: Sequence[Hooks] = (),
        scratch_dir: Path | None = None,
    ) -> None:
        order = [PIPELINE.index(stage.status) for stage in stages]
        if order != sorted(set(order)) or any(s.status in (Status.PENDING, Status.COMPLETED) for s in stages):
            raise ValueError("stages must have distinct running statuses in pipeline order")
        self.stages = {stage.status: stage for stage in stages}
        self.sessions = sessions
        self.work_storage = work_storage
        self.content_storage = content_storage
        self.worker_id = worker_id
        self.claim_ttl_s = claim_ttl_s
        self.outage_budget_s = outage_budget_s
        self.hooks = list(hooks)
        self.scratch_dir = scratch_dir

    @classmethod
    def for_resources(
        cls,
        stages: Sequence[Stage],
        resources: Resources,
        *,
        worker_id: str,
        hooks: Sequence[Hooks] = (),
        claim_ttl_s: int | None = None,
    ) -> PipelineRunner:
        """The one way to assemble a runner: the database and storage from `resources`, the claim's lease
        and the outage budget from its settings."""
        settings = resources.settings
        return cls(
            stages,
            sessions=resources.sessions,
            work_storage=resources.work_storage,
            content_storage=resources.content_storage,
            worker_id=worker_id,
            claim_ttl_s=claim_ttl_s or settings.ack_deadline_s,
            outage_budget_s=settings.outage_budget_s,
            hooks=hooks,
        )

    # --- persistence helpers -------------------------------------------------------------------

    def _commit(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction and commit it."""
        with self.sessions() as session:
            value = work(session)
            session.commit()
            return value

    def _in_transaction(self, work: Callable[[Session], T]) -> T:
        """`_commit`, riding out a short database outage."""
        return ride_out(partial(self._commit, work), budget_s=self.outage_budget_s)

    def record(self, request_id: uuid.UUID, kind: str, stored: StoredObject) -> None:
        self._in_transaction(lambda session: repo.record_artifact(session, request_id, kind, stored))

    def report_progress(self, request_id: uuid.UUID, status: Status, fraction: float, message: str) -> None:
        progress = stage_progress(status, fraction)
        self._in_transaction(
            lambda session: repo.set_progress(session, request_id, status, progress, message)
        )
        for hook in self.hooks:
            hook.on_transition(request_id, status, progress, message)

    def add_usage(self, request_id: uuid.UUID, usage: dict[str, float]) -> None:
        self._in_transaction(lambda session: repo.add_usage(session, request_id, usage))

    def add_warnings(self, request_id: uuid.UUID, warnings: list[str]) -> None:
        self._in_transaction(lambda session: repo.add_warnings(session, request_id, warnings))

    def set_reading_grade(self, request_id: uuid.UUID, grade: float) -> None:
        self._in_transaction(lambda session: repo.set_reading_grade(session, request_id, grade))

    def renew_claim(self, request_id: uuid.UUID, owner: str) -> bool:
        # No riding out here: the lease keeper's next tick is the retry, and it must not stall meanwhile.
        return self._commit(lambda session: repo.renew(session, request_id, owner, self.claim_ttl_s))

    def _transition(
        self,
        request_id: uuid.UUID,
        result: RunResult,
        target: Status,
        actor: repo.Actor,
        *,
        along: Callable[[Session], None] | None = None,
        **kw: Any,
    ) -> None:
        """Move to `target`; `along` writes in the same transaction (the finished stage's checkpoints)."""

        def move(session: Session) -> tuple[int, str]:
            if along is not None:
                along(session)
            updated = repo.transition(session, request_id, result.status, target, actor=actor, **kw)
            return updated.progress, updated.stage_message

        progress, message = self._in_transaction(move)
        result.status = target
        for hook in self.hooks:
            hook.on_transition(request_id, target, progress, message)

    def _release(self, request_id: uuid.UUID, owner: str) -> None:
        try:
            self._in_transaction(lambda session: repo.release(session, request_id, owner))
        except Exception as exc:
            if not is_database_down(exc):
                raise
            # Still down after the whole budget: the claim lapses on its own once its lease is not renewed.
            log.warning("could not release the claim", request_id=str(request_id), error=reason_of(exc))

    @staticmethod
    def _record_checkpoints(
        session: Session, request_id: uuid.UUID, stored: list[tuple[Output, StoredObject]]
    ) -> None:
        for output, obj in stored:
            repo.record_artifact(session, request_id, repo.CHECKPOINT_PREFIX + output.kind, obj)

    def _checkpointed(self, request_id: uuid.UUID, stage: Stage) -> bool:
        if not stage.outputs:
            return False  # a stage with nothing to store (notify) must itself be safe to repeat
        recorded = self._in_transaction(
            lambda session: all(
                repo.get_artifact(session, request_id, repo.CHECKPOINT_PREFIX + output.kind) is not None
                for output in stage.outputs
            )
        )
        return recorded and all(
            self.work_storage.exists(checkpoint_key(request_id, output)) for output in stage.outputs
        )

    @contextmanager
    def _workdir(self, request_id: uuid.UUID) -> Iterator[Path]:
        path = Path(tempfile.mkdtemp(prefix=f"vividly-{request_id.hex[:8]}-", dir=self.scratch_dir))
        try:
            yield path
        finally:
            shutil.rmtree(path, ignore_errors=True)

    # --- the run -------------------------------------------------------------------------------
    def run(
        self,
        request_id: uuid.UUID,
        *,
        actor: repo.Actor | None = None,
        min_attempt: int = 1,
        should_stop: threading.Event | None = None,
        on_claimed: Callable[[uuid.UUID, str], None] | None = None,
    ) -> RunResult:
        """Advance the request as far as it goes. Safe to call twice: finished work is not redone.

        The claim is per run, not per process, so two threads of one worker exclude each other too;
        `on_claimed(request_id, owner)` lets a lease keeper renew it.
        """
        actor = actor or repo.Actor(worker_id=self.worker_id)
        owner = f"{self.worker_id}#{uuid.uuid4().hex[:8]}"

        def take(session: Session) -> tuple[Status, RequestSnapshot | None]:
            request = repo.get_request(session, request_id)
            if request.attempts < min_attempt:
                raise NotFound(f"attempt {min_attempt} of {request_id} is not visible (yet)")
            status = Status(request.status)
            if status in AT_REST:
                return status, None
            if not repo.claim(session, request_id, owner, self.claim_ttl_s):
                raise Busy(f"request {request_id} is being worked on by another worker")
            return status, RequestSnapshot.of(request, workflow_store.artifact_prefix(session, request))

        status, snapshot = self._in_transaction(take)
        if snapshot is None:
            return RunResult(status)
        if on_claimed is not None:
            on_claimed(request_id, owner)

        result = RunResult(status)
        try:
            with self._workdir(request_id) as workdir:
                self._advance(snapshot, workdir, actor, result, should_stop)
                if result.status is not Status.COMPLETED:  # the last stage did not move it there itself
                    self._transition(request_id, result, Status.COMPLETED, actor)
        except ClarificationNeeded as outcome:
            self._transition(
                request_id,
                result,
                Status.CLARIFICATION_NEEDED,
                actor,
                fields={"clarification_questions": outcome.questions},
                message=f"Waiting for answers: {outcome.reason}",
            )
        except Rejected as outcome:
            self._transition(
                request_id,
                result,
                Status.REJECTED,
                actor,
                fields={"error_code": outcome.code, "error_message": outcome.reason},
            )
        except PermanentError as error:
            self._transition(
                request_id,
                result,
                Status.FAILED,
                actor,
                fields={"error_code": error.code, "error_message": str(error)},
                message=f"Generation failed: {error}",
            )
        except Conflict:
            # Someone changed the request under us (cancelled it, say), or our own commit landed just
            # before the connection dropped: read the status again, and their word stands.
            result.status = self._in_transaction(
                lambda session: Status(repo.get_request(session, request_id).status)
            )
            if result.status not in AT_REST:
                raise
        finally:
            if result.status not in AT_REST:
                self._release(request_id, owner)
        return result

    def _advance(
        self,
        request: RequestSnapshot,
        workdir: Path,
        actor: repo.Actor,
        result: RunResult,
        should_stop: threading.Event | None,
    ) -> None:
        for target in PIPELINE[1:-1]:
            stage = self.stages.get(target)
            if PIPELINE.index(result.status) > PIPELINE.index(target):
                if stage is not None:  # finished in an earlier delivery
                    result.stages_skipped.append(stage.name)
                continue
            if should_stop is not None and should_stop.is_set():
                raise Interrupted("worker shutting down")
            resumed = result.status == target  # this run did not move the request here: a redelivery
            if not resumed:
                self._transition(request.id, result, target, actor)
            if stage is None:
                continue
            started = time.perf_counter()
            # A stage's checkpoints are recorded in the same transaction that moves the request past it, so
            # only a stage this run resumes at can have them (written by an older version): look only then.
            if resumed and self._checkpointed(request.id, stage):
                result.stages_skipped.append(stage.name)
                for hook in self.hooks:
                    hook.on_stage(stage.name, target, 0.0, True)
                continue
            log.info("stage started", stage=stage.name, status=target.value)
            try:
                stage.run(
                    StageContext(request, workdir, target, self, self.work_storage, self.content_storage)
                )
            except TransientError as exc:
                # Tell the user why nothing moves ("waiting for text-to-speech to recover"); the message is retried.
                self._in_transaction(
                    partial(repo.set_stage_message, request_id=request.id, status=target, message=str(exc))
                )
                raise
            stored = [
                (
                    output,
                    self.work_storage.put(
                        checkpoint_key(request.id, output),
                        workdir / output.filename,
                        output.content_type,
                    ),
                )
                for output in stage.outputs
            ]
            duration_s = time.perf_counter() - started
            # Checkpoints, the stage's compute time and the move to the next status: one transaction.
            self._transition(
                request.id,
                result,
                PIPELINE[PIPELINE.index(target) + 1],
                actor,
                along=partial(self._record_checkpoints, request_id=request.id, stored=stored),
                usage={"compute_seconds": duration_s},
            )
            result.stages_run.append(stage.name)
            log.info("stage finished", stage=stage.name, status=target.value, duration_s=round(duration_s, 3))
            for hook in self.hooks:
                hook.on_stage(stage.name, target, duration_s, False)
