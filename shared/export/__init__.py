"""Lessons handed out beyond Vividly: an MP4 download, an embed snippet, and a SCORM 1.2 package an LMS runs."""
