"""Quiz questions about what the lesson taught, built from its narration sentences. Pure.

Two kinds, both answerable by someone who watched and plainly wrong otherwise:
- "Which of these …?" — a taught sentence whose subject is one of the lesson's terms; the options are the
  lesson's other terms (or, when it taught too few, other topics the knowledge base holds), so distractors
  are of the same kind: names of things.
- "What is X?" — the options are the defining phrases of several terms the lesson defined.
No fill-in-the-blank over a verbatim sentence, and no question whose words point outside it ("his reign").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from shared.lesson.bullets import DEFINITION, bullet_for, phrase_at_break
from shared.lesson.glossary import zipf
from shared.lesson.naming import as_sources_say
from shared.lesson.script import QuizItem
from shared.lesson.shaping import has_verb

DANGLING_REFERENT = re.compile(
    r"\b(?:he|she|it|they|his|her|its|their|this|these|those|them|him)\b", re.IGNORECASE
)
PREDICATE_VERB = re.compile(
    r"^(?:is|are|was|were|can|could|has|have|had|forms?|occurs?|makes?|causes?|provides?|carries|carry|"
    r"pumps?|sank|struck|began|begins?|started|involves?|produces?|uses?|consists?|contains?|moves?|"
    r"changes?|falls?|rises?|allows?|helps?|takes?|describes?|states?|converts?|turns?|protects?|releases?|represents?|consists?|means?|refers?|shows?|needs?|gives?|keeps?|lets?|supplies|supply|controls?)\b"
)
MAX_QUESTION_WORDS = 16
MIN_CUT_PREDICATE_WORDS = 5
MIN_PREDICATE_WORDS = 4  # "is the largest planet" singles one out; "is the frequency" does not
# "is a landscape": a class the wrong options belong to as well (a rainforest is a landscape too).
BARE_CLASS = re.compile(r"^(?:is|are|was|were) (?:a|an) \w+$", re.IGNORECASE)


@dataclass(frozen=True)
class Taught:
    sentence: str
    terms: list[str]  # the lesson's terms, most important first


def _subject_term(sentence: str, terms: list[str]) -> tuple[str, str] | None:
    """(term, predicate) when the sentence opens with one of the terms followed by a verb."""
    for term in sorted(terms, key=len, reverse=True):
        match = re.match(
            rf"^(?:The |A |An |RMS )?{re.escape(term)}s?\b\s+(?P<rest>.+)$", sentence, re.IGNORECASE
        )
        if match and PREDICATE_VERB.match(match["rest"]):
            return term, match["rest"].rstrip(".!? ")
    return None


def _which_question(taught: Taught, rng: random.Random, pool: list[str]) -> QuizItem | None:
    found = _subject_term(taught.sentence, taught.terms)
    definition = DEFINITION.match(taught.sentence)
    if not found and definition:
        # "The Pythagorean theorem or Pythagoras's theorem is a …": the first name is the answer.
        term = re.split(r"\s+or\s+", definition["term"].strip())[0]
        verb = re.search(r"\b(is|are|was|were)\b", taught.sentence[definition.end("term") :])
        if verb:
            found = term, f"{verb.group(1)} {definition['what'].rstrip('.')}"
    if not found:
        return None
    term, predicate = found
    if len(predicate.split()) > MAX_QUESTION_WORDS:
        predicate = phrase_at_break(predicate.split(), max_words=MAX_QUESTION_WORDS) or ""
        # Cut short, a predicate stops saying what singles the answer out: "Which of these is the
        # frequency?" (of earthquakes, of a given size…) has no answer a viewer could defend.
        if len(predicate.split()) < MIN_CUT_PREDICATE_WORDS:
            return None
    if (
        len(predicate.split()) < MIN_PREDICATE_WORDS
        or DANGLING_REFERENT.search(predicate)
        or BARE_CLASS.match(predicate)
        or PRONOUN.fullmatch(term)
    ):
        return None
    lowered = taught.sentence.lower()
    distinctive = min(term.lower().split(), key=lambda w: zipf(w))
    # A distractor naming the answer's distinctive word ("Sinking of the Titanic" for "Titanic") or found in
    # the sentence could be argued right; those left ("Bayes' theorem") are plainly wrong to who watched.
    by_lower = {t.lower(): t for t in reversed(pool)}  # one spelling per name, the first given
    distractors = [
        by_lower[t]
        for t in dict.fromkeys(t.lower() for t in pool)
        if distinctive not in t and t not in lowered and t != term.lower() and not _same_name(t, term)
    ]
    if len(distractors) < 2:
        return None
    answer = term[0].upper() + term[1:]
    options = [answer, *[d[0].upper() + d[1:] for d in distractors[:3]]]
    rng.shuffle(options)
    return QuizItem(
        question=f"Which of these {predicate}?",
        options=options,
        answer=answer,
        explanation=one_line(taught.sentence),
    )


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.split(r"[\s-]+", name.lower()) if w and w not in ("of", "and", "the"))


def _same_name(a: str, b: str) -> bool:
    """'CPU' and 'Central processing unit' are one answer, not a right one and a wrong one."""
    a, b = a.lower(), b.lower()
    return (" " not in a and a == _initials(b)) or (" " not in b and b == _initials(a))


PRONOUN = re.compile(r"(?:it|its|they|them|their|this|these|those|that|he|she|we|you)", re.IGNORECASE)


def _as_written(term: str, sentence: str) -> str:
    """The term with the capitals its sentence gives it ("Pythagoras's theorem", "Internet")."""
    found = re.search(re.escape(term), sentence, re.IGNORECASE)
    return found.group(0) if found else term


def _definitions(sentences: list[str]) -> dict[str, tuple[str, str]]:
    """term → (defining phrase, sentence) for sentences of the form "X is a …"."""
    out: dict[str, tuple[str, str]] = {}
    for sentence in sentences:
        match = DEFINITION.match(sentence)
        if not match:
            continue
        phrase = phrase_at_break(match["what"].split(), max_words=11)
        while phrase and len(phrase) > 76:
            phrase = phrase_at_break(phrase.split()[:-1], max_words=14)
        term = match["term"].strip()
        if PRONOUN.fullmatch(term):
            continue  # "They are a subset of …": what "they" are is in another sentence
        words = term.split()
        if len(words) > 4 or (len(words) >= 3 and has_verb(words[1:])):
            continue  # "The ocean plays a key role … as it is the source": a clause, not a term
        if phrase and term.lower() not in out and not DANGLING_REFERENT.search(phrase):
            out[term.lower()] = (phrase, sentence)
    return out


HEAD_ENDS = frozenset(
    [
        "of",
        "that",
        "which",
        "who",
        "whose",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "to",
        "used",
        "where",
        "when",
        "while",
        "and",
        "or",
        "as",
    ]
)


def head_noun(phrase: str) -> str:
    """The noun a defining phrase is about: "a French naval officer" → officer, "the rhythmic process of
    inhaling air" → process (the last word before the first preposition, relative or conjunction)."""
    head = ""
    for word in re.findall(r"[A-Za-z][A-Za-z'-]*|,", phrase):
        if word == "," or word.lower() in HEAD_ENDS:
            if head:
                break
            continue
        head = word
    return head.lower()


def _same_kind(answer: str, other: str, kind_of: Callable[[str], str | None]) -> bool:
    """Both about people, or both not: a person offered for "What is breathing?" is no distractor."""
    return (kind_of(head_noun(answer)) == "person") == (kind_of(head_noun(other)) == "person")


def build_quiz(
    sentences: list[str],
    terms: list[str],
    outside_terms: list[str],
    seed: int,
    limit: int = 3,
    outside_sentences: list[str] | None = None,
    kind_of: Callable[[str], str | None] = lambda _word: None,
) -> list[QuizItem]:
    """Up to `limit` questions over the taught sentences, most important terms first.

    `outside_terms` / `outside_sentences`: names and defining sentences of other topics (passages the lesson
    refused as off-topic), used only as wrong options when the lesson itself taught too few. `kind_of`: a
    noun's category (Glossary.noun_kind), so a definition's wrong options define things of its kind.
    """
    rng = random.Random(seed)
    items: list[QuizItem] = []
    asked: set[str] = set()
    definitions = _definitions(sentences)
    foreign = {t: d for t, d in _definitions(outside_sentences or []).items() if t not in definitions}
    if definitions and len(definitions) + len(foreign) >= 3:
        for term, (phrase, sentence) in list(definitions.items())[:limit]:
            others = [
                p
                for t, (p, _) in [*definitions.items(), *foreign.items()]
                if t != term and _same_kind(phrase, p, kind_of)
            ][:3]
            if len(others) < 2:
                continue
            options = [phrase, *others]
            rng.shuffle(options)
            plural = re.search(rf"{re.escape(term)}\w* (?:are|were)\b", sentence, re.IGNORECASE)
            items.append(
                QuizItem(
                    question=f"What {'are' if plural else 'is'} {as_sources_say(_as_written(term, sentence), sentence)}?",
                    options=options,
                    answer=phrase,
                    explanation=one_line(sentence),
                )
            )
            asked.add(term)
    pool = [*terms, *outside_terms]
    for sentence in sentences:
        if len(items) >= limit:
            break
        item = _which_question(Taught(sentence, terms), rng, pool)
        if item and item.answer.lower() not in asked:
            items.append(item)
            asked.add(item.answer.lower())
    explained = {item.explanation for item in items}
    for sentence in sentences:
        if len(items) >= limit or not terms:
            break
        if one_line(sentence) in explained:
            continue
        item = _said_question(sentence, terms[0], outside_sentences or [], rng)
        if item:
            items.append(item)
            explained.add(item.explanation)
    return items


def _said_question(sentence: str, subject: str, outside: list[str], rng: random.Random) -> QuizItem | None:
    """ "Which of these did the lesson say about X?": one taught statement against statements about the
    other topics the lesson refused, plainly wrong as statements about X to someone who watched."""
    answer = bullet_for(sentence)
    subject_words = {w for w in re.findall(r"[a-z]+", subject.lower()) if len(w) > 3}
    if not answer or DANGLING_REFERENT.search(answer):
        return None
    wrong = []
    for other in outside:
        phrase = bullet_for(other)
        words = set(re.findall(r"[a-z]+", (phrase or "").lower()))
        if (
            phrase
            and not words & subject_words
            and phrase not in wrong
            and not DANGLING_REFERENT.search(phrase)
        ):
            wrong.append(phrase)
    wrong = [w for w in wrong if w.lower() != answer.lower()]
    if len(wrong) < 2:
        return None
    options = [answer, *wrong[:3]]
    rng.shuffle(options)
    return QuizItem(
        question=f"Which of these did the lesson say about {_article(subject.lower()) if subject.islower() else subject}?",
        options=options,
        answer=answer,
        explanation=one_line(sentence),
    )


def one_line(sentence: str) -> str:
    """The explanation shown and read with the answer: the taught sentence, shortened to one line."""
    if len(sentence.split()) <= 20:
        return sentence
    short = phrase_at_break(sentence.split(), max_words=20)
    return f"{short}." if short else sentence


def _article(term: str) -> str:
    """'evaporation' → 'evaporation'; 'water cycle' → 'the water cycle'."""
    return f"the {term}" if len(term.split()) > 1 else term


def spoken_question(item: QuizItem) -> str:
    """The question as the narrator reads it, options lettered: "… A, evaporation. B, condensation. Or C, rain?" """
    letters = "ABCDE"
    options = [f"{letters[i]}, {option.rstrip('.')}" for i, option in enumerate(item.options)]
    return f"{item.question} {'. '.join(options[:-1])}. Or {options[-1]}?"


def spoken_answer(item: QuizItem) -> str:
    letter = "ABCDE"[item.options.index(item.answer)]
    return f"The answer is {letter}: {item.answer}. {item.explanation}"
