"""Handing a lesson out: a SCORM 1.2 package checked as an LMS checks one and run in headless Chromium against
scorm-again as the LMS; the MP4 and an embed snippet; `vividly export` and its HTTP twin, per organisation."""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import uuid
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from shared import bootstrap
from shared.auth.principal import Role
from shared.config import Settings
from shared.db.migrate import upgrade
from shared.domain.schemas import ContentRequestCreate
from shared.export.lesson_export import NotReady, export_lesson
from shared.export.package import check_scorm12, write_scorm12
from shared.export.scorm12 import LessonPage
from shared.lifecycle import Lifecycle
from tests.support.auth import new_key
from tests.support.browser import CHROMIUM, browser_or_skip
from tests.support.workers import ROOT
from worker.pipeline import PipelineRunner
from worker.stages import lesson_stages

QUESTION = "What is photosynthesis?"  # a 3-minute lesson on it has two quiz items
SCORM_AGAIN = ROOT / "tests" / "browser" / "node_modules" / "scorm-again" / "dist" / "scorm12.js"


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A real 3-minute lesson of the organisation org-a (three quiz items), and one still pending."""
    root = tmp_path_factory.mktemp("export")
    settings = Settings(
        database_url=f"sqlite:///{root}/vividly.sqlite3",
        work_dir=root / "work",
        content_dir=root / "content",
        narrator="espeak",
    )
    res = bootstrap.build(settings, offline=True)
    upgrade(res.engine)
    lifecycle = Lifecycle(res.sessions, res.publisher)
    body = ContentRequestCreate(
        student_query=QUESTION, grade_level="6", duration_minutes=3, organization_id="org-a"
    )
    request, _ = lifecycle.submit(body, correlation_id="export-test")
    result = PipelineRunner.for_resources(lesson_stages(res), res, worker_id="test").run(request.id)
    assert result.status == "completed"
    pending, _ = lifecycle.submit(
        body.model_copy(update={"idempotency_key": "still-pending"}), correlation_id="export-pending"
    )
    yield res, request.id, pending.id
    res.close()


def exported(lesson: Any, request_id: uuid.UUID) -> Any:
    res = lesson[0]
    return export_lesson(
        res.sessions,
        res.content_storage,
        request_id,
        "scorm12",
        organization_id="org-a",
        workdir=res.settings.work_dir,
    )


def scorm(lesson: Any) -> Path:
    made = exported(lesson, lesson[1])
    assert made.key is not None
    return Path(lesson[0].content_storage.url(made.key))


# --- the package ------------------------------------------------------------------------------------------


def test_the_package_holds_every_file_it_lists_and_our_checks_catch_each_kind_of_fault(lesson, tmp_path):
    package = scorm(lesson)
    assert check_scorm12(package) == []
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = archive.read("imsmanifest.xml").decode()
        page = archive.read("index.html").decode()
        entries = {name: archive.read(name) for name in names}
    assert names == {
        "imsmanifest.xml",
        "index.html",
        "quiz.js",
        "player.js",
        "player.css",
        "lesson.mp4",
        "captions.vtt",
        "thumbnail.jpg",
    }
    assert "<schemaversion>1.2</schemaversion>" in manifest and 'adlcp:scormtype="sco"' in manifest
    assert "<adlcp:masteryscore>80</adlcp:masteryscore>" in manifest
    assert '<track kind="captions" src="captions.vtt"' in page
    data = json.loads(page.split('id="lesson-data">')[1].split("</script>")[0])
    assert len(data["quiz"]) >= 2 and all(item["correct"] in "abcd" for item in data["quiz"])

    def broken(change: dict[str, bytes | None]) -> list[str]:
        path = tmp_path / f"broken-{len(list(tmp_path.iterdir()))}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in {**entries, **change}.items():
                if data is not None:
                    archive.writestr(name, data)
        return check_scorm12(path)

    assert any("captions.vtt is listed but not in the zip" in p for p in broken({"captions.vtt": None}))
    assert any("notes.txt is in the zip but listed by no resource" in p for p in broken({"notes.txt": b"x"}))
    absolute = manifest.replace('href="player.css"', 'href="/player.css"').encode()
    assert any("/player.css is not a relative href" in p for p in broken({"imsmanifest.xml": absolute}))
    escaping = manifest.replace('href="player.css"', 'href="../player.css"').encode()
    assert any("not a relative href" in p for p in broken({"imsmanifest.xml": escaping}))
    version = manifest.replace("<schemaversion>1.2", "<schemaversion>1.3").encode()
    assert any("schemaversion" in p for p in broken({"imsmanifest.xml": version}))
    assert broken({"imsmanifest.xml": None}) == ["no imsmanifest.xml at the root of the zip"]


def test_exports_are_deterministic_named_by_their_digest_and_never_half_written(lesson, tmp_path):
    first, second = scorm(lesson), scorm(lesson)
    assert first == second and first.name.startswith("lesson-scorm12-")
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no partial file beside it

    dest = tmp_path / "out" / "lesson.zip"
    page = LessonPage("x", "T", "en-US", [], [], [])
    with pytest.raises(ValueError, match=r"captions\.vtt"):
        write_scorm12(page, {"lesson.mp4": first, "thumbnail.jpg": first}, dest)
    # A file that vanishes halfway through the zip: the partial zip goes, nothing is at the final path.
    with pytest.raises(FileNotFoundError):
        write_scorm12(
            page, {"lesson.mp4": first, "captions.vtt": tmp_path / "gone.vtt", "thumbnail.jpg": first}, dest
        )
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_a_lesson_that_is_not_completed_cannot_be_exported(lesson):
    with pytest.raises(NotReady, match="pending"):
        exported(lesson, lesson[2])


def test_export_cli_writes_the_package_or_the_mp4_or_prints_the_snippet(lesson, tmp_path, env):
    from typer.testing import CliRunner

    from cli.main import app as cli

    res, request_id, pending = lesson
    env(database_url=res.settings.database_url, work_dir=tmp_path / "work")

    def vividly(*args: str) -> Any:
        return CliRunner().invoke(cli, ["export", *args])

    made = vividly(str(request_id), "--format", "scorm12", "--out", str(tmp_path / "pkg.zip"))
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == str(tmp_path / "pkg.zip") and check_scorm12(tmp_path / "pkg.zip") == []
    video = vividly(str(request_id), "--format", "mp4")
    assert video.exit_code == 0 and video.stdout.strip().endswith("lesson.mp4")
    snippet = vividly(str(request_id).replace("-", ""), "--format", "embed")
    assert snippet.stdout.startswith("<video controls") and "lesson.mp4" in snippet.stdout
    refused = [
        (vividly(str(pending)), 1, "pending"),
        (vividly(str(uuid.uuid4())), 2, "no request"),
        (vividly("not-an-id"), 2, "UUID"),
        (vividly(str(request_id), "--format", "pdf"), 2, "--format"),
    ]
    for answer, code, says in refused:
        assert answer.exit_code == code and says in answer.stderr, answer.output
        assert len(answer.stderr.strip().splitlines()) == 1 and answer.stdout == ""


# --- the HTTP twin ----------------------------------------------------------------------------------------


def test_export_function_is_per_organisation_and_role_and_409_until_completed(lesson, env):
    from devstack.services import free_port
    from functions.local_app import create_app

    res, request_id, pending = lesson
    env(
        database_url=res.settings.database_url,
        content_dir=res.settings.content_dir,
        work_dir=res.settings.work_dir,
        pubsub_emulator_host=f"127.0.0.1:{free_port()}",
    )
    client = create_app().test_client()

    def export(key: str, **body: Any) -> Any:
        return client.post("/export_lesson_file", json=body, headers={"X-API-Key": key})

    teacher, viewer, outsider = new_key("org-a"), new_key("org-a", Role.VIEWER), new_key("org-b")
    made = export(teacher, request_id=str(request_id), format="scorm12")
    assert made.status_code == 200, made.get_json()
    assert (
        made.get_json()["filename"] == "lesson-scorm12.zip"
        and check_scorm12(Path(made.get_json()["url"])) == []
    )
    assert (
        export(teacher, request_id=str(request_id), format="scorm12").get_json()["url"]
        == made.get_json()["url"]
    )
    video = export(teacher, request_id=str(request_id), format="mp4").get_json()
    assert video["url"].endswith("lesson.mp4") and video["bytes"] == Path(video["url"]).stat().st_size
    assert export(teacher, request_id=str(request_id), format="embed").get_json()["html"].startswith("<video")

    assert export(teacher, request_id=str(request_id), format="pdf").status_code == 422
    assert export(viewer, request_id=str(request_id)).status_code == 403
    assert export(outsider, request_id=str(request_id)).status_code == 404
    still = export(teacher, request_id=str(pending))
    assert still.status_code == 409 and still.get_json()["error"] == "not_exportable"
    status = client.get(
        f"/get_request_status?request_id={request_id}", headers={"X-API-Key": viewer}
    ).get_json()
    assert "export_scorm12" in {a["kind"] for a in status["artifacts"]}

    # A page fetches the files themselves through the same key (lesson_file), and asks who it is (whoami).
    def fetch(key: str, kind: str, of: uuid.UUID = request_id) -> Any:
        return client.get(f"/lesson_file?request_id={of}&kind={kind}", headers={"X-API-Key": key})

    video_file = fetch(viewer, "video")
    assert video_file.status_code == 200 and video_file.mimetype == "video/mp4"
    assert video_file.data == Path(video["url"]).read_bytes()
    assert fetch(viewer, "captions_vtt").data.startswith(b"WEBVTT")
    assert fetch(outsider, "video").status_code == 404
    assert fetch(viewer, "narration").status_code == 422  # not a file a page is handed
    assert fetch(viewer, "video", pending).status_code == 404  # no video yet
    me = client.get("/whoami", headers={"X-API-Key": viewer}).get_json()
    assert (me["organization_id"], me["roles"], me["may"]) == ("org-a", ["viewer"], ["read"])


# --- the package in a browser, with scorm-again as the LMS ------------------------------------------------

LMS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><script src="/scorm12.js"></script><script>
window.calls = [];
window.API = new Scorm12API({autocommit: false, logLevel: 5});
const resume = new URLSearchParams(window.location.search).get("resume");
if (resume) window.API.loadFromJSON(JSON.parse(resume));
window.API.on("LMSSetValue.cmi.*", function (element, value) { window.calls.push([element, value]); });
window.API.on("LMSFinish", function () { window.finished = true; });
</script></head><body><iframe id="sco" src="/package/index.html" style="width:1200px;height:2400px"></iframe></body></html>"""


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files with byte ranges, as every LMS's web server serves them: a browser seeks a video by
    asking for ranges (Python's own handler always sends the whole file, so seeking would never land)."""

    def log_message(self, *_args: Any) -> None:
        pass

    def do_GET(self) -> None:
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not wanted or not path.is_file():
            super().do_GET()
            return
        data = path.read_bytes()
        start = int(wanted.group(1))
        end = min(int(wanted.group(2) or len(data) - 1), len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self.wfile.write(data[start : end + 1])


def last_set(page: Any, element: str) -> str:
    return [value for name, value in page.evaluate("window.calls") if name == element][-1]


def _serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(RangeHandler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.mark.browser
def test_the_package_runs_in_chromium_reports_its_score_and_resumes_where_the_learner_left(lesson, tmp_path):
    sync_playwright = browser_or_skip(**{"scorm-again": SCORM_AGAIN.is_file()})
    site = tmp_path / "site"
    with zipfile.ZipFile(scorm(lesson)) as archive:
        archive.extractall(site / "package")
        quiz = json.loads(
            archive.read("index.html").decode().split('id="lesson-data">')[1].split("</script>")[0]
        )
    shutil.copy(SCORM_AGAIN, site / "scorm12.js")
    (site / "lms.html").write_text(LMS_PAGE)
    server, base = _serve(site)
    items = quiz["quiz"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{base}/lms.html")
            sco = page.frame_locator("#sco")
            sco.locator("fieldset").first.wait_for()
            frame = page.frame(url=f"{base}/package/index.html")
            assert frame is not None
            frame.wait_for_function("document.getElementById('video').readyState >= 2", timeout=20_000)
            cues = frame.wait_for_function(
                "(() => { const t = document.getElementById('video').textTracks[0];"
                " return t && t.cues && t.cues.length; })()",
                timeout=20_000,
            ).json_value()
            assert cues > 3  # the captions track loaded, cue by cue
            # The first item right, then the status must still be unset: not every item is answered.
            first = items[0]
            sco.locator(f"#item-{first['id']} input[value='{first['correct']}']").check()
            sco.locator(f"#item-{first['id']} button").click()
            assert "Correct" in sco.locator(f"#item-{first['id']} .feedback").inner_text()
            assert page.evaluate("API.cmi.core.lesson_status") == "incomplete"
            page.screenshot(path=str(tmp_path / "half.png"), full_page=True)
            suspended = json.loads(page.evaluate("API.cmi.suspend_data"))
            assert suspended == {"answers": {first["id"]: first["correct"]}}
            # Leave now: the LMS keeps suspend_data and the bookmark; the learner comes back later.
            frame.evaluate("document.getElementById('video').currentTime = 12")
            frame.wait_for_function("document.getElementById('video').currentTime >= 12")
            page.evaluate("API.cmi.core.lesson_location = '12'")
            sco.locator("#finish").click()
            page.wait_for_function("window.finished === true")
            saved = {
                "core": {"entry": "resume", "lesson_location": page.evaluate("API.cmi.core.lesson_location")},
                "suspend_data": page.evaluate("API.cmi.suspend_data"),
            }
            # exit and session_time are write-only to the SCO's API: read what was set, from the LMS's side.
            assert last_set(page, "cmi.core.exit") == "suspend"
            assert re.fullmatch(r"\d\d:\d\d:\d\d", last_set(page, "cmi.core.session_time"))

            page.goto(
                f"{base}/lms.html?{urlencode({'resume': json.dumps(saved)})}"
            )  # a new page: a new LMS API
            sco = page.frame_locator("#sco")
            sco.locator("fieldset").first.wait_for()
            assert sco.locator(f"#item-{first['id']} input[value='{first['correct']}']").is_checked()
            frame = page.frame(url=f"{base}/package/index.html")
            assert frame is not None
            frame.wait_for_function("document.getElementById('video').currentTime >= 11.5", timeout=20_000)
            # The rest: one wrong, the others right; every interaction is recorded.
            for index, item in enumerate(items[1:]):
                choice = item["correct"] if index else next(c for c in "abcd" if c != item["correct"])
                sco.locator(f"#item-{item['id']} input[value='{choice}']").check()
                sco.locator(f"#item-{item['id']} button").click()
            expected = round(100 * (len(items) - 1) / len(items))
            assert page.evaluate("API.cmi.core.score.raw") == str(expected)
            assert (
                page.evaluate("API.cmi.core.score.min") == "0"
                and page.evaluate("API.cmi.core.score.max") == "100"
            )
            assert page.evaluate("API.cmi.core.lesson_status") == ("passed" if expected >= 80 else "failed")
            calls = [element for element, _value in page.evaluate("window.calls")]
            assert calls.index("cmi.core.score.raw") < calls.index(
                "cmi.core.lesson_status", calls.index("cmi.core.score.raw")
            )
            assert page.evaluate("API.cmi.interactions.childArray.length") == len(items) - 1
            results = [value for name, value in page.evaluate("window.calls") if name.endswith(".result")]
            assert results == ["wrong"] + ["correct"] * (len(items) - 2)
            page.screenshot(path=str(tmp_path / "done.png"), full_page=True)
            sco.locator("#finish").click()
            page.wait_for_function("window.finished === true")
            assert last_set(page, "cmi.core.exit") == ""
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
        keep = os.environ.get("KEEP_SCREENSHOTS")
        if keep:
            for shot in tmp_path.glob("*.png"):
                shutil.copy(shot, Path(keep) / shot.name)
