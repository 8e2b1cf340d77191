"""The offline script writer: a grounded composer that answers the question from retrieved passages.

It parses the question (shared.lesson.plan), keeps only passages and sentences about it
(shared.lesson.relevance), and builds an explanation in the plan's order: what it is → how or why it
happens → the named sub-parts in the learner's order → an example where asked → a recap → the quiz. It
invents no facts: every taught sentence is a source sentence, shortened or simplified (shared.lesson.shaping),
and each scene lists the sources its sentences came from. Connective lines ("First, …") carry no facts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import partial

from shared.ai.embeddings import Embedder
from shared.errors import TooLittleSource
from shared.lesson import framing
from shared.lesson.bullets import bullet_for
from shared.lesson.glossary import Glossary
from shared.lesson.knowledge import Passage
from shared.lesson.naming import as_sources_say, the
from shared.lesson.plan import QuestionPlan, plan_question
from shared.lesson.quiz import build_quiz, spoken_answer, spoken_question
from shared.lesson.readability import flesch_kincaid_grade
from shared.lesson.relevance import CAUSE, Judged, bare_title, judge, stems
from shared.lesson.script import Layout, LessonScript, QuizItem, Scene, SceneKind, Source, VisualSpec
from shared.lesson.shaping import (
    drop_asides,
    for_speech,
    resolve_pronoun,
    shorten,
    simplify_words,
    split_long,
    split_sentences,
    starts_with_pronoun,
    tidy,
)
from shared.lesson.syntax import Simplifier

SEQUENCE = re.compile(r"\b(?:process|stages?|phases?|steps?|cycle|sequence|in order|order)\b", re.I)
MAX_SCENE_SENTENCES = 4
READING_MARGIN = 3  # grades above the learner's at which a sentence is cut down to its core
QUIZ_PAUSE_S = 4.0
QUIZ_SHARE = 0.34
RECAP_WORDS = 30
LENGTH_TOLERANCE = (0.8, 1.2)  # of the asked length: outside it, the lesson says so
RECAP_POINT_WORDS = 20
EXAMPLE = re.compile(r"\b(?:for example|for instance|such as|e\.g\.|an example)\b", re.IGNORECASE)
CONNECTIVE = re.compile(
    r"^(?:So|Thus|Therefore|However|Also|But|And|Instead|Hence|Then|Otherwise|Similarly|Still|Yet)\b"
)
COMPONENTS = re.compile(
    r"\b(phases|stages|steps|types|kinds|layers|branches|causes|effects|parts)\s+of\s+(?:the\s+|a\s+|an\s+)?(.+)$"
)
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-2][0-9])\b")


def words_per_minute(grade: str | None) -> int:
    """Speaking rate for the audience: slower for younger learners."""
    level = 6 if grade is None else (0 if grade == "K" else int(grade))
    if level <= 2:
        return 115
    if level <= 5:
        return 130
    if level <= 8:
        return 145
    return 155


def grade_number(grade: str | None) -> int:
    return 6 if grade is None else (0 if grade == "K" else int(grade))


def max_sentence_words(grade: str | None) -> int:
    """Longer sentences are cut apart above this: tighter for young readers (grades K–5, where a long
    sentence costs most), looser above, where cutting apart a list loses what it names."""
    level = grade_number(grade)
    return 8 + level if level <= 5 else 10 + level


@dataclass
class Line:
    """One taught sentence and where it came from."""

    text: str
    doc_id: str
    title: str


@dataclass
class Block:
    kind: SceneKind
    heading: str
    lines: list[Line]
    layout: Layout = "bullets"
    term: str | None = None
    labels: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    sides: list[int] = field(default_factory=list)
    lead_in: str = ""
    whole: bool = False  # the answer itself (the named parts in order): never cut to fit the length

    @property
    def words(self) -> int:
        return sum(len(line.text.split()) for line in self.lines)


def _shape(
    judged: Judged, grade: str | None, glossary: Glossary, keep: set[str], simplifier: Simplifier | None
) -> list[Line]:
    """The passage's on-topic sentences, cut into short ones for the grade and written for speech."""
    subject = bare_title(judged.passage.title)
    lines: list[Line] = []
    limit = max_sentence_words(grade)
    ceiling = grade_number(grade) + READING_MARGIN
    for sentence in judged.sentences:
        # Cut apart first: a clause the splitter makes its own sentence is taught, not dropped as an aside.
        cut = simplifier.simplify(sentence, limit) if simplifier else [sentence]
        cut = [drop_asides(piece) if len(piece.split()) > limit else piece for piece in cut]
        for piece in (part for whole in cut for part in split_long(whole, limit)):
            if simplifier:
                piece = simplifier.compress(piece, ceiling, keep, glossary.is_term)
            text = for_speech(
                simplify_words(
                    piece, glossary.common_synonym, keep, glossary.droppable_adjective, glossary.is_term
                )
            )
            if len(text.split()) >= 4 and not re.search(r"[()\[\]]", text):
                lines.append(Line(text, judged.passage.doc_id, subject))
    # A sentence far above the grade is left out when the passage has easier ones (the first, which says
    # what the topic is, and the next always stay).
    far_above = grade_number(grade) + 5
    easy = [line for i, line in enumerate(lines) if i < 2 or flesch_kincaid_grade(line.text) <= far_above]
    return easy


def _opening(lines: list[Line], subject: str) -> list[Line]:
    """A scene never starts with a pronoun whose antecedent is in another scene."""
    if not lines or not starts_with_pronoun(lines[0].text):
        return lines
    fixed = resolve_pronoun(lines[0].text, the(subject))
    if fixed:
        return [Line(fixed, lines[0].doc_id, lines[0].title), *lines[1:]]
    rest = [line for line in lines if not starts_with_pronoun(line.text)]
    return rest if rest else []


def _blocks(plan: QuestionPlan, judged: list[Judged], pools: dict[str, list[Line]]) -> list[Block]:
    """Scenes in the plan's order, each from the sentences about its topic."""
    blocks: list[Block] = []
    focus = [j for j in judged if j.role == "focus"] or judged[:1]
    used: set[str] = set()

    def take(doc_id: str, count: int, predicate: re.Pattern[str] | None = None) -> list[Line]:
        source = pools.get(doc_id, [])
        chosen: list[Line] = []
        for index, line in enumerate(source):
            if len(chosen) == count:
                break
            if line.text in used or (predicate is not None and not predicate.search(line.text)):
                continue
            # "So fog and mist do not fall." leans on the sentence before it: only right after that sentence.
            if CONNECTIVE.match(line.text) and (
                index == 0 or not chosen or chosen[-1] is not source[index - 1]
            ):
                continue
            chosen.append(line)
        used.update(line.text for line in chosen)
        return chosen

    main = focus[0]
    title = bare_title(main.passage.title)
    if plan.intent == "compare" and len(plan.parts) >= 2:
        sides: list[Line] = []
        side_index: list[int] = []
        columns = []
        per_side: list[list[Line]] = []
        for part in plan.parts[:2]:
            doc = next((j for j in judged if stems(bare_title(j.passage.title)) == stems(part)), None)
            if doc is None:
                continue
            columns.append(bare_title(doc.passage.title))
            per_side.append(_opening(take(doc.passage.doc_id, 2), bare_title(doc.passage.title)))
        # Alternate the two sides so a short lesson still keeps both.
        for pair in zip(*per_side, strict=False) if len(per_side) == 2 else []:
            for index, line in enumerate(pair):
                sides.append(line)
                side_index.append(index)
        if len(columns) == 2 and sides:
            blocks.append(
                Block(
                    "comparison",
                    f"{columns[0]} and {columns[1]}",
                    sides,
                    "comparison",
                    columns=columns,
                    sides=side_index,
                )
            )
    definition = [] if blocks else _opening(take(main.passage.doc_id, 2), title)
    if definition:
        named = as_sources_say(title, definition[0].text)
        heading = f"What is {named}?" if plan.intent in ("define", "example", "steps") else title
        blocks.insert(0, Block("definition", heading, definition, "definition", term=title))
    if plan.intent in ("how", "why"):
        mechanism = [line for j in focus for line in take(j.passage.doc_id, MAX_SCENE_SENTENCES, CAUSE)]
        if mechanism:
            heading = f"Why {plan.focus}?" if plan.intent == "why" else f"How {the(title)} works"
            blocks.append(Block("mechanism", heading[:90], _opening(mechanism, title), "steps"))
    part_docs = [
        (part, next((j for j in judged if j.role == "part" and j.topic.lower() == part.lower()), None))
        for part in plan.parts
    ]
    named_parts = [(part, doc) for part, doc in part_docs if doc is not None]
    if len(named_parts) >= 2 and plan.intent != "compare":
        overview = []
        labels = []
        for _part, doc in named_parts[:6]:
            assert doc is not None
            lines = _opening(take(doc.passage.doc_id, 1), bare_title(doc.passage.title))
            if lines:
                overview += lines
                labels.append(bare_title(doc.passage.title)[:24])
        if overview:
            cycle = "cycle" in plan.focus.lower()
            # Parts named after "including" are components, not a sequence: a numbered "step by step"
            # would teach an order that is not there.
            ordered = cycle or plan.intent in ("steps", "how") or bool(SEQUENCE.search(plan.question))
            if ordered:
                heading = f"The stages of {the(title)}" if cycle else f"{title}: step by step"
                lead_in = f"Let's follow the {len(labels)} parts you asked about, in order."
            else:
                heading = f"{title}: the parts you asked about"
                lead_in = f"Let's meet the {len(labels)} parts you asked about."
            blocks.append(
                Block(
                    "part",
                    heading[:90],
                    overview,
                    ("cycle" if cycle else "steps") if ordered else "bullets",
                    labels=labels,
                    lead_in=lead_in,
                    whole=True,
                )
            )
    for part, doc in named_parts:
        assert doc is not None
        lines = _opening(take(doc.passage.doc_id, MAX_SCENE_SENTENCES - 1), bare_title(doc.passage.title))
        if lines:
            blocks.append(
                Block(
                    "part",
                    bare_title(doc.passage.title),
                    lines,
                    "definition",
                    term=bare_title(doc.passage.title),
                    lead_in=f"Next, let's look at {part}.",
                )
            )
    if plan.wants_example:
        examples = [line for j in judged for line in take(j.passage.doc_id, 2, EXAMPLE)]
        if examples:
            blocks.append(Block("example", "An example", examples, "bullets", lead_in="Here is an example."))
    # What is left of the focus and the other on-topic passages, most relevant first.
    for doc in judged:
        rest = _opening(take(doc.passage.doc_id, MAX_SCENE_SENTENCES), bare_title(doc.passage.title))
        if len(rest) >= 1:
            years = [YEAR.search(line.text) for line in rest]
            timeline = sum(1 for y in years if y) >= 3
            blocks.append(
                Block(
                    "part",
                    bare_title(doc.passage.title)[:90],
                    rest,
                    "timeline" if timeline else "bullets",
                    labels=[y.group(0) if y else "" for y in years] if timeline else [],
                )
            )
    return [b for b in blocks if b.lines]


def _fit(blocks: list[Block], budget_words: int) -> list[Block]:
    """Keep whole sentences in scene order until the words the requested length allows are used. The
    answer itself (a `whole` block: the named parts in order) always stays, and its words come first."""
    room = budget_words - sum(block.words for block in blocks if block.whole)
    kept: list[Block] = []
    total = 0
    for block in blocks:
        if block.whole:
            kept.append(block)
            continue
        lines = []
        for line in block.lines:
            words = len(line.text.split())
            if total + words > room * 1.1 and total > 0:
                break  # the first taught line always stays: a lesson says what its topic is
            lines.append(line)
            total += words
        if lines:
            block.lines = lines
            if block.sides:
                block.sides = block.sides[: len(lines)]
            if block.labels:
                block.labels = block.labels[: len(lines)]
            kept.append(block)
    return kept


def _scene(block: Block, index: int) -> Scene:
    lines = [line.text for line in block.lines]
    narration_sentences = ([block.lead_in] if block.lead_in else []) + lines
    bullets: list[str] = []
    reveal: list[int] = []
    offset = 1 if block.lead_in else 0
    for position, line in enumerate(lines):
        bullet = bullet_for(line)
        if bullet and bullet not in bullets and len(bullets) < 6:
            bullets.append(bullet)
            reveal.append(position + offset)
    sides = [block.sides[i] for i, line in enumerate(lines) if bullet_for(line)] if block.sides else []
    labels = block.labels
    if block.layout in ("cycle", "timeline", "steps") and labels:
        labels = [label for label, line in zip(labels, lines, strict=False) if bullet_for(line)][
            : len(bullets)
        ]
    layout: Layout = block.layout
    if layout in ("cycle", "timeline") and len(labels) != len(bullets):
        layout = "bullets"
    if layout == "comparison" and (len(sides) != len(bullets) or len(set(sides)) < 2):
        layout, sides = "bullets", []
    return Scene(
        kind=block.kind,
        heading=block.heading[:90],
        narration=" ".join(narration_sentences),
        bullets=bullets,
        reveal=reveal,
        visual=VisualSpec(
            layout=layout,
            term=block.term[:60] if block.term else None,
            labels=[label[:24] for label in labels] if layout in ("cycle", "timeline", "steps") else [],
            columns=[c[:40] for c in block.columns] if layout == "comparison" else [],
            sides=sides if layout == "comparison" else [],
            keywords=[w for w in re.findall(r"[a-z]{4,}", block.heading.lower())][:6],
        ),
        source_ids=list(dict.fromkeys(line.doc_id for line in block.lines)),
    )


def _quiz_scenes(quiz: list[QuizItem]) -> list[Scene]:
    scenes = []
    for number, item in enumerate(quiz, start=1):
        heading = f"Question {number} of {len(quiz)}"
        scenes.append(
            Scene(
                kind="quiz_question",
                heading=heading,
                narration=spoken_question(item),
                bullets=[o[:80] for o in item.options],
                visual=VisualSpec(layout="quiz_question"),
                pause_after_s=QUIZ_PAUSE_S,
            )
        )
        scenes.append(
            Scene(
                kind="quiz_answer",
                heading=f"Answer {number}",
                narration=spoken_answer(item),
                bullets=[o[:80] for o in item.options],
                visual=VisualSpec(layout="quiz_answer", term=item.answer[:60]),
            )
        )
    return scenes


def _recap(blocks: list[Block]) -> Scene | None:
    """One short statement per scene, restated: each a taught sentence's shortest whole form."""
    points: list[tuple[str, str]] = []
    for block in blocks:
        # The scene's shortest whole statement: the one a learner can carry away.
        for line in sorted(block.lines, key=lambda line: len(line.text.split())):
            if starts_with_pronoun(line.text) or CONNECTIVE.match(line.text):
                continue
            statement = shorten(line.text, 14)
            bullet = bullet_for(statement)
            if bullet and len(statement.split()) <= RECAP_POINT_WORDS:
                points.append((statement, line.doc_id))
                break
    points = points[:3]
    if not points:
        return None
    bullets = [bullet_for(statement) or "" for statement, _ in points]
    return Scene(
        kind="recap",
        heading="Recap",
        narration="Let's recap. " + " ".join(statement for statement, _ in points),
        bullets=[b[:80] for b in bullets],
        reveal=list(range(1, len(points) + 1)),
        visual=VisualSpec(layout="bullets"),
        source_ids=list(dict.fromkeys(doc for _, doc in points)),
    )


def _objectives(plan: QuestionPlan, blocks: list[Block], title: str) -> list[str]:
    focus = re.sub(r"^(?:the )?(?:steps|stages|phases|parts) (?:of|in) |\s+in order$", "", plan.focus)
    asked = plan.question.lower()
    subject = next(
        (f"{a} {focus}" for a in ("the", "a", "an") if re.search(rf"\b{a} {re.escape(focus)}\b", asked)),
        focus,
    )
    question = plan.question.strip()
    first = {
        "define": f"Say what {subject} is in your own words",
        "how": f"Describe how {subject} works"
        if not question.endswith("?")
        else f"Answer the question: {question}",
        "why": f"Answer the question: {question}"
        if question.endswith("?")
        else f"Explain why {subject} happens",
        "compare": f"Tell {plan.parts[0]} and {plan.parts[1]} apart"
        if len(plan.parts) >= 2
        else f"Compare the parts of {subject}",
        "steps": f"List the stages of {subject} in order",
        "example": f"Explain {subject} with an example",
    }[plan.intent]
    objectives = [first]
    taught = " ".join(line.text.lower() for b in blocks for line in b.lines)
    parts = [p for p in plan.parts if p.lower() in taught]
    if parts:
        listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
        objectives.append(f"Describe {listed}, in that order" if len(parts) > 2 else f"Describe {listed}")
    if any(b.kind == "mechanism" for b in blocks) and plan.intent not in ("how", "why"):
        objectives.append(f"Explain what makes {subject} happen")
    objectives.append("Answer questions about the key ideas")
    return objectives[:4]


def compose(
    *,
    query: str,
    grade: str | None,
    minutes: int,
    passages: list[Passage],
    embedder: Embedder,
    glossary: Glossary,
    simplifier: Simplifier | None = None,
    language: str = "en-US",
    outside_terms: list[str] | None = None,
) -> LessonScript:
    """A LessonScript that answers `query` from `passages`; TooLittleSource when they cannot carry one."""
    plan = plan_question(query)
    judgement = judge(plan, passages, embedder)
    if not judgement.kept:
        raise TooLittleSource(f"the sources hold nothing about {plan.focus}")
    keep = {w for t in plan.topics for w in t.lower().split()} | {
        w for j in judgement.kept for w in bare_title(j.passage.title).lower().split()
    }
    # The parse-based simplifier reads English only; other languages keep the clause-boundary splitter.
    english = simplifier if language.lower().startswith("en") else None
    pools = {j.passage.doc_id: _shape(j, grade, glossary, keep, english) for j in judgement.kept}
    title = bare_title(judgement.kept[0].passage.title)
    wpm = words_per_minute(grade)
    target = minutes * wpm
    taught_terms = list(
        dict.fromkeys([title, *[bare_title(j.passage.title) for j in judgement.kept], *plan.topics])
    )
    outside = list(
        dict.fromkeys([*(outside_terms or []), *[bare_title(r.passage.title) for r in judgement.refused]])
    )
    quiz_count = min(3, max(1, minutes))
    seed = int(hashlib.sha256(f"{query}|{grade}|{minutes}".encode()).hexdigest()[:8], 16)
    all_lines = [line.text for j in judgement.kept for line in pools[j.passage.doc_id]]
    # The quiz and the framing take their share of the requested time; the rest is teaching.
    outside_leads = [tidy(split_sentences(r.passage.text)[0]) for r in judgement.refused if r.passage.text]
    quiz_over = partial(
        build_quiz, terms=taught_terms, outside_terms=outside, seed=seed, outside_sentences=outside_leads,
        kind_of=glossary.noun_kind,
    )  # fmt: skip
    quiz_draft = quiz_over(all_lines, limit=quiz_count)

    def spoken_words(items: list[QuizItem]) -> int:
        read = sum(len(spoken_question(q).split()) + len(spoken_answer(q).split()) for q in items)
        return read + int(len(items) * QUIZ_PAUSE_S * wpm / 60)

    supported = len(quiz_draft)
    # The quiz gets at most a third of the time asked for; teaching gets the rest.
    while len(quiz_draft) > 1 and spoken_words(quiz_draft) > target * QUIZ_SHARE:
        quiz_draft = quiz_draft[:-1]
    quiz_count = max(1, len(quiz_draft))
    budget = max(
        target - framing.framing_words(title) - spoken_words(quiz_draft) - RECAP_WORDS - 12,
        int(target * 0.35),
    )
    blocks = _fit(_blocks(plan, judgement.kept, pools), budget)
    body = [_scene(block, i) for i, block in enumerate(blocks)]
    taught = [line for b in blocks for line in b.lines]
    quiz = quiz_over([line.text for line in taught], limit=quiz_count)
    if not quiz:
        raise TooLittleSource(f"the sources say too little about {plan.focus} for a quiz")

    def assembled(recap: Scene | None) -> tuple[list[Scene], int]:
        scenes = framing.framed(the(title), [*body, *([recap] if recap else []), *_quiz_scenes(quiz)], plan)
        scenes[0] = scenes[0].model_copy(update={"heading": framing.short_title(title)})
        spoken = sum(len(s.narration.split()) for s in scenes) + int(
            sum(s.pause_after_s for s in scenes) * wpm / 60
        )
        return scenes, spoken

    scenes, words = assembled(_recap(blocks))
    if words > target * LENGTH_TOLERANCE[1]:
        scenes, words = assembled(None)  # a short lesson over its time loses the recap before anything taught
    taught_text = " ".join(s.narration for s in body)
    reading = flesch_kincaid_grade(" ".join(line.text for line in taught))
    warnings = []
    if words > target * LENGTH_TOLERANCE[1]:
        warnings.append(
            f"This lesson runs about {round(words / wpm * 60)} seconds of the {minutes * 60} asked: the "
            "shortest whole answer, its framing and a quiz question take that long."
        )
    if words < target * LENGTH_TOLERANCE[0]:
        warnings.append(
            f"The knowledge base holds little about {plan.focus}: this lesson runs about "
            f"{max(1, round(words / wpm * 60))} seconds of the {minutes * 60} asked."
        )
    if reading > grade_number(grade) + 3:
        warnings.append(
            f"The sources read at about grade {reading:.0f}, above grade {grade or '6'}, even shortened."
        )
    if plan.wants_example and not any(s.kind == "example" for s in body):
        what = f"{plan.example} example" if plan.example else "example"
        warnings.append(f"The sources hold no {what} for {plan.focus}, so the lesson has none.")
    missing = [p for p in plan.parts if p.lower() not in taught_text.lower()]
    if missing:
        warnings.append("The sources say nothing about " + ", ".join(missing) + ".")
    # "What are the phases of the Moon?" taught from a summary that never mentions a phase: say so. (Named
    # parts have their own warning above.)
    asked_for = COMPONENTS.search(plan.focus)
    if asked_for and not plan.parts and not set(stems(asked_for[1])) & set(stems(taught_text)):
        named = as_sources_say(title, taught[0].text) if taught else the(title)
        warnings.append(
            f"The sources never mention the {asked_for[0]}: this lesson teaches what they hold about {named}."
        )
    if supported < min(3, max(1, minutes)):
        warnings.append(f"The sources support only {supported} quiz question(s).")
    used_ids = list(dict.fromkeys(i for s in body for i in s.source_ids))
    by_id = {j.passage.doc_id: j.passage for j in judgement.kept}
    return LessonScript(
        title=framing.short_title(title),
        grade_level=grade or "6",
        language=language,
        objectives=_objectives(plan, blocks, title),
        scenes=scenes,
        quiz=quiz,
        sources=[
            Source(doc_id=i, title=by_id[i].title, url=by_id[i].source_url, license=by_id[i].license)
            for i in used_ids
        ],
        target_words=target,
        words_per_minute=wpm,
        reading_grade=reading,
        plan={
            **plan.to_dict(),
            "refused": [f"{r.passage.title}: {r.reason}" for r in judgement.refused[:12]],
        },
        warnings=warnings,
    )
