"""The spine as separate processes, as in production: gunicorn serving the functions, `python -m worker`
consumers on the echo pipeline. Shared by the spine and faults benchmarks."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from devstack.services import PostgresServer, PubSubEmulator, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
ECHO = "devstack.echo_pipeline:echo_stages"


def start_functions(*, http_workers: int, threads: int = 8) -> tuple[subprocess.Popen[bytes], str]:
    """The HTTP functions behind gunicorn; returns the process and its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(http_workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "functions.local_app:create_app()",
        ],
        cwd=ROOT,
    )
    wait_for_port(port, timeout_s=30)
    return server, f"http://127.0.0.1:{port}"


def spawn_worker(*, concurrency: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "--follow", "--pipeline", ECHO, "--concurrency", str(concurrency)],
        cwd=ROOT,
    )


def backing_services(project: str, *, durable: bool = False) -> tuple[Path, PubSubEmulator, PostgresServer]:
    """A scratch folder, the Pub/Sub emulator and a PostgreSQL, with the environment pointing the spine (this
    process and the ones it starts) at them."""
    root = Path(tempfile.mkdtemp(prefix=f"vividly-{project}-"))
    emulator = PubSubEmulator().start()
    pg = PostgresServer(durable=durable).start()
    os.environ.update(
        {
            "PUBSUB_EMULATOR_HOST": emulator.host,
            "GOOGLE_CLOUD_PROJECT": project,
            "DATABASE_URL": pg.create_database(project),
            "WORK_DIR": str(root / "work"),
            "CONTENT_DIR": str(root / "content"),
            "DB_POOL_SIZE": "10",
        }
    )
    return root, emulator, pg
