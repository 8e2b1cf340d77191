"""`vividly dev` end to end, checked by the same smoke test Cloud Build runs after a deploy; Ctrl-C stops all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from devstack.services import free_port
from tests.support.workers import ROOT

pytestmark = [pytest.mark.pubsub, pytest.mark.slow]


def test_smoke_test_passes_against_the_dev_stack(tmp_path, pubsub_emulator):
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
        smoke = subprocess.run(
            [
                sys.executable,
                "scripts/smoke_test.py",
                "--base-url",
                f"http://127.0.0.1:{port}",
                "--timeout-s",
                "240",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert "PASS" in smoke.stdout and "completed 100%" in smoke.stdout
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
