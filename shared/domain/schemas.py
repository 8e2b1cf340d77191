"""What a client may send and what it gets back (pydantic); pure validation, no I/O."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from shared.domain.webhooks import UnsafeWebhook, check_webhook_url

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# A BCP-47 tag we can narrate: primary language we support, optional region.
LANGUAGE = re.compile(r"^(?P<lang>[a-z]{2})(?:-(?P<region>[A-Z]{2}))?$")
SUPPORTED_LANGUAGES = frozenset({"en", "es", "fr", "de", "it", "pt", "nl"})
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MIN_MINUTES, MAX_MINUTES = 1, 10
MAX_QUERY_CHARS = 2_000


def no_control_characters(value: str) -> str:
    """Every text field of every function: PostgreSQL refuses NUL in text, and a terminal escape stored in
    a request would reach logs and screens."""
    if CONTROL_CHARS.search(value):
        raise ValueError("must not contain control characters")
    return value


def clean_query(value: str) -> str:
    """A learner's question, the same on submit and on a clarification's answer."""
    if not value:
        raise ValueError("must not be empty")
    return " ".join(no_control_characters(value).split())


Text = Annotated[StrictStr, AfterValidator(no_control_characters)]
Query = Annotated[StrictStr, Field(max_length=MAX_QUERY_CHARS), AfterValidator(clean_query)]

Grade = Literal["K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]


def normalise_grade(value: object) -> object:
    """Accept 'K', 'k', 0..12 as int or digits; leave anything else for the Literal to reject."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return "K" if value == 0 else str(value)
    if isinstance(value, str):
        text = value.strip().upper().removeprefix("GRADE").strip()
        if text in ("K", "0", "KINDERGARTEN"):
            return "K"
        if text.isdigit():
            return str(int(text))
    return value


class LessonOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Literal["720p", "1080p"] = "720p"
    burn_captions: bool = False
    # Leave the right of every slide (video and deck) clear for a presenter composited there later.
    presenter_room: bool = False
    # What the lesson's title card, outline and deck promise, when the caller knows better than the
    # composer (a learning path's course, from the questions missed); else the composer words them.
    objectives: (
        Annotated[
            list[Annotated[Text, Field(min_length=3, max_length=120)]], Field(min_length=2, max_length=4)
        ]
        | None
    ) = None
    voice: Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None


class ContentRequestCreate(BaseModel):
    """The body of POST submit_content_request."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    student_query: Query
    grade_level: Grade | None = None
    duration_minutes: StrictInt = Field(default=2, ge=MIN_MINUTES, le=MAX_MINUTES)
    language: Text = "en-US"
    organization_id: Text = "default"
    student_id: Text | None = None
    idempotency_key: Annotated[Text, Field(min_length=1, max_length=128)] | None = None
    webhook_url: Annotated[Text, Field(max_length=2_048)] | None = None
    options: LessonOptions = Field(default_factory=LessonOptions)

    @field_validator("grade_level", mode="before")
    @classmethod
    def _grade(cls, value: object) -> object:
        return normalise_grade(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        match = LANGUAGE.match(value)
        if not match or match["lang"] not in SUPPORTED_LANGUAGES:
            raise ValueError(
                f"must be a supported language tag such as en-US ({', '.join(sorted(SUPPORTED_LANGUAGES))})"
            )
        return value

    @field_validator("organization_id", "student_id")
    @classmethod
    def _slug(cls, value: str | None) -> str | None:
        if value is not None and not SLUG.match(value):
            raise ValueError("must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        return value


def validate_webhook(request: ContentRequestCreate, *, allow_loopback: bool) -> list[dict[str, str]]:
    """Field errors for the webhook URL (its safety depends on settings, so it is checked apart)."""
    if request.webhook_url is None:
        return []
    try:
        check_webhook_url(request.webhook_url, allow_loopback=allow_loopback)
    except UnsafeWebhook as exc:
        return [{"field": "webhook_url", "reason": f"unsafe webhook URL: {exc}"}]
    return []


def field_errors(errors: list[Any]) -> list[dict[str, str]]:
    """pydantic's errors as [{field, reason}] a client can act on."""
    out = []
    for error in errors:
        field = ".".join(str(part) for part in error["loc"]) or "body"
        out.append({"field": field, "reason": error["msg"]})
    return out


def parse_request_id(text: str) -> uuid.UUID:
    """Accept ids with or without hyphens, any case; ValueError otherwise."""
    cleaned = text.strip()
    if not re.fullmatch(r"[0-9a-fA-F]{32}|[0-9a-fA-F-]{36}", cleaned):
        raise ValueError("request_id must be a UUID")
    return uuid.UUID(cleaned)


class ClarificationAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answers: Annotated[
        list[Annotated[Text, Field(min_length=1, max_length=500)]], Field(min_length=1, max_length=5)
    ]
    student_query: Query | None = None
