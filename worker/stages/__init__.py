"""The lesson pipeline: one stage per status, from question to announced video."""

from __future__ import annotations

from collections.abc import Sequence

from shared.bootstrap import Resources
from worker.pipeline import Stage
from worker.stages.deliver import NotifyStage, UploadStage
from worker.stages.narrate import NarrateStage
from worker.stages.render import RenderStage
from worker.stages.services import LessonServices
from worker.stages.understand import RetrieveStage, ScriptStage, ValidateStage


def lesson_stages(resources: Resources, services: LessonServices | None = None) -> Sequence[Stage]:
    """The composition root of a lesson: every stage gets the same services (engines built once)."""
    services = services or LessonServices(resources.settings, resources.publisher)
    return [
        ValidateStage(services),
        RetrieveStage(services),
        ScriptStage(services),
        NarrateStage(services),
        RenderStage(services),
        UploadStage(services),
        NotifyStage(services),
    ]
