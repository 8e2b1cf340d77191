"""What a learner's question asks: its intent, its focus and the sub-parts they named, in their order.

Pure rules over the text. The plan drives retrieval (what a passage must be about), the scene order, the
objectives and the quiz.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Literal

from shared.lesson.policy import FILLER, content_words

Intent = Literal["define", "how", "why", "compare", "steps", "example"]

# Request framing that says nothing about the topic: "Create a 3-minute video explaining", "for 8th grade".
FRAMING = (
    r"^(please\s+)?(can|could|would) you\s+",
    r"^(please\s+)?(create|make|produce|give me|show me|write|generate)\s+(me\s+)?(a|an)?\s*"
    r"(\d+[- ]minutes?[- ])?(short\s+|quick\s+|simple\s+)?(video|lesson|explanation|overview)\s+"
    r"(on|about|explaining|that explains|describing|of|for)?\s*",
    r"^(please\s+)?(teach me|tell me|help me understand|i want to (learn|know))\s+(about\s+)?",
    r"\s+for (a |an |the )?(\w+[- ])?(grade|graders|school|middle school|high school|elementary)\b.*$",
    r"\s+for (\d+(st|nd|rd|th) )?grade( \d+)?( students| class)?\b.*$",
    r"\s+for (kids|children|students|beginners)\b.*$",
    r"\s+in (simple|plain|easy) (words|terms|language)\b.*$",
    r"\.?\s*include (simple )?(diagrams|pictures|visuals)( and examples)?\.?$",
)
EXAMPLE = re.compile(
    r",?\s*(?:using|with|through|including)\s+(?:an?\s+|some\s+)?(?:(?P<what>[\w' -]+?)\s+)?examples?\b"
    r"(?:\s+(?:of|like|such as)\s+(?P<of>[\w' -]+))?",
    re.IGNORECASE,
)
PARTS_AFTER = re.compile(
    r"(?:,\s*|\s+)(?:including|such as|especially|namely)\s+(?P<parts>.+)$|:\s*(?P<colon>.+)$"
)
LIST_SPLIT = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+")
LEADING = re.compile(r"^(?:the|a|an|its|their|his|her|our)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionPlan:
    question: str
    intent: Intent
    focus: str
    parts: list[str] = field(default_factory=list)
    example: str | None = None
    wants_example: bool = False
    # Every content word of the question, framing left out: "how do plants take in water through their roots"
    # keeps roots and water even though the focus is plants.
    context: list[str] = field(default_factory=list)

    @property
    def topics(self) -> list[str]:
        """The focus, then each named sub-part: what retrieved passages must be about."""
        return [self.focus, *[p for p in self.parts if p.lower() != self.focus.lower()]]

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _tidy(phrase: str) -> str:
    phrase = re.sub(r"[?.!]+$", "", phrase.strip()).strip(" ,;:")
    phrase = LEADING.sub("", phrase)
    return re.sub(r"\s+", " ", phrase)


def _list_items(text: str) -> list[str]:
    items = [_tidy(i) for i in LIST_SPLIT.split(text) if _tidy(i)]
    return [i for i in items if any(w not in FILLER for w in i.lower().split())]


def _strip_framing(question: str) -> str:
    text = question.strip()
    for pattern in FRAMING:
        text = re.sub(pattern, "", text, flags=re.IGNORECASE).strip()
    return text


# (intent, pattern on the lower-cased question without framing, group holding the focus)
INTENT_RULES: tuple[tuple[Intent, str], ...] = (
    (
        "compare",
        r"^(?:what is |what's |explain |describe )?(?:the )?(?:main )?differences? between (?P<a>.+?) and (?P<b>.+)$",
    ),
    ("compare", r"^(?:compare|contrast)\s+(?P<a>.+?)\s+(?:and|with|to)\s+(?P<b>.+)$"),
    ("compare", r"^(?P<a>.+?)\s+(?:vs\.?|versus)\s+(?P<b>.+)$"),
    ("compare", r"^how (?:is|are|do|does) (?P<a>.+?) differ from (?P<b>.+)$"),
    (
        "steps",
        r"^(?:what are |explain |describe |list )?(?P<focus>(?:the )?(?:steps|stages|phases|parts|layers|types|kinds) (?:of|in|to) .+)$",
    ),
    ("steps", r"^how (?:does |do )?(?:a |an |the )?(?P<focus>\w+(?: \w+)?) becomes? (?P<rest>.+)$"),
    ("why", r"^why (?:do|does|did|is|are|was|were|can|can't|don't|doesn't) (?P<focus>.+)$"),
    ("why", r"^what (?:causes|caused|makes|made) (?P<focus>.+)$"),
    ("why", r"^(?:explain |describe )?(?:the |what )?(?:causes?|reasons?) (?:of|for) (?P<focus>.+)$"),
    ("how", r"^how (?:do|does|did|can|is|are|was|were) (?P<focus>.+)$"),
    ("how", r"^what (?:does|do|did) (?P<focus>.+?) do$"),  # what it does is how it works
    ("how", r"^(?:explain|describe|show) how (?P<focus>.+)$"),
    ("define", r"^(?:what|who) (?:is|are|was|were) (?P<focus>.+)$"),
    (
        "define",
        r"^(?:define|explain what|describe what)\s+(?P<focus>.+?)(?:\s+(?:is|are|was|were|means?))?(?:\s+and .*)?$",
    ),
    ("define", r"^(?:explain|describe|introduce|teach|discuss)\s+(?P<focus>.+)$"),
)
# Verbs after the focus in how/why questions: "how do volcanoes form" → focus "volcanoes".
TRAILING_VERB = re.compile(
    r"\s+(?:form|forms|formed|work|works|happen|happens|occur|occurs|erupt|erupts|sink|sank|grow|grows|move|"
    r"moves|change|changes|begin|began|start|started|end|ended|fall|fell|rise|rose|make|makes|get|gets|take|"
    r"takes|turn|turns|pump|pumps|use|uses|produce|produces|cause|causes|affect|affects|drink|drinks|"
    r"breathe|breathes|fly|flies|float|floats|become|becomes|come|comes|have|has|look|looks|appear|appears|"
    r"exist|exists|survive|survives|help|helps|need|needs|live|lives|do|does|mean|means|matter|matters)\b.*$"
)
QUALIFIERS = re.compile(
    r"^(?:the )?(?:main |basic |key )?(?:causes?|effects?|parts?|history|basics|idea|concept|process|role|importance) of "
)


def _focus_of(phrase: str) -> tuple[str, list[str]]:
    """A focus phrase and any sub-parts listed inside it ("plate tectonics and how earthquakes happen")."""
    phrase = _tidy(phrase)
    parts: list[str] = []
    match = PARTS_AFTER.search(phrase)
    if match:
        parts = _list_items(match["parts"] or match["colon"])
        phrase = _tidy(phrase[: match.start()])
    # "X and how/why Y": a second sub-question becomes a named part.
    second = re.search(r"\s+and\s+(?:how|why|what|when|where)\s+(?P<rest>.+)$", phrase, re.IGNORECASE)
    if second:
        rest = _tidy(TRAILING_VERB.sub("", second["rest"]))
        if content_words(rest):  # "and why does it matter" names no part
            parts.append(rest)
        phrase = _tidy(phrase[: second.start()])
    when = re.search(r"\s+and\s+(?:when|where) to .+$", phrase)
    if when:
        phrase = phrase[: when.start()]
    phrase = re.sub(r"\s+(?:works?|is|are|means?)$", "", phrase)
    # "the CPU inside a computer": where the thing sits is context, not the thing.
    phrase = re.sub(r"\s+(?:inside|within)\s+(?:a|an|the|our|your|its)\s+\w+(?:\s+\w+)?$", "", phrase)
    phrase = QUALIFIERS.sub("", _tidy(phrase))
    # "axial tilt and the angle of sunlight" after the main clause were parts; the focus keeps one topic.
    if not parts:
        items = _list_items(phrase)
        if len(items) > 1 and len(phrase.split()) > 3:
            phrase, parts = items[0], items[1:]
    return _tidy(phrase), parts


PRONOUN_ONLY = re.compile(r"^(?:it|they|them|this|these|those|that|he|she)(?:\s+\w+)?$", re.IGNORECASE)
ASKED_AGAIN = re.compile(
    r"^(?:(?:what|which|who|how|why|when|where)\s+)?(?:is|are|was|were|does|do|did)\s+(?:(?:its|their|the|a|an)\s+)?",
    re.IGNORECASE,
)


def plan_question(question: str) -> QuestionPlan:
    """Parse the learner's question. Never raises: an unparsed question is a 'define' of its content."""
    text = _strip_framing(" ".join(question.split()))
    wants_example = False
    example: str | None = None
    match = EXAMPLE.search(text)
    if match:
        wants_example = True
        what = (match["of"] or match["what"] or "").strip()
        if what and what.lower() not in (
            "everyday",
            "real",
            "real-world",
            "simple",
            "some",
            "good",
            "clear",
            "daily",
        ):
            example = _tidy(re.sub(r"^(?:everyday|real-world|real|simple|some)\s+", "", what))
        text = (text[: match.start()] + text[match.end() :]).strip()
    text = re.sub(r"\s*\.\s*$", "", text)
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s]
    main = sentences[0] if sentences else text
    lowered = main.lower().rstrip("?.! ")
    extra_parts: list[str] = []
    for follow in sentences[1:]:
        follow_plan = _strip_framing(follow.rstrip("?.! "))
        follow_plan = re.sub(
            r"^(?:explain|describe|include|cover|show)\s+", "", follow_plan, flags=re.IGNORECASE
        )
        extra_parts += _list_items(follow_plan) if len(follow_plan.split()) <= 12 else []
    intent: Intent = "define"
    focus, parts = _focus_of(lowered)
    for rule_intent, pattern in INTENT_RULES:
        found = re.match(pattern, lowered)
        if not found:
            continue
        intent = rule_intent
        groups = found.groupdict()
        if rule_intent == "compare":
            a, b = _tidy(groups["a"]), _tidy(groups["b"])
            focus, parts = f"{a} and {b}", [a, b]
        elif "rest" in groups:
            focus, parts = _tidy(groups["focus"]), []
        else:
            subject = groups["focus"]
            if rule_intent in ("how", "why"):
                subject = TRAILING_VERB.sub("", subject)
            focus, parts = _focus_of(subject)
        break
    # "…, and what are the seven continents?" names a part as a question of its own: keep what it names.
    parts = [ASKED_AGAIN.sub("", p).strip() for p in [*parts, *extra_parts]]
    # "…and why do they happen?" asks again about the focus: "they" is no part of it.
    parts = list(
        dict.fromkeys(p for p in parts if p and p.lower() != focus.lower() and not PRONOUN_ONLY.match(p))
    )
    if wants_example and intent == "define":
        intent = "example" if not parts else intent
    return QuestionPlan(
        question=question,
        intent=intent,
        focus=focus or _tidy(lowered),
        parts=parts[:5],
        example=example,
        wants_example=wants_example,
        context=list(dict.fromkeys(content_words(text))),
    )
