"""Real local stand-ins for the cloud services, started as child processes: used by `vividly dev` and tests.

- Google's Pub/Sub emulator (Java; Debian package google-cloud-cli-pubsub-emulator or
  `gcloud components install pubsub-emulator`).
- A throwaway PostgreSQL server from the postgresql-15 binaries (initdb + pg_ctl).
- gcp-storage-emulator (PyPI), in-process.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from shared.errors import VividlyError


class ServiceUnavailable(VividlyError):
    """A local stand-in cannot start on this machine (its binaries are missing)."""

    code = "service_unavailable"
    http_status = 503


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, *, timeout_s: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout_s}s")


def find_pubsub_emulator() -> Path:
    candidates = []
    if os.environ.get("PUBSUB_EMULATOR_BIN"):
        candidates.append(Path(os.environ["PUBSUB_EMULATOR_BIN"]))
    gcloud = shutil.which("gcloud")
    if gcloud:
        sdk = Path(gcloud).resolve().parent.parent
        candidates.append(sdk / "platform/pubsub-emulator/bin/cloud-pubsub-emulator")
    candidates.append(Path("/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator"))
    for candidate in candidates:
        if candidate.is_file() and shutil.which("java"):
            return candidate
    raise ServiceUnavailable(
        "Pub/Sub emulator not found: apt-get install google-cloud-cli-pubsub-emulator default-jre-headless "
        "(or gcloud components install pubsub-emulator)"
    )


@dataclass
class PubSubEmulator:
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> PubSubEmulator:
        launcher = find_pubsub_emulator()
        self.log_path = Path(tempfile.mkstemp(prefix="pubsub-emulator-", suffix=".log")[1])
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [str(launcher), "--host=127.0.0.1", f"--port={self.port}"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout_s=60, process=self.process)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


def find_pg_bindir() -> Path:
    candidates = [Path(p) for p in [os.environ.get("PG_BINDIR", "")] if p]
    if shutil.which("pg_config"):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if out:
            candidates.append(Path(out))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").is_file() and (candidate / "pg_ctl").is_file():
            return candidate
    raise ServiceUnavailable("PostgreSQL server binaries not found: apt-get install postgresql-15")


@dataclass
class PostgresServer:
    """A throwaway cluster on a free port, trust auth on loopback; restartable (for resilience tests)."""

    port: int = field(default_factory=free_port)
    data_dir: Path | None = None
    bindir: Path | None = None
    # Off: fast and fine for tests. On: a commit survives an immediate stop (the faults benchmark's crash).
    durable: bool = False

    def _run_as(self) -> list[str]:
        # initdb refuses to run as root; run the server as the `postgres` user then.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def start(self) -> PostgresServer:
        self.bindir = find_pg_bindir()
        if self.data_dir is None:
            base = Path(tempfile.mkdtemp(prefix="vividly-pg-"))
            if os.geteuid() == 0:
                shutil.chown(base, "postgres", "postgres")
            self.data_dir = base / "data"
            subprocess.run(
                [
                    *self._run_as(),
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ],
                check=True,
                capture_output=True,
            )
        self._pg_ctl(
            "start",
            "-w",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data_dir} -c max_connections=200"
            + ("" if self.durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"),
        )
        return self

    def _pg_ctl(self, *args: str) -> None:
        assert self.bindir and self.data_dir
        subprocess.run(
            [
                *self._run_as(),
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.data_dir / "server.log"),
                *args,
            ],
            check=True,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        if self.data_dir and (self.data_dir / "postmaster.pid").exists():
            self._pg_ctl("stop", "-m", mode, "-w")

    def restart(self) -> None:
        self.stop()
        self.start()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+pg8000://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import pg8000.native

        conn = pg8000.native.Connection("postgres", host="127.0.0.1", port=self.port)
        try:
            conn.run(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        if self.data_dir:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)


@dataclass
class StorageEmulator:
    """gcp-storage-emulator in this process (a thread): in memory, or in `data_dir` to survive a restart."""

    port: int = field(default_factory=free_port)
    data_dir: Path | None = None
    server: object | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, buckets: tuple[str, ...] = ()) -> StorageEmulator:
        from gcp_storage_emulator.server import create_server

        self.server = create_server(
            "127.0.0.1",
            self.port,
            in_memory=self.data_dir is None,
            default_bucket=None,
            data_dir=str(self.data_dir) if self.data_dir else None,
        )
        self.server.start()  # type: ignore[attr-defined]
        wait_for_port(self.port, timeout_s=10)
        for bucket in buckets:
            self.create_bucket(bucket)
        return self

    def create_bucket(self, name: str) -> None:
        from google.auth.credentials import AnonymousCredentials
        from google.cloud import storage

        client = storage.Client(
            project="vividly-local",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": self.url},
        )
        if client.lookup_bucket(name) is None:
            client.create_bucket(name)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()  # type: ignore[attr-defined]
