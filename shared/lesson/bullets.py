"""Slide bullets from narration sentences: short phrases that are complete, never cut mid-phrase. Pure."""

from __future__ import annotations

import re

from shared.lesson.shaping import has_verb, surely_verb

MAX_BULLET_WORDS = 12
MAX_BULLET_CHARS = 72
# A phrase may end before one of these words: what precedes them is a whole noun or verb phrase.
BREAK_BEFORE = frozenset(
    [
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "within",
        "into",
        "through",
        "during",
        "after",
        "before",
        "because",
        "since",
        "while",
        "which",
        "that",
        "who",
        "whose",
        "where",
        "when",
        "and",
        "or",
        "but",
        "as",
        "to",
        "resulting",
        "including",
        "such",
        "than",
        "via",
        "among",
        "between",
        "across",
        "along",
    ]
)
DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "but",
        "to",
        "with",
        "for",
        "in",
        "on",
        "at",
        "by",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "its",
        "their",
        "his",
        "her",
        "this",
        "that",
        "these",
        "those",
        "very",
        "due",
        "such",
        "so",
        "than",
        "like",
        "being",
        "also",
        "not",
        "which",
        "who",
        # These ask for what follows too: "…appear blue because", "…sea level resulting".
        "because",
        "since",
        "whereby",
        "although",
        "though",
        "unless",
        "until",
        "if",
        "when",
        "where",
        "whose",
        "resulting",
        "including",
        "known",
        "called",
        "named",
        "exerted",
        "associated",
    ]
)
DETERMINERS = frozenset(["a", "an", "the", "its", "their", "his", "her", "this", "these", "that", "those"])
DEFINITION = re.compile(
    r"^(?:The |A |An )?(?P<term>(?!The |A |An )[\w'’ -]{1,60}?) (?:is|are|was|were) (?P<what>(?:a|an|the|any) [^,;:]+)",
    re.UNICODE,
)


def _fits(phrase: str) -> bool:
    return 2 <= len(phrase.split()) <= MAX_BULLET_WORDS and len(phrase) <= MAX_BULLET_CHARS


def _clean(phrase: str) -> str:
    phrase = phrase.strip().rstrip(".,;:!?").strip()
    words = phrase.split()
    while words and (words[-1].lower().rstrip(",;:") in DANGLING or not words[-1].strip(",;:")):
        words.pop()
    return " ".join(words).rstrip(",;:")


def phrase_at_break(words: list[str], max_words: int = MAX_BULLET_WORDS) -> str | None:
    """The longest prefix of up to `max_words` words that ends before a preposition or conjunction."""
    best = None
    for end in range(3, min(len(words), max_words) + 1):
        if (
            end == len(words)
            or words[end].lower().strip(",;:") in BREAK_BEFORE
            or words[end - 1].endswith(",")
        ):
            if end < len(words) and _joins_modifiers(words, end):
                continue
            candidate = _clean(" ".join(words[:end]))
            if _open_relative(candidate):
                continue
            if "°" in candidate.split()[-1:][0] if candidate else False:
                continue  # "within the 28°" leaves out the direction that follows
            if len(candidate.split()) >= 3 and (max_words > MAX_BULLET_WORDS or _fits(candidate)):
                best = candidate
    return best


PLURAL_NOUN_ENDINGS = (
    "ss", "us", "is", "isms", "ments", "tions", "sions", "ists", "ers", "ors", "ants", "ents", "ies", "ics",
    "als", "ings", "ances", "ences", "ships", "ures", "ites", "ples", "cles",
)  # fmt: skip
RELATIVE = re.compile(
    r"\b(?:(?:by|in|of|through|at|on|from|to|for|with|during)\s+)?(?:which|whom|whose|where|whereby|who)\s+(.*)$",
    re.IGNORECASE,
)


def _open_relative(phrase: str) -> bool:
    """'…processes by which photopigment-bearing organisms': a relative clause cut before its verb. A word in
    -s counts as its verb ("where little precipitation occurs") unless its ending makes it a plural noun."""
    found = RELATIVE.search(phrase)
    if found is None:
        return False
    words = [w.strip(",;:").lower() for w in found.group(1).split()]
    return not any(
        surely_verb(w) or (len(w) > 3 and w.endswith("s") and not w.endswith(PLURAL_NOUN_ENDINGS))
        for w in words[1:]  # the first word after "which" is its subject or the start of it
    )


def _joins_modifiers(words: list[str], end: int) -> bool:
    """'…is a spherical | or geodetic coordinate system': after a determiner and one word, an "and"/"or"
    that is not followed by a determiner joins two modifiers of a noun still to come; a cut there leaves an
    adjective without its noun. ("the Moon and the Sun" may be cut: a determiner follows.)"""
    return (
        words[end].lower() in ("and", "or")
        and end >= 2
        and words[end - 2].lower() in DETERMINERS
        and end + 1 < len(words)
        and words[end + 1].lower() not in DETERMINERS
    )


def bullet_for(sentence: str) -> str | None:
    """A short, complete phrase that carries the sentence's point, or None when none can be made."""
    text = sentence.strip()
    whole = _clean(text)
    if _fits(whole) and len(whole.split()) >= 3:
        return whole
    definition = DEFINITION.match(text)
    if definition:
        term = definition["term"].strip()
        term = term[0].upper() + term[1:]
        # The longest whole phrase that fits beside the term: "Term: a spherical or geodetic system".
        for room in range(MAX_BULLET_WORDS - len(term.split()), 2, -1):
            what = phrase_at_break(definition["what"].split(), room)
            if what and _fits(candidate := f"{term}: {what}"):
                return candidate
    for clause in re.split(r"[;:]|, (?:which|while|but|and|so|because|although) |\s[–—]\s", text):
        clause = _clean(clause)
        # A clause without a verb is a piece of a list, not a point ("A conspicuous, fluttering flight").
        if _fits(clause) and len(clause.split()) >= 3 and has_verb(clause.split()):
            return clause[0].upper() + clause[1:]
    found = phrase_at_break(text.split())
    if found and len(found.split()) >= 5:
        return found[0].upper() + found[1:]
    return None
