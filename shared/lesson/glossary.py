"""Common words for rare ones, from WordNet 3.0's database files on disk (Debian's wordnet-base; no download)
and word frequencies that ship in `wordfreq`.

A word is swapped only for a synonym in its most frequent sense (WordNet's first synset) that is a single,
much more common word: "utilize" → "use", "commence" → "begin". Without the WordNet files nothing is
swapped and the lessons keep the source's wording.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from wordfreq import zipf_frequency

WORDNET_DIR = Path("/usr/share/wordnet")
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
RARE_ZIPF = 3.4  # below this a word is unfamiliar to many young readers
COMMON_ZIPF = 4.2


class Glossary:
    def __init__(self, folder: Path = WORDNET_DIR) -> None:
        self.folder = folder
        self._index: dict[str, list[tuple[str, int]]] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return (self.folder / "index.noun").exists()

    def _load(self) -> dict[str, list[tuple[str, int]]]:
        with self._lock:
            if self._index is None:
                index: dict[str, list[tuple[str, int]]] = {}
                for pos, name in POS_FILES.items():
                    path = self.folder / f"index.{name}"
                    if not path.exists():
                        continue
                    for line in path.read_text(encoding="latin-1").splitlines():
                        if line.startswith(" "):
                            continue
                        fields = line.split()
                        synsets = int(fields[2])
                        index.setdefault(fields[0], []).append((pos, int(fields[-synsets])))
                self._index = index
            return self._index

    def _synonyms(self, pos: str, offset: int) -> list[str]:
        with (self.folder / f"data.{POS_FILES[pos]}").open("rb") as handle:
            handle.seek(offset)
            fields = handle.readline().decode("latin-1").split()
        count = int(fields[3], 16)
        return [fields[4 + 2 * i].split("(")[0].replace("_", " ") for i in range(count)]

    def droppable_adjective(self, word: str) -> bool:
        """Only an adjective in WordNet, and rare: a modifier a young reader can do without."""
        return _droppable(self, word)

    @lru_cache(maxsize=4096)  # noqa: B019 - one glossary per process
    def common_synonym(self, word: str) -> str | None:
        """A much more common single-word synonym for a rare word, or None."""
        if not self.available or zipf_frequency(word, "en") >= RARE_ZIPF:
            return None
        senses = self._load().get(word)
        if not senses:
            return None
        pos, offset = senses[0]
        if pos not in ("n", "a"):  # a verb swap breaks transitivity and inflection ("inhabit the island")
            return None
        best, best_zipf = None, max(COMMON_ZIPF, zipf_frequency(word, "en") + 1.0)
        for synonym in self._synonyms(pos, offset):
            if " " in synonym or "-" in synonym or synonym == word:
                continue
            score = zipf_frequency(synonym, "en")
            if score >= best_zipf:
                best, best_zipf = synonym, score
        return best


DROP_ZIPF = 3.0


ADJECTIVE_ENDINGS = ("ical", "ic", "ous", "ive", "ary", "otic", "ial")


def _droppable(glossary: Glossary, word: str) -> bool:
    if zipf_frequency(word, "en") >= DROP_ZIPF:
        return False
    senses = glossary._load().get(word) if glossary.available else None
    if senses:
        return all(pos == "a" for pos, _ in senses)
    # Not in WordNet at all ("biogeochemical"): an adjective by its ending.
    return word.endswith(ADJECTIVE_ENDINGS)


def rare_words(text: str, keep: set[str]) -> list[str]:
    """Words a young reader will likely not know (for the readability report)."""
    return [
        w
        for w in {w.lower().strip(".,;:") for w in text.split()}
        if w.isalpha() and w not in keep and len(w) > 5 and zipf_frequency(w, "en") < RARE_ZIPF
    ]
