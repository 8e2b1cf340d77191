"""Flesch-Kincaid grade level, computed here: textstat needs NLTK's cmudict, which it downloads at run time."""

from __future__ import annotations

import re

WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
SENTENCE = re.compile(r"[.!?]+(?:\s|$)")


def syllables(word: str) -> int:
    """Vowel groups, less a silent final e, at least one: within a syllable of a dictionary for most words."""
    word = word.lower()
    count = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


def flesch_kincaid_grade(text: str) -> float:
    words = WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(len(SENTENCE.findall(text)), 1)
    total_syllables = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * total_syllables / len(words) - 15.59, 1)
