"""The teacher's page, served by the same service as the JSON API so it calls it from the same origin (no
CORS). Static files only: everything the page shows it asks the API for, with the key the teacher gives."""

from __future__ import annotations

from importlib import resources as package_files
from typing import Any

import flask
import functions_framework

# name -> (package, content type): the page's own files and the quiz and styles it shares with the SCORM player.
ASSETS = {
    "app.html": ("shared.web", "text/html; charset=utf-8"),
    "app.js": ("shared.web", "text/javascript; charset=utf-8"),
    "app.css": ("shared.web", "text/css; charset=utf-8"),
    "quiz.js": ("shared.export", "text/javascript; charset=utf-8"),
    "player.css": ("shared.export", "text/css; charset=utf-8"),
}
# The page runs only its own scripts, talks only to its own origin, and plays media it fetched into blob: URLs.
POLICY = (
    "default-src 'self'; media-src 'self' blob:; img-src 'self' blob: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


@functions_framework.http
def teacher_page(request: flask.Request) -> Any:
    name = request.path.rstrip("/").rsplit("/", 1)[-1]
    name = name if name in ASSETS else "app.html"
    package, content_type = ASSETS[name]
    body = (package_files.files(package) / "assets" / name).read_bytes()
    return flask.Response(
        body,
        content_type=content_type,
        headers={
            "Content-Security-Policy": POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-cache",
        },
    )
