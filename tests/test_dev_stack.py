"""`vividly dev` end to end, checked by the same smoke test Cloud Build runs after a deploy; Ctrl-C stops all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.support.browser import teacher_uses_the_page
from tests.support.workers import ROOT

pytestmark = [pytest.mark.pubsub, pytest.mark.slow]


def test_smoke_test_passes_against_the_dev_stack(tmp_path, pubsub_emulator):
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "dev", "--port", "0", "--workdir", str(tmp_path / "dev")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        line, api_key = "", ""
        while time.monotonic() < deadline and not line.startswith("READY "):
            line = process.stdout.readline().strip()
            api_key = line.removeprefix("API_KEY ") if line.startswith("API_KEY ") else api_key
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
        base_url = line.removeprefix("READY ")
        assert api_key.startswith("vvd_")
        smoke = subprocess.run(
            [
                sys.executable,
                "scripts/smoke_test.py",
                "--base-url",
                base_url,
                "--timeout-s",
                "240",
                "--api-key",
                api_key,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert "PASS" in smoke.stdout and "completed 100%" in smoke.stdout
        teacher_uses_the_page(base_url, api_key, tmp_path)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
