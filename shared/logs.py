"""Structured JSON logs in Cloud Logging's format (severity, message, ids bound per request)."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

from shared.config import Settings

SECRET_KEYS = ("password", "secret", "token", "authorization", "private_key")


def _cloud_logging_fields(settings: Settings) -> Processor:
    """severity, message, the trace in Cloud Trace's form, and which Cloud Run task wrote the entry."""
    task = {
        key: value
        for key, value in (
            ("cloud_run_task_index", settings.cloud_run_task_index),
            ("cloud_run_execution", settings.cloud_run_execution),
        )
        if value
    }

    def fields(_logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        event["severity"] = event.pop("level", method).upper()
        event["message"] = event.pop("event", "")
        trace = event.pop("trace", None)
        if trace:
            event["logging.googleapis.com/trace"] = f"projects/{settings.gcp_project}/traces/{trace}"
        event.update(task)
        return event

    return fields


def _redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if any(word in key.lower() for word in SECRET_KEYS):
            event[key] = "[redacted]"
    return event


def configure_logging(
    level: str | None = None, *, stream: Any = None, settings: Settings | None = None
) -> None:
    """Our logs and the libraries' (SQLAlchemy's pool, the Google clients, gunicorn) as one JSON line each.

    `level` overrides the settings' LOG_LEVEL (a CLI keeps its own output quiet)."""
    settings = settings or Settings()
    level_name = (level or settings.log_level).upper()
    level_number = logging.getLevelNamesMapping()[level_name]
    before: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        _redact,
    ]
    render: list[Processor] = [
        structlog.processors.format_exc_info,
        _cloud_logging_fields(settings),
        structlog.processors.JSONRenderer(),
    ]
    structlog.configure(
        processors=[*before, *render],
        wrapper_class=structlog.make_filtering_bound_logger(level_number),
        logger_factory=structlog.PrintLoggerFactory(stream or sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=before,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
        )
    )
    # Libraries speak at INFO about every connection and request; their warnings and errors are what we need.
    # The handler filters too: a library that sets its own logger to DEBUG still reaches only this handler.
    library_level = max(level_number, logging.WARNING)
    handler.setLevel(library_level)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(library_level)


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
