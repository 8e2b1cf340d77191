"""One settings object for every entry point, read from the environment (12-factor)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.domain.schemas import SUPPORTED_LANGUAGES

# What each script writer can write: the offline composer's rules (sentence choice, quiz distractors,
# readability) are English; Gemini writes any language the schema accepts.
WRITER_LANGUAGES = {"grounded": ("en",), "gemini": tuple(sorted(SUPPORTED_LANGUAGES))}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="", extra="ignore", case_sensitive=False, populate_by_name=True
    )

    # Database: DATABASE_URL, or the Cloud SQL connector when INSTANCE_CONNECTION_NAME is set.
    database_url: str = "sqlite:///var/vividly.sqlite3"
    instance_connection_name: str | None = None
    db_user: str = "vividly"
    db_password: SecretStr | None = None
    db_name: str = "vividly"
    db_iam_auth: bool = False
    db_pool_size: int = Field(default=5, ge=1, le=50)

    # Pub/Sub: the client library itself honours PUBSUB_EMULATOR_HOST.
    gcp_project: str = Field(default="vividly-local", validation_alias="GOOGLE_CLOUD_PROJECT")
    max_delivery_attempts: int = Field(default=5, ge=5, le=100)
    ack_deadline_s: int = Field(default=60, ge=10, le=600)
    publish_timeout_s: float = Field(default=10.0, gt=0)

    # Storage: local folders by default; GCS buckets when named; the GCS emulator when its host is given.
    storage_emulator_host: str | None = None
    work_dir: Path = Path("var/work")
    content_dir: Path = Path("output")
    content_bucket: str | None = None
    # Signed URLs: the account that signs (default: the runtime's own) and, for a local stand-in, the IAM
    # Credentials API's endpoint.
    signing_service_account: str | None = None
    iam_credentials_endpoint: str | None = None
    knowledge_path: Path = Path("var/knowledge.jsonl")
    knowledge_bucket: str | None = None  # OER documents as gs://<bucket>/knowledge/*.jsonl

    # Engines: offline defaults, or the Google services in production.
    script_writer: Literal["grounded", "gemini"] = "grounded"
    # auto: piper (the `voice` extra) for English when installed, espeak-ng otherwise.
    narrator: Literal["auto", "piper", "espeak", "cloud-tts"] = "auto"
    gemini_model: str = "gemini-2.5-flash"
    vertex_location: str = "us-central1"
    work_bucket: str | None = None
    # Primary language codes lessons may be asked in (TEACH_LANGUAGES=en,es); empty: what the writer supports.
    teach_languages: Annotated[tuple[str, ...], NoDecode] = ()

    # HTTP limits.
    max_body_bytes: int = 16_384
    # API keys: the HMAC pepper (Secret Manager in the cloud); offline, a file made on first use.
    api_key_pepper: SecretStr | None = None
    api_key_pepper_file: Path = Path("var/api-key-pepper")
    api_key_calls_per_minute: int = Field(default=600, ge=1)
    # Identity Platform sign-in for people: ID tokens are accepted only when the audience (the Firebase
    # project id) is set, and it is always checked.
    id_token_audience: str | None = None
    id_token_certs_url: str = (
        "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
    )
    id_token_issuer_prefix: str = "https://securetoken.google.com/"
    id_token_clock_skew_s: int = Field(default=10, ge=0, le=300)
    public_base_url: str = "http://127.0.0.1:8080"

    # Webhooks: private targets only when explicitly allowed (local development).
    allow_loopback_webhooks: bool = False  # a receiver on this machine (vividly dev); never private addresses
    webhook_secret: SecretStr | None = None

    # Hosted presenters (`vividly deck --presenter heygen|d-id`): keys from Secret Manager in the cloud.
    heygen_api_key: SecretStr | None = None
    heygen_avatar_id: str | None = None
    heygen_voice_id: str | None = None
    heygen_base_url: str = "https://api.heygen.com"
    did_api_key: SecretStr | None = None
    did_source_url: str | None = None  # the portrait D-ID animates: a URL it can fetch
    did_base_url: str = "https://api.d-id.com"

    # Worker.
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    pull_batch_size: int = Field(default=10, ge=1, le=1000)
    lease_extend_every_s: float = Field(default=0.0, ge=0)  # 0: a third of ack_deadline_s
    # Off only to demonstrate (in tests) what the lease keeper prevents: redelivery of slow work.
    lease_keeper: bool = True
    # How long one delivery rides out a database or dependency outage, or waits for another worker's claim,
    # before it hands its message back (and so spends one of max_delivery_attempts).
    outage_budget_s: float = Field(default=60.0, ge=0, le=600)
    metrics_port: int | None = None  # serve Prometheus /metrics from the worker on this port

    # Logs, and who this process is: Cloud Run sets the execution and task index on every job task.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    cloud_run_execution: str | None = None
    cloud_run_task_index: str | None = None

    @field_validator("database_url")
    @classmethod
    def _normalise_postgres_url(cls, url: str) -> str:
        # Cloud consoles hand out postgres:// URLs; SQLAlchemy wants the driver named.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+pg8000://" + url[len(prefix) :]
        return url

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("teach_languages", mode="before")
    @classmethod
    def _split_languages(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(code.strip().lower() for code in value.split(",") if code.strip())
        return value

    @model_validator(mode="after")
    def _default_languages(self) -> Settings:
        unknown = sorted(set(self.teach_languages) - SUPPORTED_LANGUAGES)
        if unknown:
            raise ValueError(
                f"teach_languages: {', '.join(unknown)} not among {', '.join(sorted(SUPPORTED_LANGUAGES))}"
            )
        if not self.teach_languages:
            self.teach_languages = WRITER_LANGUAGES[self.script_writer]
        return self

    @property
    def lease_interval_s(self) -> float:
        return self.lease_extend_every_s or self.ack_deadline_s / 3


def get_settings() -> Settings:
    """The settings an entry point reads from its environment, once, and passes on: deliberately not
    cached, so no test or tool has a cache to clear (a process that wants other settings builds its own
    Settings and hands it in)."""
    return Settings()
