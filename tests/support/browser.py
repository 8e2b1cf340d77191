"""A teacher on the web page, in headless Chromium (Debian's, driven by playwright), by keyboard where a person
could: sign in, ask, watch the statuses arrive in order, play the lesson with its captions, take the quiz,
find it in the history; then axe-core checks the page. Screenshots go to $KEEP_SCREENSHOTS when set."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.support.workers import ROOT

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The order a lesson's statuses must arrive in (what the timeline shows, oldest first).
STATUS_ORDER = [
    "pending",
    "validating",
    "retrieving",
    "generating script",
    "synthesizing audio",
    "rendering video",
    "uploading",
    "notifying",
    "completed",
]


def browser_or_skip(**needs: bool) -> Any:
    """playwright's sync API, once Chromium and what else the test `needs` are there: a laptop without them
    skips, CI fails (make test installs them all)."""
    missing = [name for name, there in {"chromium": bool(CHROMIUM), **needs}.items() if not there]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing.append("playwright")
    if missing:
        if IN_CI:
            pytest.fail(f"the browser tests need {', '.join(missing)} (make test installs them)")
        pytest.skip(f"needs {', '.join(missing)}")
    return sync_playwright


def teacher_uses_the_page(base_url: str, api_key: str, shots: Path) -> None:
    sync_playwright = browser_or_skip(**{"axe-core": AXE.is_file()})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # Playwright's waits evaluate strings, which the page's own policy forbids ('unsafe-eval'): the test
        # lifts the policy for itself; test_web_page_sends_its_policy checks the header the page is served with.
        page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        called: list[str] = []
        page.on("request", lambda sent: called.append(sent.url.split("?")[0].rsplit("/", 1)[-1]))
        page.goto(f"{base_url}/teacher_page")

        page.keyboard.press("Tab")  # the key field is the first control: a keyboard reaches everything
        assert page.evaluate("document.activeElement.id") == "key"
        page.keyboard.type("vvd_not_a_real_key")
        page.keyboard.press("Enter")
        page.get_by_text("That key was not accepted.").wait_for()
        page.keyboard.type(api_key)  # the field kept the focus
        page.keyboard.press("Enter")
        page.get_by_text("Signed in to local as teacher").wait_for()

        page.get_by_label("The learner's question").fill("What is photosynthesis?")
        page.get_by_label("Grade").select_option("6")
        page.get_by_label("Minutes").fill("1")
        page.get_by_label("Minutes").press("Enter")  # submits the form, as a keyboard user would
        page.locator("#lesson").wait_for(state="visible", timeout=180_000)

        timeline = [item.split(" — ")[0] for item in page.locator("#timeline li").all_inner_texts()]
        assert timeline == STATUS_ORDER, timeline
        # The statuses came over the event stream, not by polling: one status read at the end, for the rest.
        assert called.count("request_events") >= 1 and called.count("get_request_status") <= 2, called
        assert page.locator("#bar").get_attribute("value") == "100"
        page.wait_for_function("document.getElementById('video').readyState >= 2", timeout=30_000)
        cues = page.wait_for_function(
            "(() => { const t = document.getElementById('video').textTracks[0]; return t && t.cues && t.cues.length; })()",
            timeout=30_000,
        ).json_value()
        assert cues > 3
        assert page.locator("#lesson-title").inner_text() == "Photosynthesis"

        first = page.locator("#quiz fieldset").first
        first.locator("input").first.focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")  # past the radio group to its "Check answer" button
        page.keyboard.press("Enter")
        assert first.locator(".feedback").inner_text().startswith(("Correct", "Not quite"))
        assert (
            "answered" in page.locator("#score").inner_text()
            or "Score" in page.locator("#score").inner_text()
        )
        page.screenshot(path=str(shots / "teacher-page.png"), full_page=True)

        rows = page.locator("#rows tr").all_inner_texts()
        assert any("What is photosynthesis?" in row and "completed" in row for row in rows), rows
        page.get_by_label("Find by question").fill("photosynthesis")
        page.get_by_label("Find by question").press("Enter")
        page.wait_for_function("document.querySelectorAll('#rows tr').length === 1")

        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']}).then(r => r.violations.map(v => [v.id, v.impact,"
            " v.nodes.map(n => n.target.join(' ')).slice(0, 3)]))"
        )
        assert violations == [], violations
        assert errors == [], errors
        browser.close()
    keep = os.environ.get("KEEP_SCREENSHOTS")
    if keep:
        for shot in shots.glob("*.png"):
            shutil.copy(shot, Path(keep) / shot.name)
