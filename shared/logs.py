"""Structured JSON logs in Cloud Logging's format (severity, message, ids bound per request)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from structlog.typing import Processor

SECRET_KEYS = ("password", "secret", "token", "authorization", "private_key")


def _cloud_logging_fields(
    _logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    event["severity"] = event.pop("level", method).upper()
    event["message"] = event.pop("event", "")
    trace = event.pop("trace", None)
    project = os.environ.get("GOOGLE_CLOUD_PROJECT")
    if trace and project:
        event["logging.googleapis.com/trace"] = f"projects/{project}/traces/{trace}"
    for key in ("CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_EXECUTION"):
        if key in os.environ:
            event[key.lower()] = os.environ[key]
    return event


def _redact(_logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if any(word in key.lower() for word in SECRET_KEYS):
            event[key] = "[redacted]"
    return event


def configure_logging(level: str | None = None, *, stream: Any = None) -> None:
    """Our logs and the libraries' (SQLAlchemy's pool, the Google clients, gunicorn) as one JSON line each."""
    level_name = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    level_number = logging.getLevelNamesMapping()[level_name]
    before: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        _redact,
    ]
    render: list[Processor] = [
        structlog.processors.format_exc_info,
        _cloud_logging_fields,
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
    root = logging.getLogger()
    root.handlers = [handler]
    # Libraries speak at INFO about every connection and request; their warnings and errors are what we need.
    root.setLevel(max(level_number, logging.WARNING))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
