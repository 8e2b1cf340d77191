"""How narration names a term: with the article its source uses, or none for a proper name or a mass noun.
Pure."""

from __future__ import annotations

import re


def the(title: str) -> str:
    """How narration names a title: proper names as they are, common nouns lower-cased with an article."""
    words = title.split()
    if title.isupper() or any(w[:1].isupper() for w in words[1:]):
        return title if len(words) == 1 else f"the {title}"
    return f"the {title.lower()}" if len(words) > 1 else title.lower()


def as_sources_say(title: str, first_line: str) -> str:
    """'a sonnet' where the definition says "A sonnet is …", 'the Moon' where it says "The Moon is …",
    'access management' where it says "Access management is …" with no article (a mass noun: "the access
    management" is wrong); otherwise as `the`."""
    article = re.match(rf"^(an?|the) ({re.escape(title)})\b", first_line, re.IGNORECASE)
    if article and article.group(1).lower() == "the":
        return f"the {article.group(2)}"  # as the source writes it: "the Moon", "the water cycle"
    if article:
        return f"{article.group(1).lower()} {title.lower()}"
    named = the(title)
    bare = re.match(rf"^{re.escape(title)} (?:is|are|was|refers|means)\b", first_line, re.IGNORECASE)
    return named.removeprefix("the ") if bare and named.startswith("the ") else named
