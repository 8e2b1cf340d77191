"""`vividly path` end to end on the team's samples: real gap report, real course lessons (espeak), honest
failures where the offline knowledge base cannot carry a course, and one readable line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation

from shared.lesson.script import LessonScript
from shared.media.video import probe
from tests.support.workers import ROOT

DATA = ROOT / "tests" / "data"  # our own assessments, shaped like the team's samples


def vividly_path(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "NARRATOR": "espeak",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WORK_DIR": str(tmp_path / "work"),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "cli", "path", *args, "--out", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def only_folder(tmp_path: Path) -> Path:
    (folder,) = (tmp_path / "out" / "workflows").iterdir()
    return folder


@pytest.mark.slow
def test_grade6_path_makes_a_lesson_per_teachable_course(tmp_path):
    run = vividly_path(tmp_path, str(DATA / "assessment_grade6.json"), "--max-concurrent", "2")
    # Food chains has no passage of its own offline: that course fails honestly, the rest stand.
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Learning path completed_with_failures" in run.stdout
    folder = only_folder(tmp_path)
    gaps = {g["skill_id"]: g for g in json.loads((folder / "gaps.json").read_text())}
    assert gaps["weather"]["severity"] == "critical" and gaps["water-cycle"]["severity"] == "none"
    assert "insufficient evidence" in gaps["food-chains"]["reason"]

    path = json.loads((folder / "path.json").read_text())
    by_skill = {entry["course"]["skill_id"]: entry for entry in path["courses"]}
    assert [e["course"]["skill_id"] for e in path["courses"]] == [
        "weather",
        "cells",
        "photosynthesis",
        "food-chains",
    ]
    for skill in ("weather", "cells", "photosynthesis"):
        entry = by_skill[skill]
        assert entry["status"] == "completed"
        course_dir = folder / "courses" / entry["course"]["folder"]
        video = probe(course_dir / "lesson.mp4")
        assert video.video_codec == "h264" and video.duration_s > 30
        assert (course_dir / "captions.vtt").read_text().startswith("WEBVTT")
        outline = json.loads((course_dir / "outline.json").read_text())
        assert outline["objectives"] == entry["course"]["objectives"]
        assert outline["sections"] and all(s["sources"] and s["teaches"] for s in outline["sections"])
        assert not any(s["teaches"].lower().startswith(("next, let's", "let's")) for s in outline["sections"])
        script = LessonScript.model_validate_json((course_dir / "script.json").read_text())
        assert script.grade_level == "6"
        assert script.objectives == entry["course"]["objectives"]  # the title card promises the course's
        deck = Presentation(str(course_dir / "deck.pptx"))
        assert 7 <= len(deck.slides) <= 11 and len(deck.slides) == len(script.scenes)
        notes = [page.notes_slide.notes_text_frame.text for page in deck.slides]
        assert notes == [scene.narration for scene in script.scenes]
    photosynthesis = folder / "courses" / by_skill["photosynthesis"]["course"]["folder"] / "script.json"
    taught = " ".join(
        s.narration for s in LessonScript.model_validate_json(photosynthesis.read_text()).scenes
    )
    assert "carbon dioxide" in taught.lower() and "chlorophyll" in taught.lower()  # what the learner missed

    food = by_skill["food-chains"]
    assert food["status"] == "failed" and "knowledge base cannot support it" in food["error"]
    assert not (folder / "courses" / food["course"]["folder"] / "lesson.mp4").exists()
    # The cap held: never more than two courses running at once on the timeline.
    state: dict[int, str] = {}
    most = 0
    for event in path["timeline"]:
        if event["position"] is not None:
            state[event["position"]] = event["status"]
            most = max(most, sum(s == "running" for s in state.values()))
    assert most == 2
    assert not list(folder.rglob("*.partial"))


def test_plan_only_and_bad_input(tmp_path):
    planned = vividly_path(tmp_path / "a", str(DATA / "assessment_cloud.json"), "--no-video")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    path = json.loads((only_folder(tmp_path / "a") / "path.json").read_text())
    assert path["plan_only"] and [e["status"] for e in path["courses"]] == ["planned", "planned"]

    data = json.loads((DATA / "assessment_grade6.json").read_text())
    data["skills"][0]["prerequisites"] = ["food-chains"]  # cells → food chains → photosynthesis → cells
    cyclic = tmp_path / "cyclic.json"
    cyclic.write_text(json.dumps(data))
    refused = vividly_path(tmp_path / "b", str(cyclic))
    assert refused.returncode == 2
    assert "prerequisite cycle" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b" / "out" / "workflows").exists()  # nothing half-written

    missing = vividly_path(tmp_path / "c", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


# Written for this test (CC0): what the AWS sample's missed questions need and the offline Wikipedia lacks.
OBJECT_STORAGE = (
    "Object storage is a way of storing data as objects. Each object holds the data, a set of metadata and a "
    "unique key. Objects are kept in flat containers called buckets instead of folders on a disk. Object "
    "storage scales to very large amounts of data because the system spreads the objects across many "
    "machines. Amazon S3 is an object storage service: it is used to store and retrieve any amount of data, "
    "such as backups, images, logs and static web pages. Applications read and write objects over HTTP by "
    "their keys. Object storage keeps several copies of each object, so the data survives the loss of a disk."
)
ACCESS_MANAGEMENT = (
    "Access management is the practice of deciding who may use which resources. It rests on identities, "
    "authentication and permissions. Authentication checks who a user is, for example with a password or a "
    "key. Authorization decides what an authenticated user may do. IAM stands for Identity and Access "
    "Management: in AWS it is the service that controls access to resources. IAM policies are documents "
    "that allow or deny actions on resources. The principle of least privilege means giving each user only "
    "the permissions the work needs. Roles let a service act with permissions of its own without a password."
)


@pytest.mark.slow
def test_the_aws_sample_needs_documents_and_works_with_them(tmp_path):
    env = {"KNOWLEDGE_PATH": str(tmp_path / "kb.jsonl")}
    bare = vividly_path(tmp_path / "bare", str(DATA / "assessment_cloud.json"), env=env)
    assert bare.returncode == 1, bare.stdout + bare.stderr
    path = json.loads((only_folder(tmp_path / "bare") / "path.json").read_text())
    assert path["status"] == "failed"  # every course failed: said per course, no filler lesson
    assert all("knowledge base cannot support it" in c["error"] for c in path["courses"])

    for title, text in (("Object storage", OBJECT_STORAGE), ("Access management", ACCESS_MANAGEMENT)):
        document = tmp_path / f"{title}.txt"
        document.write_text(text)
        url = f"https://example.org/{title.replace(' ', '-')}"
        added = subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "kb",
                "add",
                str(document),
                "--title",
                title,
                "--url",
                url,
                "--license",
                "CC0",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert added.returncode == 0, added.stderr
    taught = vividly_path(tmp_path / "taught", str(DATA / "assessment_cloud.json"), env=env)
    assert taught.returncode == 0, taught.stdout + taught.stderr
    folder = only_folder(tmp_path / "taught")
    for entry in json.loads((folder / "path.json").read_text())["courses"]:
        course_dir = folder / "courses" / entry["course"]["folder"]
        script = LessonScript.model_validate_json((course_dir / "script.json").read_text())
        assert any(s.url.startswith("https://example.org/") for s in script.sources)  # taught from them
        deck = Presentation(str(course_dir / "deck.pptx"))
        assert len(deck.slides) == len(script.scenes)
    iam = folder / "courses" / "2-access-management" / "script.json"
    assert "identity and access management" in iam.read_text().lower()  # what the learner missed
