"""`vividly dev`: the whole system on one machine, each cloud service replaced by its real local stand-in."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from devstack.dead_letters import deliver_dead_letters
from devstack.services import PostgresServer, PubSubEmulator, StorageEmulator, free_port

LOCAL_ORGANIZATION = "local"


def local_key(engine: Any, settings: Any) -> str:
    """A new teacher key of the organisation `local`, so the printed curl lines work as they are."""
    from shared.auth.pepper import pepper
    from shared.auth.principal import Role
    from shared.db import api_keys
    from shared.db.engine import make_session_factory

    with make_session_factory(engine)() as session:
        _row, token = api_keys.create_key(
            session, LOCAL_ORGANIZATION, Role.TEACHER, pepper(settings), label="vividly dev"
        )
        session.commit()
    return token


@dataclass
class DevStack:
    """Start with start(); stop() undoes everything in reverse order."""

    workdir: Path
    http_port: int = 8080
    pubsub_port: int = 8085
    database: str = "sqlite"  # or "postgres"
    pipeline: str = "worker.stages:lesson_stages"
    gcs: bool = True
    endpoints: dict[str, str] = field(default_factory=dict)
    api_key: str = ""  # a teacher's key of the organisation `local`, made by start()
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _stop_event: threading.Event = field(default_factory=threading.Event)

    def _port(self, wanted: int) -> int:
        with socket.socket() as sock:
            return wanted if sock.connect_ex(("127.0.0.1", wanted)) != 0 else free_port()

    def _reserve_http_port(self) -> socket.socket:
        """Listen first: an emulator started later asks the OS for a free port and could get ours."""
        try:
            return socket.create_server(("127.0.0.1", self.http_port))
        except OSError:  # taken (or 0): any free port, announced in endpoints
            return socket.create_server(("127.0.0.1", 0))

    def start(self, on_step: Callable[[str], None] = lambda _msg: None) -> DevStack:
        self.workdir.mkdir(parents=True, exist_ok=True)
        http_socket = self._reserve_http_port()
        self._stops.append(http_socket.close)
        # The stack's own settings, handed to the functions and the worker it starts in this process (the
        # rest, LOG_LEVEL say, still comes from the environment like any entry point's).
        fields: dict[str, Any] = {
            "gcp_project": os.environ.get("GOOGLE_CLOUD_PROJECT", "vividly-local"),
            "work_dir": self.workdir / "work",
            "content_dir": self.workdir / "content",
            "allow_loopback_webhooks": True,
            "api_key_pepper_file": self.workdir / "api-key-pepper",
        }

        on_step("starting the Pub/Sub emulator")
        emulator = PubSubEmulator(port=self._port(self.pubsub_port)).start()
        self._stops.append(emulator.stop)
        # Not one of our settings: the Pub/Sub client library reads this variable itself.
        os.environ["PUBSUB_EMULATOR_HOST"] = emulator.host
        self.endpoints["Pub/Sub emulator"] = emulator.host

        if self.gcs:
            on_step("starting the GCS emulator")
            storage = StorageEmulator().start()
            self._stops.append(storage.stop)
            fields |= {
                "storage_emulator_host": storage.url,
                "content_bucket": "vividly-content",
                "work_bucket": "vividly-work",
            }
            for bucket in (fields["content_bucket"], fields["work_bucket"]):
                storage.create_bucket(bucket)
            self.endpoints["GCS emulator"] = storage.url

        if self.database == "postgres":
            on_step("starting PostgreSQL")
            server = PostgresServer().start()
            self._stops.append(server.destroy)
            fields["database_url"] = server.create_database("vividly")
        else:
            fields["database_url"] = f"sqlite:///{self.workdir / 'vividly.sqlite3'}"
        self.endpoints["Database"] = fields["database_url"]

        fields["public_base_url"] = f"http://127.0.0.1:{http_socket.getsockname()[1]}"
        from shared.config import Settings

        settings = Settings(**fields)

        on_step("migrating the database")
        from shared.db.engine import make_engine
        from shared.db.migrate import upgrade

        engine = make_engine(settings)
        upgrade(engine)
        on_step("creating the local organisation and its key")
        self.api_key = local_key(engine, settings)
        engine.dispose()

        on_step("creating topics and subscriptions")
        from shared.messaging.topology import Topology, ensure_topology

        ensure_topology(
            Topology(settings.gcp_project, settings.max_delivery_attempts, settings.ack_deadline_s)
        )

        on_step("starting the HTTP functions")
        from functions import main as functions_main
        from functions.local_app import create_app

        functions_main.configure(settings)
        self._stops.append(functions_main.reset)
        server_http = make_server(
            "127.0.0.1", http_socket.getsockname()[1], create_app(), threaded=True, fd=http_socket.fileno()
        )
        threading.Thread(target=server_http.serve_forever, daemon=True, name="functions").start()
        self._stops.append(server_http.shutdown)
        self.endpoints["Functions"] = settings.public_base_url

        on_step("starting the worker (follow mode)")
        self._start_worker(settings)
        self._start_dead_letter_relay(settings.gcp_project, functions_main.handle_dead_letter)
        return self

    def _start_worker(self, settings: Any) -> None:
        from worker.main import assemble

        worker = assemble(settings, self.pipeline, pull_timeout_s=2.0)
        thread = threading.Thread(
            target=worker.consumer.run, kwargs={"drain": False}, daemon=True, name="worker"
        )
        thread.start()

        def stop() -> None:
            worker.consumer.stop()
            thread.join(timeout=15)
            worker.close()

        self._stops.append(stop)
        self.endpoints["Worker"] = f"{worker.consumer.runner.worker_id} ({self.pipeline})"

    def _start_dead_letter_relay(self, project: str, handler: Any) -> None:
        def loop() -> None:
            while not self._stop_event.wait(2.0):
                try:
                    deliver_dead_letters(project, handler)
                except Exception:  # the emulator may be going away during shutdown
                    continue

        threading.Thread(target=loop, daemon=True, name="dead-letters").start()
        self._stops.append(self._stop_event.set)

    def stop(self) -> None:
        while self._stops:
            stop = self._stops.pop()
            try:
                stop()
            except Exception:  # keep stopping the rest
                continue
