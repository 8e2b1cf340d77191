"""Judge retrieved passages and their sentences against the question plan: keep only what is about it.

Similarity alone confuses "blue sky" with the Blue Nile, so a passage must first be *about* something the
question names: its title (the thing the passage describes) has to appear in the question as a phrase
("binary number" in "binary numbers in computers"; not "binary star"), or, when the title is not named,
the passage must be very close to the question in meaning and mention its focus. A named passage whose
sense is plainly another ("Train" the vehicle in "vaccines train the immune system") is refused by the
similarity of its lead to the question. Pure given an Embedder.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from shared.ai.embeddings import Embedder
from shared.lesson.knowledge import Passage
from shared.lesson.plan import QuestionPlan
from shared.lesson.policy import FILLER
from shared.lesson.shaping import is_teachable, split_sentences, tidy

DETERMINERS = frozenset(
    {"the", "a", "an", "their", "its", "our", "your", "his", "her", "my", "this", "these"}
)
STOP = FILLER | {
    "through",
    "their",
    "into",
    "onto",
    "over",
    "under",
    "then",
    "than",
    "they",
    "them",
    "has",
    "have",
    "was",
    "were",
    "been",
    "being",
    "take",
    "takes",
    "get",
    "gets",
    "use",
    "uses",
    "s",
}
CAUSE = re.compile(
    r"\b(?:because|caused?|causes|due to|result(?:s|ing)? (?:from|in)|leads? to|when|as a result|by which|"
    r"through|driven|forms?|formed|occurs?|happens?|produces?|so that|therefore|which allows)\b",
    re.IGNORECASE,
)
NAMED_MIN_SIMILARITY = 0.30  # a named passage whose lead is further than this is another sense of the word
SINGLE_WORD_MIN_SIMILARITY = 0.45
PART_MIN_SIMILARITY = (
    0.2  # even a passage the question names must be somewhat about it ("Adult" for a butterfly)
)
RELATED_MIN_SIMILARITY = 0.6  # an unnamed passage must be this close and mention the focus
SENTENCE_MIN_SIMILARITY = 0.32


IRREGULAR = {
    "sank": "sink",
    "sunk": "sink",
    "fell": "fall",
    "grew": "grow",
    "rose": "rise",
    "began": "begin",
    "froze": "freeze",
    "flew": "fly",
    "ate": "eat",
    "drank": "drink",
    "took": "take",
    "made": "make",
    "built": "build",
    "fought": "fight",
    "won": "win",
    "lost": "lose",
    "leaves": "leaf",
    "children": "child",
}


def normal(word: str) -> str:
    """A light stem: plurals and a few irregular verbs only, so "titanic" stays apart from "titan", "blues"
    from "blue" in a title and "meaning" from "mean"."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def without_ing(word: str) -> str:
    """'sinking' → 'sink': for a title's gerund matched loosely against the question's verb."""
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    return word


def stems(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+", re.sub(r"'s\b", "", text.lower()))
    return [normal(w) for w in words if w not in STOP]


def _used_as_verb(question: str, title: str) -> bool:
    """'train' in "vaccines train the immune system": a one-word title followed by a determiner is a verb there."""
    words = re.findall(r"[a-z']+", question.lower())
    target = bare_title(title).lower()
    return any(w == target and nxt in DETERMINERS for w, nxt in itertools.pairwise(words))


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def bare_title(title: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", title).strip()


@dataclass(frozen=True)
class Judged:
    passage: Passage
    role: str  # "focus", "part", "named" or "related"
    topic: str  # which topic of the plan it is about (the focus or a part)
    similarity: float
    sentences: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Refused:
    passage: Passage
    reason: str


@dataclass(frozen=True)
class Judgement:
    kept: list[Judged]
    refused: list[Refused]

    @property
    def words(self) -> int:
        return sum(len(s.split()) for j in self.kept for s in j.sentences)


def _topic_of(title_stems: list[str], plan: QuestionPlan) -> tuple[str, str] | None:
    """('focus' | 'part', topic) when the title names the focus or a part of the plan.

    A one-word title names a topic only as its first or last word: "Goods" is not the topic of "exercise
    good for your health", "Health" is. Nor is it the topic of a compound name ("food chains", "access
    management": a passage on food, or on management in general, is about something else); each side of
    "weather and climate" is a topic of its own."""
    topics = [("focus", plan.focus), *(("part", p) for p in plan.parts)]
    topics += [("focus", side) for side in re.split(r"\s+and\s+", plan.focus) if side != plan.focus]
    for role, topic in topics:
        topic_stems = stems(topic)
        if len(title_stems) == 1 and topic_stems and title_stems[0] not in (topic_stems[0], topic_stems[-1]):
            continue
        if len(title_stems) == 1 and _compound_name(topic) and title_stems != topic_stems:
            continue
        if _contains_run(topic_stems, title_stems) or (
            topic_stems and _contains_run(title_stems, topic_stems)
        ):
            return role, topic
    return None


def _compound_name(topic: str) -> bool:
    """'food chains', 'access management': two or three words naming one thing, no glue words between."""
    words = re.sub(r"^(?:the|a|an)\s+", "", topic.lower()).split()
    return 2 <= len(words) <= 3 and not set(words) & (
        TITLE_GLUE | {"to", "with", "by", "from", "at", "is", "are"}
    )


ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")
TITLE_GLUE = {"of", "and", "the", "for", "in", "on", "a", "an"}


def _acronym_named(question: str, passage: Passage) -> list[str] | None:
    """The question's 'CPU' names 'Central processing unit' when the title's initials spell it or the passage
    introduces it ("… (CPU) …"): then the passage counts as titled by the acronym as asked."""
    title = bare_title(passage.title)
    initials = "".join(w[0] for w in re.split(r"[\s-]+", title) if w and w.lower() not in TITLE_GLUE).upper()
    for acronym in ACRONYM.findall(question):
        if acronym in title.upper().split():
            continue  # "DNA", "DNA profiling": the title itself names it, and the ordinary match sees it
        if acronym == initials or f"{title.lower()} ({acronym.lower()})" in passage.text[:300].lower():
            return stems(acronym)
    return None


def judge(plan: QuestionPlan, passages: list[Passage], embedder: Embedder) -> Judgement:
    """Keep the passages about the question, with their on-topic, teachable sentences."""
    question_stems = stems(plan.question)
    plan_text = " ".join([plan.question, *plan.parts])
    focus_stems = set(stems(plan.focus)) | {s for p in plan.parts for s in stems(p)}
    leads = [split_sentences(p.text)[0] if p.text else p.title for p in passages]
    vectors = embedder.embed(
        [plan_text, *[f"{bare_title(p.title)}. {lead}" for p, lead in zip(passages, leads, strict=True)]]
    )
    question_vector, lead_vectors = vectors[0], vectors[1:]
    kept: list[Judged] = []
    refused: list[Refused] = []
    seen: set[str] = set()
    for passage, vector in zip(passages, lead_vectors, strict=True):
        if passage.doc_id in seen:
            continue
        seen.add(passage.doc_id)
        similarity = float(np.dot(question_vector, vector))
        title_stems = _acronym_named(plan.question, passage) or stems(bare_title(passage.title))
        exact = _contains_run(question_stems, title_stems)
        loose = (
            not exact
            and len(title_stems) > 1
            and {without_ing(w) for w in title_stems} <= {without_ing(w) for w in question_stems}
        )
        named = (exact or (loose and similarity >= 0.4)) and not _used_as_verb(plan.question, passage.title)
        topic = _topic_of(title_stems, plan) if named else None
        # A one-word title that is not the focus ("Goods" in "why is exercise good for your health") must
        # also be close in meaning: the shared word is often another sense.
        floor = NAMED_MIN_SIMILARITY if len(title_stems) > 1 or topic else SINGLE_WORD_MIN_SIMILARITY
        qualifier = stems(" ".join(re.findall(r"\((.*?)\)", passage.title)))
        if qualifier and not set(qualifier) & set(question_stems):
            # "Phase (matter)" for the Moon's phases, "Amazon (company)" beside a river: the qualifier says
            # which sense the passage is about, and the question names another.
            floor = max(floor, SINGLE_WORD_MIN_SIMILARITY)
            topic = None if similarity < floor else topic
        if named and similarity < floor and not (topic and exact and similarity >= PART_MIN_SIMILARITY):
            refused.append(
                Refused(passage, f"shares the word '{bare_title(passage.title)}' but is about something else")
            )
            continue
        if named:
            role, about = topic or ("named", plan.focus)
        elif set(title_stems) & focus_stems and set(title_stems) - set(question_stems):
            # "Quantum gravity" for "what is gravity", "Moon landing" for the Moon's phases: a narrower subject.
            refused.append(
                Refused(passage, f"a narrower subject than the question: {bare_title(passage.title)}")
            )
            continue
        elif similarity >= RELATED_MIN_SIMILARITY and focus_stems & set(stems(passage.text)):
            role, about = "related", plan.focus
        else:
            refused.append(Refused(passage, "not about the question's focus or a part it names"))
            continue
        whole = role in ("focus", "part") or len(title_stems) > 1 or similarity >= 0.5
        sentences = _on_topic_sentences(passage, whole, plan, plan_text, embedder)
        if sentences:
            kept.append(Judged(passage, role, about, round(similarity, 3), sentences))
        else:
            refused.append(Refused(passage, "no sentence of it is about the question"))
    order = {"focus": 0, "part": 1, "named": 2, "related": 3}
    kept.sort(key=lambda j: (order[j.role], -j.similarity))
    return Judgement(kept, refused)


def _on_topic_sentences(
    passage: Passage, whole: bool, plan: QuestionPlan, plan_text: str, embedder: Embedder
) -> list[str]:
    """The passage's teachable sentences that are about the question, in source order.

    A passage about the topic itself (`whole`) gives every sentence close enough to the question; for a how
    or why question a sentence must also touch what is asked (another word of the question) or be close to
    it. A passage that only names something the question mentions gives just its sentences on the question.
    """
    sentences = [tidy(s) for s in split_sentences(passage.text)]
    sentences = [s for s in sentences if is_teachable(s)]
    if not sentences:
        return []
    vectors = embedder.embed([plan_text, *sentences])
    title_stems = set(stems(bare_title(passage.title)))
    asked = set(stems(" ".join(plan.context))) | {w for p in plan.parts for w in stems(p)}
    # For how and why, a sentence must touch what is asked beyond the topic's own name ("take in water").
    beyond = asked - set(stems(plan.focus)) - title_stems if plan.intent in ("how", "why") else asked
    out = []
    for sentence, vector in zip(sentences, vectors[1:], strict=True):
        similarity = float(np.dot(vectors[0], vector))
        mentions = set(stems(sentence)) & beyond if whole else (set(stems(sentence)) - title_stems) & asked
        if whole:
            keep = similarity >= 0.12 and (
                plan.intent not in ("how", "why")
                or bool(mentions)
                or similarity >= 0.5
                or (similarity >= 0.3 and CAUSE.search(sentence) is not None)
            )
        else:
            keep = bool(mentions) and similarity >= SENTENCE_MIN_SIMILARITY
        if keep:
            out.append(sentence)
    return out


class Searcher(Protocol):
    def search(self, query: str, k: int = 5, language: str = "en") -> list[Passage]: ...


def candidates(knowledge: Searcher, plan: QuestionPlan, k: int = 8, language: str = "en") -> list[Passage]:
    """BM25 over the whole question, the focus and each part: the passages a judge then filters."""
    queries = [" ".join(plan.context) or plan.question, plan.focus, *plan.parts]
    if plan.example:
        queries.append(f"{plan.focus} {plan.example}")
    found: dict[str, Passage] = {}
    for query in queries:
        for passage in knowledge.search(query, k=k, language=language):
            found.setdefault(passage.doc_id, passage)
    return list(found.values())
