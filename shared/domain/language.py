"""Which language a request may be taught in, and which language its question is written in (pure).

A deployment teaches the languages its engines can write (settings.teach_languages). The question's own
language is guessed offline from word frequencies (wordfreq's small lists, packaged data, no I/O beyond
reading them): each word votes for the request's language or against it when it is clearly more common
elsewhere. Capitalised words inside a sentence are names ("Ciudad Juárez", "Simón Bolívar") and do not
vote, so an English question about a Spanish place stays English.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from wordfreq import zipf_frequency

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
}
# Languages whose questions we can tell apart; Dutch is left out because its commonest words ("is",
# "in", "water") are English ones too, which would blunt every English vote.
DETECTABLE = ("en", "es", "fr", "de", "it", "pt")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
SENTENCE_START = re.compile(r"(?:^|[.!?¿¡:;\"“(]\s*)$")
# Zipf units (log10 of frequency per billion words, plus 3): a word votes against the request's language
# when another language uses it 1.5 units (~30×) more often, and for it when it leads by 1.0 (10×).
FOREIGN_MARGIN, NATIVE_MARGIN, COMMON_ZIPF = 1.5, 1.0, 3.0


def primary(tag: str) -> str:
    """'es-MX' -> 'es'."""
    return tag.split("-", 1)[0].lower()


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(primary(code), code)


def describe(languages: Sequence[str]) -> str:
    """'English (en), Spanish (es)': how errors name what a deployment supports."""
    return ", ".join(f"{language_name(code)} ({code})" for code in languages)


def written_in_other_language(text: str, expected: str) -> str | None:
    """The primary language `text` is clearly written in when that is not `expected`, else None.

    None also when the evidence is thin (one or two words, mostly names): only a question that reads
    as another language is refused.
    """
    expected = primary(expected)
    if expected not in DETECTABLE:
        return None
    others = [code for code in DETECTABLE if code != expected]
    foreign, native = 0, 0
    evidence = dict.fromkeys(others, 0.0)
    for match in WORD.finditer(text):
        word = match.group()
        if word[0].isupper() and not SENTENCE_START.search(text[: match.start()]):
            continue  # a name, not a word of the sentence's language
        lowered = word.lower().replace("’", "'")
        zipf = {code: zipf_frequency(lowered, code, wordlist="small") for code in DETECTABLE}
        rival = max(others, key=lambda code: zipf[code])
        if zipf[rival] >= COMMON_ZIPF and zipf[rival] - zipf[expected] >= FOREIGN_MARGIN:
            foreign += 1
            for code in others:
                evidence[code] += zipf[code]
        elif zipf[expected] - zipf[rival] >= NATIVE_MARGIN:
            native += 1
    if expected != "es" and ("¿" in text or "¡" in text):
        foreign += 1
        evidence["es"] += 7.0  # as strong as a Spanish function word
    if foreign >= 2 and foreign > 2 * native:
        return max(others, key=lambda code: evidence[code])
    return None


def language_errors(query: str, language: str, *, teach_languages: Sequence[str]) -> list[dict[str, str]]:
    """Field errors ({field, reason}) for a request this deployment cannot teach in its language."""
    supported = describe(teach_languages)
    if primary(language) not in teach_languages:
        return [
            {
                "field": "language",
                "reason": f"lessons in {language_name(language)} ({language}) cannot be made here; "
                f"supported: {supported}",
            }
        ]
    other = written_in_other_language(query, language)
    if other is None:
        return []
    hint = (
        f"send it with language '{other}'"
        if other in teach_languages
        else f"ask in {' or '.join(language_name(code) for code in teach_languages)}"
    )
    return [
        {
            "field": "student_query",
            "reason": f"the question looks like {language_name(other)}, not {language_name(language)} "
            f"({language}); supported: {supported}; {hint}",
        }
    ]
