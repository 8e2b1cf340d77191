"""`vividly dev` end to end: emulators, database, functions and worker; a lesson through HTTP; Ctrl-C stops all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import pytest

from devstack.services import free_port
from tests.support.workers import ROOT, wait_until

pytestmark = [pytest.mark.pubsub, pytest.mark.slow]


def test_dev_stack_serves_a_lesson_and_stops_cleanly(tmp_path, pubsub_emulator):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "dev", "--port", str(port), "--workdir", str(tmp_path / "dev")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.stdout.readline().strip() != "READY":
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
        base = f"http://127.0.0.1:{port}"
        submitted = httpx.post(
            f"{base}/submit_content_request",
            json={
                "student_query": "How does the human heart pump blood?",
                "grade_level": "5",
                "duration_minutes": 1,
            },
        )
        assert submitted.status_code == 202, submitted.text
        request_id = submitted.json()["request_id"]

        def finished():
            body = httpx.get(f"{base}/get_request_status", params={"request_id": request_id}).json()
            return body if body["status"] in ("completed", "failed") else None

        status = wait_until(finished, timeout_s=180, every_s=1.0)
        assert status["status"] == "completed", status
        video = next(a for a in status["artifacts"] if a["kind"] == "video")
        assert video["uri"].startswith("gs://vividly-content/lessons/")
        downloaded = httpx.get(video["url"])  # served by the GCS emulator
        assert downloaded.status_code == 200 and len(downloaded.content) == video["bytes"]
        assert [e["to"] for e in status["events"]][-1] == "completed"
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
