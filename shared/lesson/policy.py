"""Decide what to do with a query before any work: proceed, ask for clarification, or decline.

Pure rules over the text. Clarification is a normal outcome: a vague, deictic or many-topic
query gets 1-3 concrete questions. Declines name a policy code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shared.errors import ClarificationNeeded, Rejected

# (code, reason, patterns): patterns are matched on the lower-cased query.
POLICIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "policy_harm",
        "requests for help hurting people or making weapons are not something we make lessons about",
        (
            r"\b(make|build|create|assemble)\b.{0,30}\b(weapon|bomb|explosive|gun|poison)s?\b",
            r"\b(hurt|harm|kill|attack|injure|stab|shoot)\b.{0,20}\b(someone|somebody|people|person|him|her|them|classmates?|teachers?)\b",
        ),
    ),
    (
        "policy_harassment",
        "we do not write content that mocks or targets a real person",
        (
            r"\b(mean|nasty|insulting|embarrassing|rude)\b.{0,40}\b(my|our|a)\b.{0,15}\b(classmate|friend|teacher|brother|sister|neighbou?r)\b",
            # A target is needed: "explain how bullying affects students" is a lesson, "roast my brother" is not.
            r"\b(bully|roast|humiliat|insult|make fun of|mock)\w*\b.{0,25}\b(my|our|this)\b.{0,15}\b(classmate|friend|teacher|brother|sister|neighbou?r|kid|boy|girl)\b",
        ),
    ),
    (
        "policy_cheating",
        "we explain topics; we do not complete graded work or supply test answers",
        (
            r"\b(do|write|finish|complete)\b.{0,10}\bmy\b.{0,10}\b(homework|essay|assignment|exam|test)\b",
            r"\banswers? (to|for) (the|my|tomorrow'?s?) (test|exam|quiz)\b",
        ),
    ),
    (
        "policy_self_harm",
        "this topic needs a trusted adult or a professional; please reach out to one",
        (r"\b(kill|hurt|harm) (myself|me)\b", r"\bsuicide method"),
    ),
)

FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "about",
        "by",
        "from",
        "at",
        "as",
        "is",
        "are",
        "be",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "i",
        "please",
        "can",
        "could",
        "would",
        "will",
        "should",
        "do",
        "does",
        "did",
        "how",
        "what",
        "why",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "explain",
        "explaining",
        "describe",
        "tell",
        "show",
        "teach",
        "make",
        "create",
        "creating",
        "give",
        "video",
        "lesson",
        "minute",
        "minutes",
        "include",
        "including",
        "simple",
        "simply",
        "examples",
        "example",
        "diagrams",
        "diagram",
        "everyday",
        "short",
        "long",
        "quick",
        "students",
        "student",
        "class",
        "grade",
        "graders",
        "th",
        "st",
        "nd",
        "rd",
        "school",
        "middle",
        "high",
        "elementary",
        "level",
        "kids",
        "learn",
        "learning",
        "understand",
        "work",
        "works",
        "between",
        "difference",
        "different",
        "also",
        "just",
        "some",
        "more",
    ]
)
BROAD_SUBJECTS = frozenset(
    [
        "science",
        "math",
        "maths",
        "mathematics",
        "history",
        "geography",
        "english",
        "art",
        "music",
        "biology",
        "chemistry",
        "physics",
        "space",
        "everything",
        "anything",
        "something",
        "stuff",
        "things",
    ]
)
DEICTIC = re.compile(
    r"\b(it again|that again|the thing|that thing|we talked about|we did|you said|same as before|"
    r"like last time|the one|the same one|one again|yesterday's lesson|last lesson|in class)\b"
)
SUBJECT_SPLIT = re.compile(r"\band also\b|\band\b|,|\bplus\b")


@dataclass(frozen=True)
class Assessment:
    query: str
    topic_terms: list[str] = field(default_factory=list)
    inferred_grade: str | None = None


def content_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z'\-]+", text.lower()) if w not in FILLER and len(w) > 1]


def infer_grade(query: str) -> str | None:
    match = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?[- ]grade\b|\bgrade (\d{1,2})\b", query.lower())
    if match:
        value = int(match.group(1) or match.group(2))
        return str(value) if 1 <= value <= 12 else None
    return "K" if re.search(r"\bkindergarten\b", query.lower()) else None


def assess(query: str) -> Assessment:
    """Raise Rejected or ClarificationNeeded, or return what the later stages need."""
    lowered = query.lower()
    for code, reason, patterns in POLICIES:
        if any(re.search(pattern, lowered) for pattern in patterns):
            raise Rejected(code, reason)

    words = content_words(query)
    if DEICTIC.search(lowered):
        raise ClarificationNeeded(
            [
                "Which topic would you like the lesson to cover? Please name it (for example, 'the water cycle').",
                "What should the learner be able to do after watching?",
            ],
            "the request refers to something we cannot see",
        )
    parts = [p for p in (content_words(part) for part in SUBJECT_SPLIT.split(lowered)) if p]
    broad_parts = [p for p in parts if all(w in BROAD_SUBJECTS for w in p)]
    if len(parts) >= 3 and len(broad_parts) >= 2:
        raise ClarificationNeeded(
            [
                "Your request covers several unrelated subjects. Which one should this lesson focus on?",
                "Would separate short lessons for each subject help?",
            ],
            "several unrelated topics in one request",
        )
    if not words or all(w in BROAD_SUBJECTS for w in words):
        subject = words[0] if words else "this subject"
        raise ClarificationNeeded(
            [
                f"Which topic within {subject} should the lesson explain? For example, name one idea or process.",
                "Is there a question the learner is trying to answer?",
            ],
            "the request names a whole subject, not a topic",
        )
    return Assessment(query=query, topic_terms=words, inferred_grade=infer_grade(query))
