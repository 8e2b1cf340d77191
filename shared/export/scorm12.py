"""What a SCORM 1.2 package of one lesson says: its manifest and its page, from the lesson's script. Pure: text
in, text out; `package.py` reads the files and writes the zip."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree as ET

IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MASTERY_SCORE = 80  # the LMS and the page both read it: passed at 80 of 100
PLAYER_FILES = ("quiz.js", "player.js", "player.css")
LESSON_FILES = ("lesson.mp4", "captions.vtt", "thumbnail.jpg")


@dataclass(frozen=True)
class LessonPage:
    lesson_id: str  # the request id, hex
    title: str
    language: str
    objectives: list[str]
    quiz: list[dict[str, Any]]  # script.json's: question, options, answer, explanation
    sources: list[dict[str, Any]]  # script.json's: title, url, license

    @classmethod
    def from_script(cls, lesson_id: str, script: dict[str, Any]) -> LessonPage:
        return cls(
            lesson_id=lesson_id,
            title=str(script.get("title") or "Lesson"),
            language=str(script.get("language") or "en-US"),
            objectives=[str(o) for o in script.get("objectives") or []],
            quiz=list(script.get("quiz") or []),
            sources=list(script.get("sources") or []),
        )

    def quiz_items(self) -> list[dict[str, Any]]:
        """The quiz as the page scores it: option letters a, b, c… and the right one's letter."""
        items = []
        for number, item in enumerate(self.quiz, start=1):
            options = [str(o) for o in item["options"]]
            items.append(
                {
                    "id": f"q{number}",
                    "question": str(item["question"]),
                    "options": options,
                    "correct": chr(ord("a") + options.index(item["answer"])),
                    "explanation": str(item.get("explanation") or ""),
                }
            )
        return items


def manifest_xml(page: LessonPage, files: list[str]) -> str:
    """imsmanifest.xml: one organisation, one item, one SCO resource listing every file (relative hrefs)."""
    ET.register_namespace("", IMSCP)
    ET.register_namespace("adlcp", ADLCP)
    root = ET.Element(f"{{{IMSCP}}}manifest", {"identifier": f"vividly-{page.lesson_id}", "version": "1.0"})
    metadata = ET.SubElement(root, f"{{{IMSCP}}}metadata")
    ET.SubElement(metadata, f"{{{IMSCP}}}schema").text = "ADL SCORM"
    ET.SubElement(metadata, f"{{{IMSCP}}}schemaversion").text = "1.2"
    organizations = ET.SubElement(root, f"{{{IMSCP}}}organizations", {"default": "vividly-org"})
    organization = ET.SubElement(organizations, f"{{{IMSCP}}}organization", {"identifier": "vividly-org"})
    ET.SubElement(organization, f"{{{IMSCP}}}title").text = page.title
    item = ET.SubElement(
        organization,
        f"{{{IMSCP}}}item",
        {"identifier": "vividly-item", "identifierref": "vividly-sco", "isvisible": "true"},
    )
    ET.SubElement(item, f"{{{IMSCP}}}title").text = page.title
    ET.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(MASTERY_SCORE)
    resources = ET.SubElement(root, f"{{{IMSCP}}}resources")
    resource = ET.SubElement(
        resources,
        f"{{{IMSCP}}}resource",
        {
            "identifier": "vividly-sco",
            "type": "webcontent",
            f"{{{ADLCP}}}scormtype": "sco",
            "href": "index.html",
        },
    )
    for name in files:
        ET.SubElement(resource, f"{{{IMSCP}}}file", {"href": name})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def index_html(page: LessonPage) -> str:
    """The SCO's page: the video with its captions track, the objectives, the quiz (built by player.js from
    the JSON below), a finish button and the sources with their licences."""
    data = json.dumps({"quiz": page.quiz_items(), "mastery": MASTERY_SCORE}, ensure_ascii=False)
    data = data.replace("</", "<\\/")  # a "</script>" inside a question cannot end the data block
    lang = html.escape(page.language)
    objectives = "".join(f"<li>{html.escape(o)}</li>" for o in page.objectives)
    sources = "".join(
        f'<li><a href="{html.escape(str(s.get("url", "")))}">{html.escape(str(s.get("title", "")))}</a>'
        f" ({html.escape(str(s.get('license', '')))})</li>"
        for s in page.sources
    )
    title = html.escape(page.title)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="player.css">
</head>
<body>
<main>
<h1>{title}</h1>
{f'<h2>What you will learn</h2><ul class="objectives">{objectives}</ul>' if objectives else ""}
<video id="video" controls preload="metadata" poster="thumbnail.jpg" aria-label="Lesson video: {title}">
<source src="lesson.mp4" type="video/mp4">
<track kind="captions" src="captions.vtt" srclang="{lang.split("-")[0]}" label="Captions" default>
</video>
<h2>Check what you learned</h2>
<form id="quiz" aria-label="Quiz"></form>
<p id="result" role="status" aria-live="polite"></p>
<button type="button" id="finish">Finish lesson</button>
<p id="lms-note"></p>
{f'<h2>Sources</h2><ul class="sources">{sources}</ul>' if sources else ""}
</main>
<script type="application/json" id="lesson-data">{data}</script>
<script src="quiz.js"></script>
<script src="player.js"></script>
</body>
</html>
"""
