"""Sentence shaping for narration: split source text into whole sentences, shorten them for the grade, and
write numbers, units and symbols the way a narrator says them. Pure.

Shaping only removes or rewords: parentheticals, citations, coordinates, appositives and dates in brackets go;
long sentences are split at clause boundaries; a rare word is swapped for a common synonym from the word
list given. It never adds a claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable

ABBREVIATIONS = (
    "St",
    "Mt",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prof",
    "Gen",
    "Col",
    "Lt",
    "Sgt",
    "Capt",
    "Jr",
    "Sr",
    "Ft",
    "Inc",
    "Ltd",
    "Co",
    "Corp",
    "vs",
    "etc",
    "approx",
    "ca",
    "c",
    "e.g",
    "i.e",
    "U.S",
    "U.K",
    "U.N",
    "No",
    "Vol",
    "Fig",
    "al",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)
_ABBREV = re.compile(r"\b(?:" + "|".join(re.escape(a) for a in ABBREVIATIONS) + r")\.$|\b[A-Z]\.$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(]?[A-Z0-9])")
PARENTHETICAL = re.compile(r"\s*\([^()]*\)|\s*\[[^\[\]]*\]")
APPOSITIVE = re.compile(
    r",\s+(?:also known as|also called|known as|sometimes called|sometimes spelled|also spelled|or simply|formerly|officially|abbreviated|from the (?:Greek|Latin))"
    r"[^,;.]*"
    # the rest of a list of other names: ", main processor, or simply processor,"
    r"(?:,\s+(?:or\s+)?(?:simply\s+|just\s+)?[a-z][\w-]*(?:\s[a-z][\w-]*){0,2}(?=,\s(?:or\s|is\b|are\b)))*,?"
    r"|(?<=\w),\s+or\s+[a-z][\w-]*(?:\s[a-z][\w-]*)?,(?=\s(?:is|are|was|were)\b)"
)
LEADING_FRAME = re.compile(
    r"^(?:In (?:mathematics|physics|chemistry|biology|geology|astronomy|economics|geometry|"
    r"linguistics|computing|computer science|botany|zoology|ecology|meteorology|law|politics|"
    r"philosophy|music|grammar|anatomy|medicine)[^,]*), "
)
COORDINATES = re.compile(r"\s*\d+(?:\.\d+)?°\s*[NS][^A-Za-z]*\d+(?:\.\d+)?°\s*[EW]\S*")
ETYMOLOGY = re.compile(
    r"\b(?:from (?:the )?(?:Ancient )?(?:Greek|Latin|Old English|French|Arabic)|"
    r"derives? from|is derived from|etymolog|pronounced|the (?:word|term|name) \S+ (?:comes|is derived)|"
    r"^the (?:word|term|name)\b|\bthe (?:word|term) (?:most often|usually|also) refers)",
    re.IGNORECASE,
)
# A formula the summary's source held as markup, left as invisible characters between spaces: "For example,
# \u2060\u2060 is a rational number" says nothing without it.
EMPTIED_SLOT = re.compile(r"(?:^|[\s,(])[\u2060\u200b\u200c\u200d\ufeff]+(?=[\s,.;)]|$)")
CLAUSE_SPLIT = re.compile(r";\s+|,\s+(?=(?:but|while|whereas|so|and then|which means)\s)")
SUBORDINATE_START = re.compile(
    r"^(?:When|If|Because|Although|Though|While|As|Since|After|Before|Unless|Until|Once)\b"
)
TRAILING_FILLER = frozenset(
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
        "such",
        "so",
        "than",
        "like",
        "very",
        "due",
    ]
)
PRONOUN_START = re.compile(r"^(?:It|Its|They|Their|This|These|He|She|His|Her|Them|Those|That)\b")

ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
UNITS = {
    "km²": "square kilometres",
    "km2": "square kilometres",
    "m²": "square metres",
    "mi²": "square miles",
    "km/h": "kilometres per hour",
    "mph": "miles per hour",
    "km": "kilometres",
    "kg": "kilograms",
    "cm": "centimetres",
    "mm": "millimetres",
    "mi": "miles",
    "kph": "kilometres per hour",
    "°C": "degrees Celsius",
    "°F": "degrees Fahrenheit",
    "K": "kelvin",
    "%": "percent",
    "g": "grams",
    "m": "metres",
    "ft": "feet",
    "lb": "pounds",
}


def _protect_abbreviations(text: str) -> list[str]:
    pieces = _BOUNDARY.split(text)
    merged: list[str] = []
    for piece in pieces:
        if merged and _ABBREV.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def split_sentences(text: str) -> list[str]:
    """Whole sentences; never cut at an abbreviation ("Cape St. Vincent", "U.S. Congress", "J. S. Bach")."""
    cleaned = re.sub(r"\s+", " ", text).strip()
    return [s.strip() for s in _protect_abbreviations(cleaned) if s.strip()]


def for_speech(text: str) -> str:
    """Numbers, units, times and symbols as a narrator reads them ("magnitude 9.2", "a squared plus b squared")."""
    text = re.sub(r"\b(?:magnitude\s+)?M[wL]\s*(\d)", r"magnitude \1", text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(?:at|around|about)\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:local time|UTC|GMT|[ap]\.?m\.?))?",
        "",
        text,
    )
    text = re.sub(r"\s*\d{1,2}:\d{2}:\d{2}\b", "", text)
    text = re.sub(
        r"(\d)\s*(km²|km2|m²|mi²|km/h|mph|kph|km|kg|cm|mm|mi)(?!\w)", lambda m: f"{m[1]} {UNITS[m[2]]}", text
    )
    text = re.sub(r"(\w)\s*²", r"\1 squared", text)
    text = re.sub(r"(\w)\s*³", r"\1 cubed", text)
    text = re.sub(
        r"\b([a-z])\^?2\b(?=\s*[+=−-])|(?<=[+=]\s)([a-z])\^?2\b", lambda m: f"{m[1] or m[2]} squared", text
    )
    text = re.sub(r"(?<=\d)\s*[–—-]\s*(?=\d)", " to ", text)
    text = (
        text.replace(" = ", " equals ")
        .replace(" + ", " plus ")
        .replace(" × ", " times ")
        .replace(" ≈ ", " about ")
    )
    text = re.sub(r"\bc\.\s*(?=\d)", "about ", text)
    text = re.sub(r"\be\.g\.,?\s*", "for example, ", text)
    text = re.sub(r"\bi\.e\.,?\s*", "that is, ", text)
    text = re.sub(r"\betc\.", "and so on.", text)
    text = re.sub(r"(\d)\s*%", r"\1 percent", text)
    text = re.sub(r"(\d)\s*°\s*([CF])\b", lambda m: f"{m[1]} {UNITS['°' + m[2]]}", text)
    text = re.sub(r"(\d)(?:st|nd|rd|th) century\b", r"\1th century", text)
    text = re.sub(r"\b(\d)(?=\s+(?:of|out of)\s)", lambda m: ONES[int(m[1])], text)
    text = text.replace("&", "and").replace("–", ", ").replace("—", ", ")
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r",\s*,", ",", text)
    return re.sub(r"\s{2,}", " ", text).strip()


def tidy(sentence: str) -> str:
    """Drop what a narrator would skip: parentheticals, bracketed dates and citations, coordinates, appositives."""
    text = PARENTHETICAL.sub("", sentence)
    text = PARENTHETICAL.sub("", text)  # nested brackets
    text = COORDINATES.sub("", text)
    text = APPOSITIVE.sub("", text)
    text = LEADING_FRAME.sub("", text)
    text = re.sub(r"\s*/[^/]{1,40}/\s*", " ", text)  # pronunciations
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r",\s*([.;])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text


def is_teachable(sentence: str) -> bool:
    """A whole, self-contained statement: not etymology, not a fragment, not a list of names."""
    words = sentence.split()
    if len(words) < 5 or not sentence.endswith((".", "!", "?")):
        return False
    if ETYMOLOGY.search(sentence) or EMPTIED_SLOT.search(sentence):
        return False
    if sentence.count(",") > max(4, len(words) // 5):  # an enumeration of names or places
        return False
    return not re.search(r"\b(?:is|are|was|were) (?:one of the|a list|a disambiguation)\b", sentence)


AUXILIARIES = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "can",
        "could",
        "will",
        "would",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "became",
        "becomes",
        "become",
        "remains",
        "remain",
        "makes",
        "make",
        "means",
        "mean",
        "includes",
        "include",
    ]
)


IRREGULAR_PAST = frozenset(
    [
        "sank",
        "struck",
        "began",
        "became",
        "made",
        "took",
        "gave",
        "grew",
        "fell",
        "rose",
        "led",
        "won",
        "built",
        "wrote",
        "found",
        "came",
        "went",
        "saw",
        "got",
        "held",
        "kept",
        "brought",
        "fought",
        "ran",
        "spread",
        "split",
    ]
)


def surely_verb(word: str) -> bool:
    """An auxiliary, an irregular past or a form in -ed: a verb whatever surrounds it (lower case)."""
    return word in AUXILIARIES or word in IRREGULAR_PAST or (len(word) > 4 and word.endswith("ed"))


def has_verb(words: list[str]) -> bool:
    """A rough finite-verb test, so a cut never leaves a bare noun phrase ("The largest ocean liner.")."""
    plain = [w.strip(",;:").lower() for w in words]
    return any(surely_verb(w) for w in plain) or any(
        len(w) > 3
        and w.endswith("s")
        and not w.endswith(("ss", "us", "is"))
        and plain[i - 1] not in TRAILING_FILLER
        for i, w in enumerate(plain)
        if i > 0
    )


def shorten(sentence: str, max_words: int) -> str:
    """Cut a long sentence's trailing phrase (after a comma, or an "as …"/"which …" tail) when what stays is
    a whole statement of at least seven words: shorter source wording, no new claim."""
    words = sentence.split()
    if len(words) <= max_words:
        return sentence
    if SUBORDINATE_START.match(sentence):
        return sentence  # "When the molecules collide, …": the head alone would be a fragment
    for index in range(min(len(words), max_words) - 1, 6, -1):
        head = words[:index]
        follows = words[index].lower()
        # Only before a subordinate tail: a cut at a bare comma can leave half a list ("ice, fresh water.").
        if head[-1].endswith(",") and follows in ("as", "which", "while", "whereas", "although", "including"):
            while head and head[-1].rstrip(",;:").lower() in TRAILING_FILLER:
                head = head[:-1]
            if len(head) >= 7 and has_verb(head):
                return " ".join(head).rstrip(",;:") + "."
    return sentence


def split_long(sentence: str, max_words: int) -> list[str]:
    """Split at clause boundaries (semicolons, ", but", ", while") when the sentence is long for the grade;
    a piece still too long loses its trailing phrase (`shorten`)."""
    if len(sentence.split()) <= max_words:
        return [sentence]
    parts = [p.strip() for p in CLAUSE_SPLIT.split(sentence) if p.strip()]
    if len(parts) < 2 or any(len(p.split()) < 5 for p in parts):
        return [shorten(sentence, max_words)]
    out = []
    for index, part in enumerate(parts):
        part = part.rstrip(".;, ") + "."
        if index and part.split()[0].lower() in ("and", "then"):
            part = " ".join(part.split()[1:])
        out.append(shorten(part[0].upper() + part[1:], max_words))
    return out


NONRESTRICTIVE = re.compile(
    r",\s+(?:which|who|whose)\s[^,;.]{3,80},(?=\s)"  # ", which was built in 1912," mid-sentence
    r"|,\s+(?:such as|including|especially|like)\s[^;.]{3,90}?(?=[.;]$|\.$)"  # a trailing list of examples
    r"|,\s+(?:which|who)\s[^;]{3,120}?(?=\.$)"  # a trailing non-restrictive clause
)


def drop_asides(sentence: str, min_words: int = 5) -> str:
    """Remove non-restrictive clauses and trailing example lists when what stays is still a statement."""
    shorter = NONRESTRICTIVE.sub("", sentence)
    shorter = re.sub(r"\s+,", ",", shorter).strip()
    if shorter != sentence and len(shorter.split()) >= min_words and has_verb(shorter.split()):
        return shorter if shorter.endswith((".", "!", "?")) else shorter.rstrip(",;: ") + "."
    return sentence


# An adjective right after one of these and before a noun is attributive ("a biogeochemical cycle"): leaving
# it out keeps the sentence whole. After "is" or an adverb it is the predicate, and must stay.
MODIFIER_SLOTS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "these",
        "that",
        "those",
        "its",
        "their",
        "his",
        "her",
        "our",
        "your",
        "of",
        "in",
        "on",
        "for",
        "with",
        "and",
    ]
)


def simplify_words(
    sentence: str,
    swap: Callable[[str], str | None],
    keep: set[str],
    droppable: Callable[[str], bool] | None = None,
    term: Callable[[str], bool] | None = None,
) -> str:
    """Replace rare words by the common synonyms `swap` offers, and drop a rare adjective `droppable` names
    when a noun follows it ("a biogeochemical cycle" → "a cycle"); never a word in `keep` (the lesson's terms)
    nor one of a two-word name that `term` knows ("prime meridian" is not "prime top")."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        if word.lower() in keep or word[0].isupper():
            return match.group(0)
        before = sentence[: match.start()].split()[-1:] or [""]
        after = sentence[match.end() :].split()[:1] or [""]
        neighbours = (before[0].strip(",;:").lower(), after[0].strip(",.;:").lower())
        if term is not None and any(
            n.isalpha() and term(phrase)
            for n, phrase in zip(
                neighbours, (f"{neighbours[0]} {word}", f"{word} {neighbours[1]}"), strict=True
            )
        ):
            return match.group(0)
        common = swap(word.lower())
        if common:
            return common + (match.group(2) or "")
        attributive = (
            match.group(2)
            and before[0].lower() in MODIFIER_SLOTS
            and after[0].lower().strip(",.;:") not in TRAILING_FILLER | AUXILIARIES
        )
        if droppable is not None and attributive and droppable(word.lower()):
            return ""
        return match.group(0)

    out = re.sub(r"\b([a-z][a-z-]{5,})\b(\s+(?=[a-z]))?", replace, sentence)
    return re.sub(r"\b(a)\s+(?=[aeiou])", r"an ", re.sub(r"\b(an)\s+(?=[b-df-hj-np-tv-z])", "a ", out))


def starts_with_pronoun(sentence: str) -> bool:
    return PRONOUN_START.match(sentence) is not None


def resolve_pronoun(sentence: str, subject: str) -> str | None:
    """'It is …' → 'The heart is …' at a scene start; None when the pronoun cannot be resolved safely."""
    subject = subject[0].upper() + subject[1:]
    for pronoun, replacement in (
        ("It ", f"{subject} "),
        ("Its ", f"{subject}'s "),
        ("This ", None),
        ("These ", None),
    ):
        if sentence.startswith(pronoun):
            if replacement is None:
                return None
            return replacement + sentence[len(pronoun) :]
    return None if starts_with_pronoun(sentence) else sentence
