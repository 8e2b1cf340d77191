"""The offline script writer: a grounded composer that selects, orders and shapes real sentences from
retrieved passages into scenes and quiz items. It invents no facts: every factual sentence in the
narration is a sentence of a cited source (tidied: parentheticals and pronunciations removed).
Pure: passages in, LessonScript out.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass

from shared.lesson.framing import framed, framing_words, short_title
from shared.lesson.knowledge import Passage
from shared.lesson.policy import content_words
from shared.lesson.readability import flesch_kincaid_grade
from shared.lesson.script import LessonScript, QuizItem, Scene, Source, VisualSpec

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")
PARENTHETICAL = re.compile(r"\s*[\(\[][^)\]]*[\)\]]")
MAX_SCENE_WORDS = 95


def words_per_minute(grade: str | None) -> int:
    """Speaking rate for the audience: slower for younger learners."""
    level = 0 if grade in (None, "K") else int(grade)
    if grade is None:
        level = 6
    if level <= 2:
        return 115
    if level <= 5:
        return 130
    if level <= 8:
        return 145
    return 155


def _max_sentence_words(grade: str | None) -> int:
    level = 6 if grade is None else (0 if grade == "K" else int(grade))
    return 16 + level * 2


def _stem(word: str) -> str:
    return word.lower()[:6]


@dataclass(frozen=True)
class Sentence:
    passage_rank: int
    position: int
    text: str
    score: float

    @property
    def words(self) -> int:
        return len(self.text.split())


def split_sentences(text: str) -> list[str]:
    cleaned = PARENTHETICAL.sub("", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    cleaned = re.sub(r"\s+([,.;:])", r"\1", cleaned)
    return [s.strip() for s in SENTENCE_END.split(cleaned) if s.strip()]


def _score_sentences(passages: list[Passage], query: str, grade: str | None) -> list[Sentence]:
    query_stems = {_stem(w) for w in content_words(query)}
    limit = _max_sentence_words(grade)
    top = passages[0].score or 1.0
    sentences = []
    for rank, passage in enumerate(passages):
        title_stems = {_stem(w) for w in content_words(passage.title)}
        for position, text in enumerate(split_sentences(passage.text)):
            words = text.split()
            if len(words) < 6 or len(words) > 55 or not text.endswith((".", "!", "?")):
                continue
            stems = {_stem(w) for w in content_words(text)}
            overlap = len(stems & query_stems) + 0.5 * len(stems & title_stems)
            score = overlap + 2.0 * passage.score / top - 0.15 * position
            if len(words) > limit:
                score -= (len(words) - limit) * 0.1  # prefer shorter sentences for younger learners
            sentences.append(Sentence(rank, position, text, score))
    return sentences


def _bullet(sentence: str) -> str:
    clause = re.split(r"[,;:]| which | that | because ", sentence, maxsplit=1)[0].strip().rstrip(".")
    if len(clause.split()) < 4:  # "The processes": too little to stand alone on a slide
        clause = sentence.rstrip(".")
    words = clause.split()
    if len(words) > 9:
        clause = " ".join(words[:8]) + "…"
    return clause[:80]


def _scenes(chosen: list[Sentence], passages: list[Passage]) -> list[Scene]:
    scenes: list[Scene] = []
    for rank, passage in enumerate(passages):
        group = [s for s in chosen if s.passage_rank == rank]
        if not group:
            continue
        parts: list[list[Sentence]] = [[]]
        for sentence in group:
            if parts[-1] and sum(s.words for s in parts[-1]) + sentence.words > MAX_SCENE_WORDS:
                parts.append([])
            parts[-1].append(sentence)
        for index, part in enumerate(parts):
            heading = passage.title if index == 0 else f"{passage.title} (part {index + 1})"
            scenes.append(
                Scene(
                    heading=heading[:90],
                    narration=" ".join(s.text for s in part),
                    bullets=[_bullet(s.text) for s in part][:4],
                    visual=VisualSpec(layout="bullets", keywords=content_words(passage.title)[:6]),
                    source_ids=[passage.doc_id],
                )
            )
    return scenes


def _quiz(chosen: list[Sentence], passages: list[Passage], seed: int) -> list[QuizItem]:
    rng = random.Random(seed)
    titles = [p.title for p in passages]
    # Long words that can stand as an answer; adverbs and participles make giveaway distractors.
    words = [
        w
        for s in chosen
        for w in re.findall(r"\b[a-z]{9,}\b", s.text)
        if not w.endswith(("ly", "ed", "ing", "ous", "ive", "ent", "ant", "ful", "able", "ible"))
    ]
    terms = list(dict.fromkeys(titles + words))
    items: list[QuizItem] = []
    used_answers: set[str] = set()
    for sentence in sorted(chosen, key=lambda s: -s.score):
        answer = next(
            (
                t
                for t in terms
                if t not in used_answers and re.search(rf"\b{re.escape(t)}\b", sentence.text, re.IGNORECASE)
            ),
            None,
        )
        if answer is None:
            continue
        match = re.search(rf"\b{re.escape(answer)}\b", sentence.text, re.IGNORECASE)
        assert match is not None
        shown = match.group(0)
        # Distractors of the same kind as the answer first: titles for a title, words for a word.
        same_kind = titles if answer in titles else words
        pool = list(dict.fromkeys(same_kind + terms))
        distractors = [
            t for t in pool if t.lower() != answer.lower() and t.lower() not in sentence.text.lower()
        ]
        if len(distractors) < 3:
            continue
        options = [shown, *rng.sample(distractors[:6], 3)]
        rng.shuffle(options)
        blanked = sentence.text[: match.start()] + "_____" + sentence.text[match.end() :]
        items.append(
            QuizItem(
                question=f"Fill in the blank: {blanked}",
                options=options,
                answer=shown,
                explanation=f"From the lesson: {sentence.text}",
            )
        )
        used_answers.add(answer)
        if len(items) == 5:
            break
    return items


def compose(
    *,
    query: str,
    grade: str | None,
    minutes: int,
    passages: list[Passage],
    language: str = "en-US",
) -> LessonScript:
    """Build a LessonScript sized to `minutes` from the passages. Raises ValueError if they cannot carry one."""
    if not passages:
        raise ValueError("no passages to compose from")
    top = passages[0].score
    passages = [p for p in passages if p.score >= 0.35 * top][:5]
    wpm = words_per_minute(grade)
    title = short_title(passages[0].title)
    target = minutes * wpm
    budget = target - framing_words(title)

    ranked = sorted(_score_sentences(passages, query, grade), key=lambda s: -s.score)
    chosen: list[Sentence] = []
    total = 0
    for sentence in ranked:
        if total >= budget:
            break
        if total + sentence.words > budget * 1.08:
            continue
        chosen.append(sentence)
        total += sentence.words
    chosen.sort(key=lambda s: (s.passage_rank, s.position))
    if len(chosen) < 3:
        raise ValueError("the sources hold too little on this topic for a lesson")
    used = sorted({s.passage_rank for s in chosen})
    used_passages = [passages[i] for i in used]
    remap = {old: new for new, old in enumerate(used)}
    chosen = [Sentence(remap[s.passage_rank], s.position, s.text, s.score) for s in chosen]

    body_scenes = _scenes(chosen, used_passages)
    scenes = framed(title, body_scenes)
    objectives = [f"Explain the main ideas of {s.heading}" for s in body_scenes if "(part" not in s.heading][
        :3
    ]
    objectives.append("Answer questions about what the sources say")
    seed = int(hashlib.sha256(f"{query}|{grade}|{minutes}".encode()).hexdigest()[:8], 16)
    quiz = _quiz(chosen, passages, seed)
    if len(quiz) < 3:
        raise ValueError("the sources do not support a three-question quiz")
    narration = " ".join(s.narration for s in scenes)
    notes = []
    reading_grade = flesch_kincaid_grade(narration)
    if grade is not None and abs(reading_grade - (0 if grade == "K" else int(grade))) > 2:
        notes.append(
            f"Reading level {reading_grade} is outside grade {grade} ±2: the offline composer keeps source "
            "sentences verbatim (no invented wording), choosing the shortest relevant ones."
        )
    words = sum(len(s.narration.split()) for s in scenes)
    if words < target * 0.8:
        notes.append(f"The sources carried {words} words of the {target} a {minutes}-minute lesson needs.")
    return LessonScript(
        title=title,
        grade_level=grade or "6",
        language=language,
        objectives=objectives[:4] if len(objectives) >= 2 else [*objectives, "Recall the key terms"],
        scenes=scenes,
        quiz=quiz,
        sources=[
            Source(doc_id=p.doc_id, title=p.title, url=p.source_url, license=p.license) for p in used_passages
        ],
        target_words=target,
        words_per_minute=wpm,
        reading_grade=reading_grade,
        notes=notes,
    )
