"""A deck's batch of presenter clips: which slides to make, which to reuse, and the counts (pure, no I/O).

A clip is keyed by everything it is made from (narration, voice, presenter, placement, slide picture,
renderer version). A rerun reuses every clip whose key is unchanged and whose file exists; --regenerate
forces the slides named; --slides limits the run to those slides and leaves the others as they were.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from shared.errors import InvalidInput

RENDERER_VERSION = "offline-presenter-1"
STATES = ("queued", "running", "done", "skipped", "failed", "not selected")


def _selection_error(reason: str, field_name: str) -> InvalidInput:
    return InvalidInput([{"field": field_name, "reason": reason}])


def parse_selection(spec: str | None, total: int, *, field_name: str = "slides") -> list[int] | None:
    """ "2,4-6" → [2, 4, 5, 6] (1-based, in deck order); None or "all" → None (every slide)."""
    if spec is None or spec.strip().lower() == "all":
        return None
    chosen: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError as exc:
            raise _selection_error(f"{part!r} is not a slide number or range like 4-6", field_name) from exc
        if first > last:
            raise _selection_error(f"{part!r} runs backwards", field_name)
        if first < 1 or last > total:
            raise _selection_error(f"{part!r} is outside the deck's slides 1-{total}", field_name)
        chosen.update(range(first, last + 1))
    if not chosen:
        raise _selection_error("names no slide", field_name)
    return sorted(chosen)


def clip_key(**inputs: Any) -> str:
    """A stable hash of what a clip is made from."""
    payload = json.dumps({"renderer": RENDERER_VERSION, **inputs}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class SlideEntry:
    number: int
    title: str
    narrated_from: str
    status: str = "queued"
    key: str = ""
    clip: str | None = None  # file name in the output folder
    duration_s: float | None = None
    speech_s: float | None = None  # the narration's part of the clip (the rest is the hold after it)
    sentence_starts_s: list[float] = field(default_factory=list)
    provider: str = "offline"
    job_id: str | None = None  # the hosted provider's video id
    billed_s: float = 0.0  # what the provider bills (HeyGen: in 30 s steps); 0 offline
    error: str | None = None
    reason: str = ""  # why it was skipped or regenerated


@dataclass
class Manifest:
    deck: str
    slides: list[SlideEntry] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        seen = Counter(entry.status for entry in self.slides)
        return {"total": len(self.slides), **{state: seen.get(state, 0) for state in STATES}}

    def to_json(self) -> str:
        return json.dumps(
            {"deck": self.deck, "counts": self.counts(), "slides": [asdict(s) for s in self.slides]}, indent=2
        )

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        return cls(deck=data["deck"], slides=[SlideEntry(**entry) for entry in data["slides"]])


def plan(
    slides: list[tuple[int, str, str, str]],
    previous: Manifest | None,
    existing: set[str],
    *,
    selected: list[int] | None,
    regenerate: list[int] | None,
    deck: str,
) -> Manifest:
    """What this run does for each slide, given (number, title, narrated_from, key) per slide, the last
    run's manifest and the clip files that exist. `regenerate` None: nothing forced."""
    before = {entry.number: entry for entry in previous.slides} if previous else {}
    forced = set(regenerate or ())
    entries = []
    for number, title, narrated_from, key in slides:
        old = before.get(number)
        reusable = old is not None and old.key == key and old.clip is not None and old.clip in existing
        if selected is not None and number not in selected and number not in forced:
            if reusable:
                assert old is not None
                entries.append(SlideEntry(**{**asdict(old), "status": "skipped", "reason": "not selected"}))
            else:
                entries.append(SlideEntry(number, title, narrated_from, "not selected", key))
        elif reusable and number not in forced:
            assert old is not None
            entries.append(SlideEntry(**{**asdict(old), "status": "skipped", "reason": "unchanged"}))
        else:
            reason = "regenerate asked" if number in forced else ("changed" if old else "new")
            entries.append(SlideEntry(number, title, narrated_from, "queued", key, reason=reason))
    return Manifest(deck=deck, slides=entries)
