"""What a slide shows (Slide, plain data built from a scene) and which moment of it (SlideState)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RevealMode = Literal["appear", "highlight", "static"]

# How bullets follow the narration on each layout: "appear" draws bullet i from its sentence on (the newest
# one highlighted); "highlight" draws them all from the start and highlights the one being spoken;
# "static" layouts do not change with the narration.
REVEAL_MODES: dict[str, RevealMode] = {
    "title": "static",
    "bullets": "appear",
    "definition": "appear",
    "steps": "highlight",
    "cycle": "highlight",
    "comparison": "appear",
    "timeline": "appear",
    "equation": "appear",
    "quiz_question": "appear",
    "quiz_answer": "static",
    "closing": "appear",
}


def reveal_mode(layout: str) -> RevealMode:
    return REVEAL_MODES.get(layout, "appear")


@dataclass(frozen=True)
class Slide:
    """Everything one scene's slide draws. Hashable: it keys the fitting and frame caches."""

    layout: str
    heading: str
    bullets: tuple[str, ...] = ()
    term: str | None = None
    labels: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    sides: tuple[int, ...] = ()
    equation: str | None = None
    eyebrow: str = ""  # the small label above the heading; each layout has a default
    subtitle: str = ""  # title card
    objectives: tuple[str, ...] = ()  # title card: what the learner will be able to do
    sources: tuple[tuple[str, str, str], ...] = ()  # closing card: (title, url, license)
    explanation: str = ""  # quiz answer: why the answer is right
    position: tuple[int, int] | None = None  # (scene index, scene count) for the progress indicator


@dataclass(frozen=True)
class SlideState:
    """One moment of a slide.

    shown: how many bullets are drawn (None: all); current: the highlighted bullet (None: none);
    countdown: seconds left on a quiz question's countdown (None: not counting), of countdown_total;
    fraction: how far through its scene this moment is (the progress indicator fills with it).
    """

    shown: int | None = None
    current: int | None = None
    countdown: int | None = None
    countdown_total: int = 0
    fraction: float = 1.0

    def visible(self, index: int) -> bool:
        return self.shown is None or index < self.shown
