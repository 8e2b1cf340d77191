"""Build the shared resources once per process from settings (arq's ctx, GCP samples' engine-in)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings
from shared.db.engine import make_engine, make_session_factory
from shared.messaging.publisher import JsonLinesPublisher, Publisher
from shared.storage.base import Storage
from shared.storage.local import LocalStorage


@dataclass
class Resources:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    publisher: Publisher
    work_storage: Storage
    content_storage: Storage

    def close(self) -> None:
        self.engine.dispose()


# The Google client libraries are imported only where they are used: an offline worker or CLI never loads
# them (about 30 MB of a process that must stay under 400 MB for a long lesson).


def make_publisher(settings: Settings, *, offline: bool = False) -> Publisher:
    if offline:
        return JsonLinesPublisher(settings.work_dir.parent / "topics")
    from shared.messaging.pubsub_publisher import PubSubPublisher

    return PubSubPublisher(settings.gcp_project, timeout_s=settings.publish_timeout_s)


def make_storage(settings: Settings) -> tuple[Storage, Storage]:
    """(work storage for stage checkpoints, content storage for published lessons)."""
    if not (settings.work_bucket or settings.content_bucket):
        return LocalStorage(settings.work_dir), LocalStorage(settings.content_dir)
    from shared.storage.gcs import GCSStorage
    from shared.storage.signing import default_signing_credentials

    work: Storage = (
        GCSStorage(
            settings.work_bucket, project=settings.gcp_project, emulator_host=settings.storage_emulator_host
        )
        if settings.work_bucket
        else LocalStorage(settings.work_dir)
    )
    # The emulator serves objects openly and cannot sign; in the cloud the runtime's account signs via IAM.
    signer = (
        None
        if settings.storage_emulator_host
        else partial(
            default_signing_credentials,
            service_account_email=settings.signing_service_account,
            endpoint=settings.iam_credentials_endpoint,
        )
    )
    content: Storage = (
        GCSStorage(
            settings.content_bucket,
            project=settings.gcp_project,
            signer=signer,
            emulator_host=settings.storage_emulator_host,
        )
        if settings.content_bucket
        else LocalStorage(settings.content_dir)
    )
    return work, content


def build(
    settings: Settings, *, offline: bool = False, engine: Engine | None = None, db_pre_ping: bool = True
) -> Resources:
    engine = engine or make_engine(settings, pre_ping=db_pre_ping)
    work, content = make_storage(settings)
    return Resources(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        publisher=make_publisher(settings, offline=offline),
        work_storage=work,
        content_storage=content,
    )
