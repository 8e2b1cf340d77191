"""uploading and notifying: publish the lesson files and announce the result."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from shared.domain.status import Status
from shared.domain.webhooks import UnsafeWebhook
from shared.lesson.length import length_warning
from shared.logs import get_logger
from shared.messaging.topics import ATTR_CORRELATION_ID, ATTR_EVENT, ATTR_REQUEST_ID, EVENTS_TOPIC
from shared.webhook_delivery import RetryableWebhookError, WebhookRefused, deliver
from worker.pipeline import Output, StageContext
from worker.stages.narrate import CAPTIONS_SRT, CAPTIONS_VTT, NARRATION, TIMINGS
from worker.stages.render import DECK, THUMBNAIL, VIDEO
from worker.stages.services import LessonServices
from worker.stages.understand import OUTLINE, SCRIPT

MANIFEST = Output("manifest", "manifest.json", "application/json")
PUBLISHED = (VIDEO, CAPTIONS_VTT, CAPTIONS_SRT, SCRIPT, OUTLINE, DECK, THUMBNAIL, NARRATION)
log = get_logger("stages")


@dataclass
class UploadStage:
    services: LessonServices
    name: str = "upload"
    status: Status = Status.UPLOADING
    outputs: tuple[Output, ...] = (MANIFEST,)

    def run(self, ctx: StageContext) -> None:
        manifest = {}
        for index, output in enumerate(PUBLISHED):
            uri = ctx.publish(
                output.kind,
                ctx.input_path(output),
                # Deterministic names: a rerun overwrites the same objects instead of scattering copies.
                f"{ctx.request.artifact_prefix}/{output.filename}",
                output.content_type,
            )
            manifest[output.kind] = uri
            ctx.progress((index + 1) / len(PUBLISHED), f"Saved {output.filename}")
        ctx.output_path(MANIFEST).write_text(json.dumps(manifest, indent=2))
        duration_s = json.loads(ctx.input_path(TIMINGS).read_text())["duration_s"]
        warning = length_warning(duration_s, ctx.request.duration_minutes)
        if warning:
            ctx.add_warnings([warning])


@dataclass
class NotifyStage:
    """Safe to repeat: consumers of content-events dedupe on event_id; webhooks carry the same id."""

    services: LessonServices
    name: str = "notify"
    status: Status = Status.NOTIFYING
    outputs: tuple[Output, ...] = ()

    def run(self, ctx: StageContext) -> None:
        manifest = json.loads(ctx.input_path(MANIFEST).read_text())
        event = {
            "event_id": f"{ctx.request.id}:{ctx.request.attempt}:completed",
            "event": "lesson.completed",
            "request_id": str(ctx.request.id),
            "correlation_id": ctx.request.correlation_id,
            "artifacts": manifest,
        }
        self.services.publisher.publish(
            EVENTS_TOPIC,
            json.dumps(event).encode(),
            {
                ATTR_EVENT: "lesson.completed",
                ATTR_REQUEST_ID: str(ctx.request.id),
                ATTR_CORRELATION_ID: ctx.request.correlation_id,
            },
        )
        url = ctx.request.webhook_url
        if not url:
            return
        secret = self.services.settings.webhook_secret
        try:
            status = deliver(
                url,
                event,
                secret=secret.get_secret_value() if secret else "",
                allow_loopback=self.services.settings.allow_loopback_webhooks,
            )
            log.info("webhook delivered", status=status)
        except (UnsafeWebhook, RetryableWebhookError, WebhookRefused, httpx.HTTPError, OSError) as exc:
            # The lesson is finished either way; the event on content-events is the durable record.
            log.warning("webhook not delivered", error=str(exc))
