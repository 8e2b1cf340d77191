"""Dockerfile.worker, cloudbuild.yaml and the functions' main.py, checked statically (no Docker engine here)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SECRETISH = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIALS)", re.IGNORECASE)


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile.worker").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def test_dockerfile_is_multi_stage_slim_and_non_root():
    steps = instructions()
    froms = [arg for op, arg in steps if op == "FROM"]
    assert len(froms) >= 2 and all("slim" in f for f in froms)
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    users = [arg for op, arg in final if op == "USER"]
    assert users and users[-1] not in ("0", "root")
    assert any("espeak-ng" in arg and "fonts-dejavu-core" in arg for op, arg in final if op == "RUN")
    entry = [arg for op, arg in final if op in ("ENTRYPOINT", "CMD")]
    assert entry == ['["python", "-m", "worker"]', '["--drain"]']


def test_dockerfile_copies_paths_that_exist_and_bakes_no_secrets():
    for op, arg in instructions():
        if op == "COPY" and "--from" not in arg:
            *sources, _dest = shlex.split(arg)
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: no such path"
        if op in ("ENV", "ARG"):
            assert not SECRETISH.search(arg), f"{op} {arg} looks like a baked-in secret"


def test_the_entrypoint_module_imports_and_runs():
    result = subprocess.run(
        [sys.executable, "-m", "worker", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "--drain" in result.stdout
    import main  # the functions' source root

    for name in (
        "submit_content_request",
        "get_request_status",
        "answer_clarification",
        "cancel_request",
        "retry_request",
        "health",
        "handle_dead_letter",
        "submit_assessment",
        "get_workflow",
        "workflow_events",
        "retry_workflow_items",
        "regenerate_workflow_item",
        "cancel_workflow",
    ):
        assert callable(getattr(main, name))


def test_cloudbuild_tests_builds_deploys_by_digest_migrates_smokes_and_rolls_back():
    build = yaml.safe_load((ROOT / "cloudbuild.yaml").read_text())
    ids = [step["id"] for step in build["steps"]]
    assert ids == [
        "test",
        "build",
        "push",
        "resolve-digest",
        "package-functions",
        "migrate",
        "deploy",
        "smoke-test-or-roll-back",
    ]
    text = (ROOT / "cloudbuild.yaml").read_text()
    assert ":latest" not in text
    steps = {step["id"]: " ".join(map(str, step.get("args", []))) for step in build["steps"]}
    assert "fully_qualified_digest" in steps["resolve-digest"]
    assert (
        '--image "$(cat /workspace/image)"' in steps["deploy"]
        and "scripts/deploy_functions.sh" in steps["deploy"]
    )
    assert "jobs execute vividly-migrate" in steps["migrate"] and "--wait" in steps["migrate"]
    assert '--image "$(cat /workspace/image)"' in steps["migrate"]
    smoke = steps["smoke-test-or-roll-back"]
    assert "scripts/smoke_test.py" in smoke and "exit 1" in smoke
    assert "previous_image" in smoke and "previous_functions_object" in smoke  # job and functions roll back
    assert (ROOT / "scripts/deploy_functions.sh").stat().st_mode & 0o111
    assert "make test" in steps["test"]
    for name in ("_REGION", "_REPO", "_SOURCE_BUCKET", "_SMOKE_INVOKER"):
        assert name in build["substitutions"] and f"{name} " in text.split("substitutions:")[0]


def test_make_lesson_builds_a_virtual_environment_and_installs_only_what_a_lesson_needs(tmp_path):
    # PEP 668: a stock Debian/Ubuntu Python refuses pip; the Makefile makes its own environment.
    plan = subprocess.run(
        ["make", "-n", "lesson", f"VENV={tmp_path / 'venv'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "install-system-packages.sh lesson" in plan
    assert f"-m venv {tmp_path / 'venv'}" in plan
    assert f"{tmp_path / 'venv'}/bin/python -m pip install -q -e '.[voice]'" in plan
    assert "install-system-packages.sh test" not in plan  # no PostgreSQL, Java or emulator for a lesson
    tests = subprocess.run(
        ["make", "-n", "test", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert "install-system-packages.sh test" in tests and "-m pytest -q" in tests


def test_the_install_script_refuses_an_unknown_target():
    result = subprocess.run(
        [str(ROOT / "scripts" / "install-system-packages.sh"), "everything"], capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr.startswith("usage:")
