"""Common words for rare ones, from WordNet 3.0's database files on disk (Debian's wordnet-base; no download)
and word frequencies that ship in `wordfreq`.

A word is swapped only for a synonym in its most frequent sense (WordNet's first synset) that is a single,
much more common word: "utilize" → "use", "commence" → "begin". Without the WordNet files nothing is
swapped and the lessons keep the source's wording.
"""

from __future__ import annotations

import mmap
import threading
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency as _zipf_frequency

WORDNET_DIR = Path("/usr/share/wordnet")


def zipf(word: str) -> float:
    """English word frequency on the Zipf scale (0 for a word under 3, i.e. rarer than once per million).

    wordfreq's small list holds every word down to Zipf 3.0 with the same values as its large one, and
    every threshold here is at 3.0 or above; the large list would cost a worker about 30 MB more.
    """
    return _zipf_frequency(word, "en", wordlist="small")


POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# WordNet's lexicographer files for nouns, numbers 03-28 (lexnames), by their short names.
NOUN_FILES = [
    "Tops",
    "act",
    "animal",
    "artifact",
    "attribute",
    "body",
    "cognition",
    "communication",
    "event",
    "feeling",
    "food",
    "group",
    "location",
    "motive",
    "object",
    "person",
    "phenomenon",
    "plant",
    "possession",
    "process",
    "quantity",
    "relation",
    "shape",
    "state",
    "substance",
    "time",
]
RARE_ZIPF = 3.4  # below this a word is unfamiliar to many young readers
COMMON_ZIPF = 4.2


class Glossary:
    def __init__(self, folder: Path = WORDNET_DIR) -> None:
        self.folder = folder
        self._maps: dict[str, mmap.mmap | bytes] = {}
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return (self.folder / "index.noun").exists()

    def senses(self, word: str) -> list[tuple[str, int]]:
        """(part of speech, offset of its most frequent synset) for each part of speech the word has.

        WordNet's index files are sorted, so each is searched in place (memory-mapped) rather than
        loaded: the whole index as a dict costs about 40 MB of a worker's memory for a few hundred lookups.
        """
        key = word.replace(" ", "_").encode("latin-1", "replace")
        found = []
        for pos in POS_FILES:
            line = _bisect_line(self._index(pos), key)
            if line is not None:
                fields = line.decode("latin-1").split()
                synsets = int(fields[2])
                found.append((pos, int(fields[-synsets])))
        return found

    def _index(self, pos: str) -> mmap.mmap | bytes:
        with self._lock:
            if pos not in self._maps:
                path = self.folder / f"index.{POS_FILES[pos]}"
                if path.exists() and path.stat().st_size:
                    with path.open("rb") as handle:
                        self._maps[pos] = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                else:
                    self._maps[pos] = b""
            return self._maps[pos]

    def _synonyms(self, pos: str, offset: int) -> list[str]:
        with (self.folder / f"data.{POS_FILES[pos]}").open("rb") as handle:
            handle.seek(offset)
            fields = handle.readline().decode("latin-1").split()
        count = int(fields[3], 16)
        return [fields[4 + 2 * i].split("(")[0].replace("_", " ") for i in range(count)]

    @lru_cache(maxsize=4096)  # noqa: B019 - one glossary per process
    def noun_kind(self, word: str) -> str | None:
        """WordNet's top category of a noun's most frequent sense: "person", "act", "state", "body"…"""
        if not self.available:
            return None
        nouns = [offset for pos, offset in self.senses(word.lower()) if pos == "n"]
        if not nouns:
            return None
        with (self.folder / "data.noun").open("rb") as handle:
            handle.seek(nouns[0])
            number = int(handle.readline().split()[1])
        return NOUN_FILES[number - 3] if 3 <= number < 3 + len(NOUN_FILES) else None

    def is_term(self, phrase: str) -> bool:
        """A phrase of several words that WordNet lists as one entry ("prime meridian", "water vapor")."""
        return " " in phrase and self.available and bool(self.senses(phrase.lower()))

    def droppable_adjective(self, word: str) -> bool:
        """Only an adjective in WordNet, and rare: a modifier a young reader can do without."""
        return _droppable(self, word)

    @lru_cache(maxsize=4096)  # noqa: B019 - one glossary per process
    def common_synonym(self, word: str) -> str | None:
        """A much more common single-word synonym for a rare word, or None."""
        if not self.available or zipf(word) >= RARE_ZIPF:
            return None
        senses = self.senses(word)
        if not senses:
            return None
        pos, offset = senses[0]
        if pos not in ("n", "a"):  # a verb swap breaks transitivity and inflection ("inhabit the island")
            return None
        best, best_zipf = None, max(COMMON_ZIPF, zipf(word) + 1.0)
        for synonym in self._synonyms(pos, offset):
            if " " in synonym or "-" in synonym or synonym == word:
                continue
            score = zipf(synonym)
            if score >= best_zipf:
                best, best_zipf = synonym, score
        return best


DROP_ZIPF = 3.0


ADJECTIVE_ENDINGS = ("ical", "ic", "ous", "ive", "ary", "otic", "ial")


def _droppable(glossary: Glossary, word: str) -> bool:
    if zipf(word) >= DROP_ZIPF:
        return False
    senses = glossary.senses(word) if glossary.available else None
    if senses:
        return all(pos == "a" for pos, _ in senses)
    # Not in WordNet at all ("biogeochemical"): an adjective by its ending.
    return word.endswith(ADJECTIVE_ENDINGS)


def rare_words(text: str, keep: set[str]) -> list[str]:
    """Words a young reader will likely not know (for the readability report)."""
    return [
        w
        for w in {w.lower().strip(".,;:") for w in text.split()}
        if w.isalpha() and w not in keep and len(w) > 5 and zipf(w) < RARE_ZIPF
    ]


def _bisect_line(data: mmap.mmap | bytes, key: bytes) -> bytes | None:
    """The line of a sorted WordNet index whose first field is `key`, or None (license lines, which
    start with a space, sort first and are skipped)."""
    lo, hi = 0, len(data)
    while lo < hi:
        start = data.rfind(b"\n", 0, (lo + hi) // 2) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end]
        lemma = line.split(b" ", 1)[0]
        if line.startswith(b" ") or lemma < key:
            lo = end + 1
        elif lemma > key:
            hi = start
        else:
            return line
    return None
