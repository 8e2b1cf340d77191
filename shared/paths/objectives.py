"""A missed question as a learning objective a teacher would write. Pure rules over the question's text.

"What gas do plants take in for photosynthesis?" → "Identify what gas plants take in for photosynthesis";
"What does IAM stand for?" → "Explain what IAM stands for"; "What is the difference between weather and
climate?" → "Explain the difference between weather and climate". A question no rule fits is kept whole,
as "Answer: …", rather than mangled.
"""

from __future__ import annotations

import re

from lemminflect import getInflection

# "do" keeps the verb as it is, "does" makes it third person, "did" past tense.
AUX_TAG = {"do": None, "does": "VBZ", "did": "VBD"}
IMPERATIVES = ("name", "list", "describe", "explain", "give", "state", "identify", "compare", "define")


def _inflect(verb: str, tag: str | None) -> str:
    if tag is None:
        return verb
    forms = getInflection(verb, tag=tag)
    return forms[0] if forms else verb


def _do_support(rest: str, aux: str) -> str | None:
    """'plants take in X' after 'do'; 'IAM stand for' after 'does' → 'IAM stands for'."""
    words = rest.split()
    # The subject runs up to the first word that can be a verb: a capitalised name or a plain noun
    # phrase of at most four words, whichever comes first.
    for cut in range(1, min(5, len(words))):
        subject, verb = words[:cut], words[cut]
        if verb.islower() and (forms := getInflection(verb, tag="VB")) and forms[0] == verb:
            return " ".join([*subject, _inflect(verb, AUX_TAG[aux]), *words[cut + 1 :]])
    return None


def objective(question: str) -> str:
    text = re.sub(r"\s+", " ", question).strip().rstrip("?.! ")
    lowered = text[:1].lower() + text[1:]
    if lowered.split(" ", 1)[0] in IMPERATIVES:  # already an instruction
        return text
    if match := re.match(r"what (?:is|are) (?:it|this|that) called when (.+)", lowered, re.I):
        return f"Name the word for when {match[1]}"
    if match := re.match(
        r"what (?:is|are) the (difference|differences|relationship) between (.+)", lowered, re.I
    ):
        return f"Explain the {match[1]} between {match[2]}"
    if match := re.match(r"what (do|does|did) (?:we|you|people|scientists) call (.+)", lowered, re.I):
        return f"Name what we call {match[2]}"
    if match := re.match(r"(what|which|how|why|where|when) (\w+ )?(do|does|did) (.+)", lowered, re.I):
        wh, noun, aux, rest = match[1].lower(), (match[2] or ""), match[3].lower(), match[4]
        if (clause := _do_support(rest, aux)) is not None:
            verb = "Explain" if wh in ("how", "why", "what") and not noun else "Identify"
            return f"{verb} {wh} {noun}{clause}"
    if match := re.match(
        r"(what|how|why) (is|are|was|were) (.+?) (used|made|called|known|found|formed) (.*)", lowered, re.I
    ):
        return f"Explain {match[1].lower()} {match[3]} {match[2]} {match[4]} {match[5]}".rstrip()
    if match := re.match(r"(what|who) (is|are|was|were) (.+)", lowered, re.I):
        return f"Explain {match[1].lower()} {match[3]} {match[2]}"
    if match := re.match(r"(which|what) (\w+) (\w+s) (.+)", lowered, re.I):
        return f"Identify {match[1].lower()} {match[2]} {match[3]} {match[4]}"
    if match := re.match(r"(which|what) (.+)", lowered, re.I):
        return f"Identify {match[1].lower()} {match[2]}"
    if match := re.match(r"(how|why) (.+)", lowered, re.I):
        return f"Explain {match[1].lower()} {match[2]}"
    return f"Answer: {text}?"
