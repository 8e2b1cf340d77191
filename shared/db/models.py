"""SQLAlchemy 2.0 typed models; Alembic migrations (shared/db/migrations) are the only schema changes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class ContentRequest(Base):
    __tablename__ = "content_requests"
    __table_args__ = (
        UniqueConstraint("organization_id", "idempotency_key", name="uq_request_idempotency"),
        Index("ix_content_requests_status", "status"),
        # An organisation's history, newest first (list_requests pages through it).
        Index("ix_content_requests_org_created", "organization_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[str] = mapped_column(String(64))
    student_id: Mapped[str | None] = mapped_column(String(64))
    correlation_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    query: Mapped[str] = mapped_column(Text)
    grade_level: Mapped[str | None] = mapped_column(String(2))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(35))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    webhook_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage_message: Mapped[str] = mapped_column(Text, default="")
    clarification_questions: Mapped[list[str] | None] = mapped_column(JSON)
    clarification_answers: Mapped[list[str] | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    # Measured usage (LLM tokens, TTS characters, compute seconds) for the cost estimate.
    usage: Mapped[dict[str, float] | None] = mapped_column(JSON)
    # Shown to the user with the finished lesson: shorter than asked, thin sources, reading level above grade.
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    # Flesch-Kincaid grade of the lesson's taught scenes.
    reading_grade: Mapped[float | None] = mapped_column(Float)
    # Which worker is running the request, until when: lets exactly one of two racing workers proceed.
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claim_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set when the request is one item of a workflow (a course of a learning path).
    workflow_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("workflows.id", ondelete="SET NULL", name="fk_content_requests_workflow_id"), index=True
    )

    events: Mapped[list[RequestEvent]] = relationship(
        back_populates="request", order_by="RequestEvent.id", cascade="all, delete-orphan"
    )
    artifacts: Mapped[list[Artifact]] = relationship(
        back_populates="request", order_by="Artifact.id", cascade="all, delete-orphan"
    )


class RequestEvent(Base):
    """One row per status transition: the request's timeline."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("content_requests.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    worker_id: Mapped[str | None] = mapped_column(String(128))
    delivery_attempt: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    request: Mapped[ContentRequest] = relationship(back_populates="events")


class Artifact(Base):
    """A file a stage produced: stage checkpoints (`checkpoint.*`) and the published lesson files."""

    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("request_id", "kind", name="uq_artifact_kind"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("content_requests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    uri: Mapped[str] = mapped_column(Text)
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    request: Mapped[ContentRequest] = relationship(back_populates="artifacts")


class Workflow(Base):
    """A parent of child items (each a normal content request), e.g. a learning path."""

    __tablename__ = "workflows"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organization_id: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    correlation_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    max_concurrent: Mapped[int] = mapped_column(Integer)
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the workflow worked out before its items (a learning path: the gaps and the planned courses).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[WorkflowItem]] = relationship(
        back_populates="workflow", order_by="WorkflowItem.position", cascade="all, delete-orphan"
    )
    events: Mapped[list[WorkflowEvent]] = relationship(
        back_populates="workflow", order_by="WorkflowEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("organization_id", "idempotency_key", name="uq_workflow_idempotency"),)


class WorkflowItem(Base):
    __tablename__ = "workflow_items"
    __table_args__ = (UniqueConstraint("workflow_id", "position", name="uq_workflow_item_position"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content_requests.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    workflow: Mapped[Workflow] = relationship(back_populates="items")


class WorkflowEvent(Base):
    """The workflow's timeline: every change of the parent or of an item, in order (SSE resumes by id)."""

    __tablename__ = "workflow_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    workflow_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    position: Mapped[int | None] = mapped_column(Integer)  # the item's; None for the workflow itself
    status: Mapped[str] = mapped_column(String(32))
    progress: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    workflow: Mapped[Workflow] = relationship(back_populates="events")


class Organization(Base):
    """A school or a training team: every request, workflow and key belongs to one."""

    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The Identity Platform tenant its people sign in through: a token's tenant names its organisation.
    identity_tenant: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Member(Base):
    """A person (an ID token's subject) in an organisation, with the role they sign in with."""

    __tablename__ = "members"

    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """A machine's credential. Only the HMAC of its secret is kept: the key itself is shown once."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the key id, the part before the secret
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    secret_hmac: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKeyWindow(Base):
    """Calls one key made in one minute: the quota holds across function instances because it lives here."""

    __tablename__ = "api_key_windows"

    key_id: Mapped[str] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer)
