"""Workflows in the worker: the runner hook that releases the next items when a child comes to rest, and
the in-process driver the CLI uses (each released child run through the runner, as a worker would)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from shared.db import workflows as store
from shared.db.models import Workflow, WorkflowItem
from shared.domain.status import AT_REST, Status
from shared.lifecycle import Lifecycle
from shared.logs import get_logger
from shared.paths.report import publish_report
from shared.paths.workflow import KIND as PATH_KIND
from shared.storage.base import Storage
from shared.workflows.engine import WorkflowEngine
from shared.workflows.rollup import WORKFLOW_AT_REST
from worker.pipeline import Hooks, PipelineRunner

log = get_logger(__name__)


class WorkflowAdvancer(Hooks):
    """When a child comes to rest: release the next items, and once the whole workflow is at rest,
    publish its report (shared.paths.report) beside the children's files in content storage."""

    def __init__(self, engine: WorkflowEngine, storage: Storage | None = None) -> None:
        self.engine = engine
        self.storage = storage

    def on_transition(self, request_id: uuid.UUID, status: Status, progress: int, message: str) -> None:
        if status not in AT_REST:
            return
        workflow_id = self.engine.workflow_of(request_id)
        if workflow_id is None:
            return
        try:
            self.engine.advance(workflow_id)
            if self.storage is not None:
                with self.engine.sessions() as session:
                    workflow = store.get_workflow(session, workflow_id)
                    if workflow.status in WORKFLOW_AT_REST and workflow.kind == PATH_KIND:
                        # Items and timeline loaded only now: most children come to rest mid-path.
                        full = store.get_workflow(session, workflow_id, full=True)
                        publish_report(self.storage, session, full)
        except Exception as exc:  # the child's outcome is committed; the sweep releases the next items later
            log.warning("workflow_advance_failed", workflow_id=str(workflow_id), error=type(exc).__name__)


def run_in_process(
    engine: WorkflowEngine,
    runner: PipelineRunner,
    workflow_id: uuid.UUID,
    *,
    threads: int,
    on_start: Callable[[WorkflowItem], None] = lambda _item: None,
    on_poll: Callable[[Workflow], None] = lambda _workflow: None,
) -> None:
    """Run every child the engine releases until the workflow is at rest. The cap is the engine's: the
    pool only needs as many threads. A child that crashes (no worker here would retry it) is failed."""
    lifecycle = Lifecycle(engine.sessions, engine.publisher)
    running: dict[Future[Any], uuid.UUID] = {}
    started: set[uuid.UUID] = set()
    with ThreadPoolExecutor(threads, thread_name_prefix="workflow") as pool:
        try:
            while True:
                with engine.sessions() as session:
                    workflow = store.get_workflow(session, workflow_id)
                    items = store.items_of(session, workflow_id)
                on_poll(workflow)
                for item in items:
                    if item.status == "running" and item.request_id and item.request_id not in started:
                        started.add(item.request_id)
                        on_start(item)
                        running[pool.submit(runner.run, item.request_id)] = item.request_id
                if not running and workflow.status in WORKFLOW_AT_REST:
                    return
                if not running:  # nothing released yet that we have not run: make up a lost advance
                    engine.advance(workflow_id)
                    continue
                done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for future in done:
                    request_id = running.pop(future)
                    if (error := future.exception()) is not None:
                        lifecycle.fail_unfinished(request_id, "crashed", f"{type(error).__name__}: {error}")
                        engine.advance(workflow_id)
        except BaseException:
            for future in running:
                future.cancel()
            for request_id in running.values():
                lifecycle.fail_unfinished(request_id, "interrupted", "the process running it stopped")
            raise
