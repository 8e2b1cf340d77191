"""A trivial pipeline that exercises the spine without media work: spine tests and benchmarks use it.

Every stage writes a small JSON file (the uploading stage also publishes its own). Environment knobs let tests shape its behaviour in a worker
subprocess: ECHO_STAGE_LOG (append one line per stage run), ECHO_SLOW_STATUS + ECHO_SLOW_S (sleep in
one stage), and a query containing "poison" makes the generating_script stage crash every time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.domain.status import PIPELINE, Status
from worker.pipeline import Output, Stage, StageContext


@dataclass
class EchoStage:
    name: str
    status: Status
    outputs: tuple[Output, ...]

    def run(self, ctx: StageContext) -> None:
        log_path = os.environ.get("ECHO_STAGE_LOG")
        if log_path:
            with Path(log_path).open("a", encoding="utf-8") as handle:
                handle.write(f"{self.name} {ctx.request.id} {os.getpid()}\n")
        if self.status is Status.GENERATING_SCRIPT and "poison" in ctx.request.query:
            raise RuntimeError("poison request: this stage always crashes")
        if os.environ.get("ECHO_SLOW_STATUS") == self.status.value:
            slow_s = float(os.environ.get("ECHO_SLOW_S", "5"))
            steps = 10
            for step in range(steps):
                time.sleep(slow_s / steps)
                ctx.progress((step + 1) / steps, f"{self.name}: step {step + 1} of {steps}")
        for output in self.outputs:
            ctx.output_path(output).write_text(
                json.dumps(
                    {"stage": self.name, "request_id": str(ctx.request.id), "query": ctx.request.query}
                )
            )
            if self.status is Status.UPLOADING:  # published where the real upload stage puts lesson files
                key = f"{ctx.request.artifact_prefix}/{output.filename}"
                ctx.publish(output.kind, ctx.output_path(output), key, output.content_type)


def echo_stages(_resources: Any = None) -> Sequence[Stage]:
    return [
        EchoStage(status.value, status, (Output(status.value, f"{status.value}.json", "application/json"),))
        for status in PIPELINE[1:-2]  # validating .. uploading; notifying passes through
    ]
