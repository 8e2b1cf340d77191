"""Is a taught sentence grounded in a source? Pure: the check the tests and the quality benchmark share.

A sentence counts as grounded when nearly all its content words appear in one source sentence: the
composer only drops words, splits sentences, swaps a rare word for a common synonym and writes numbers for
speech, so a new claim (new content words) shows up here.
"""

from __future__ import annotations

import re

from shared.lesson.relevance import normal
from shared.lesson.shaping import for_speech, split_sentences, tidy

SPOKEN = frozenset(
    [
        "magnitude",
        "squared",
        "cubed",
        "equals",
        "plus",
        "times",
        "percent",
        "degrees",
        "celsius",
        "fahrenheit",
        "about",
        "to",
    ]
)


def _content(text: str) -> set[str]:
    return {normal(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3} - SPOKEN


def grounded_in(sentence: str, sources: list[str], min_share: float = 0.85) -> bool:
    words = _content(sentence)
    if not words:
        return True
    for source in sources:
        for candidate in split_sentences(source):
            known = _content(candidate) | _content(for_speech(tidy(candidate)))
            if len(words & known) >= min_share * len(words):
                return True
    return False
