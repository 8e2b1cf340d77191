"""Lesson quality benchmark: score offline lessons the way a reviewer would.

Each question in benchmarks/quality_questions.json (or the held-back set) goes through the real
pipeline in-process on the embedded default (temporary SQLite database and folders, the packaged
knowledge base, the grounded composer, espeak-ng, ffmpeg), and each finished lesson is scored:

- outcome: completed, or clarification_needed / rejected / failed / crashed with the reason
- on-topic: share of taught sentences whose scene cites only on-topic documents (unsourced = off)
- key terms: share of the question's key terms found in the taught narration (case-insensitive, stemmed)
- FK − grade: Flesch–Kincaid grade of the taught narration minus the requested grade
- video: probed length against the requested minutes; within ±20 % or a length warning in the script
- clipped: slide text ending in "…", in a dangling word (a/an/the/of/and/to/with…), or cut mid-word
- quiz: items whose answer (or all its content words) appears in the taught narration; quiz scenes in the video

    python benchmarks/lesson_quality.py [--set public|heldback|all] [--only ID[,ID]] [--out DIR]
                                        [--keep-lessons] [--voice auto|espeak|piper]

It always exits 0: it is a measurement, not a test. Targets are printed as PASS/FAIL.
Do not tune the composer on the held-back set (`--set heldback`): it is there to check generalisation.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a plain script from anywhere
    sys.path.insert(0, str(ROOT))

import Stemmer  # noqa: E402  (PyStemmer: a dependency of the knowledge base already)
from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.table import Table  # noqa: E402

from shared.lesson.captions import sentences  # noqa: E402
from shared.lesson.readability import flesch_kincaid_grade  # noqa: E402
from shared.lesson.script import LessonScript  # noqa: E402

HERE = Path(__file__).resolve().parent
SETS = {
    "public": [HERE / "quality_questions.json"],
    "heldback": [HERE / "quality_questions_heldback.json"],
    "all": [HERE / "quality_questions.json", HERE / "quality_questions_heldback.json"],
}

# Targets (issue 8 §8).
TARGET_COMPLETED = 0.9
TARGET_ON_TOPIC = 0.98
TARGET_KEY_TERMS = 0.85
TARGET_FK_MEDIAN = 3.0
TARGET_FK_MAX = 6.0
LENGTH_TOLERANCE = 0.20

# Words a phrase cannot end on: each asks for what follows ("…appear blue because", "…sea level resulting").
DANGLING = {
    *[
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "with",
        "from",
        "by",
        "its",
        "their",
        "nor",
        "because",
        "since",
        "whereby",
        "although",
        "though",
        "unless",
        "until",
    ],
    *[
        "if",
        "when",
        "where",
        "whose",
        "which",
        "that",
        "resulting",
        "including",
        "known",
        "called",
        "named",
        "exerted",
        "associated",
    ],
}
# A warning about the length itself ("runs about 62 seconds of the 120 asked"), not any warning with
# "short" in it ("…above grade 4, even shortened").
LENGTH_WARNING = re.compile(
    r"\bruns about \d+ seconds\b|\bseconds of the \d+ asked\b|\bthan the \d+ minutes? asked\b|\blength\b",
    re.I,
)
_STOPWORD_TEXT = (
    "a an the of and or to with in on at by for from as is are was were be been being it its this that "
    "these those which who whom what when where why how than then so such not no do does did can could "
    "will would may might must shall should has have had into onto over under about also only very "
    "their there they them he she his her we our you your i"
)
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
TOKEN = re.compile(r"[a-z0-9]+")
_stemmer = Stemmer.Stemmer("english")


# --- text helpers ------------------------------------------------------------------------------
def stems(text: str) -> list[str]:
    return _stemmer.stemWords(TOKEN.findall(text.lower()))


def contains_term(haystack_stems: list[str], term: str) -> bool:
    """The term's stemmed words, in order and adjacent, somewhere in the text ("tides" matches "tide")."""
    needle = stems(term)
    if not needle:
        return False
    n = len(needle)
    return any(haystack_stems[i : i + n] == needle for i in range(len(haystack_stems) - n + 1))


def answerable(answer: str, narration: str) -> bool:
    """The answer text, or every content word of it (stemmed), occurs in the narration."""
    if not narration.strip():
        return False
    if answer.strip().lower() in narration.lower():
        return True
    words = TOKEN.findall(answer.lower())
    content = [s for w, s in zip(words, _stemmer.stemWords(words), strict=True) if w not in STOPWORDS]
    have = set(stems(narration))
    return bool(content) and all(s in have for s in content)


def clipped_reason(fragment: str, vocabulary: set[str]) -> str | None:
    text = fragment.strip()
    if "…" in text or "..." in text:
        return "ellipsis"
    if text.endswith(("-", "–", "—", ",", ":", ";", "(", "°")):
        return "ends in punctuation that continues"
    words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'’°]*", text)
    if not words:
        return None
    last = words[-1].lower()
    if last in DANGLING and len(words) > 1:
        return f"dangling '{words[-1]}'"
    # Cut mid-word: the last word is not a word of the lesson or its sources, but starts a longer one.
    plural = {last + "s", last + "es", last[:-1] + "ies"}  # a title in the singular is not a cut
    if text[-1].isalpha() and last not in vocabulary and len(last) >= 2 and not plural & vocabulary:
        longer = next((w for w in vocabulary if len(w) > len(last) and w.startswith(last)), None)
        if longer is not None:
            return f"cut mid-word ('{words[-1]}' / '{longer}')"
    return None


# --- per-lesson result -------------------------------------------------------------------------
@dataclass
class LessonResult:
    id: str
    question: str
    grade: int
    minutes: int
    outcome: str
    reason: str = ""
    seconds: float = 0.0
    taught_sentences: int = 0
    on_topic_sentences: int = 0
    unsourced_sentences: int = 0
    off_topic_titles: dict[str, int] = field(default_factory=dict)
    trap_titles: list[str] = field(default_factory=list)
    key_terms_found: list[str] = field(default_factory=list)
    key_terms_missing: list[str] = field(default_factory=list)
    fk_grade: float | None = None
    script_reading_grade: float | None = None
    video_s: float | None = None
    video_ratio: float | None = None
    video_within: bool | None = None
    length_warned: bool | None = None
    clipped: list[dict[str, str]] = field(default_factory=list)
    quiz_items: int = 0
    quiz_answerable: int = 0
    quiz_unanswerable: list[str] = field(default_factory=list)
    quiz_from_on_topic: int = 0  # answerable from the on-topic scenes alone (info)
    quiz_in_video: bool | None = None
    narration_words: int = 0
    target_words: int = 0
    warnings: list[str] = field(default_factory=list)
    kb_gap: str | None = None
    lesson_dir: str | None = None

    @property
    def completed(self) -> bool:
        return self.outcome == "completed"

    @property
    def on_topic(self) -> float | None:
        return self.on_topic_sentences / self.taught_sentences if self.taught_sentences else None

    @property
    def key_terms(self) -> float | None:
        total = len(self.key_terms_found) + len(self.key_terms_missing)
        return len(self.key_terms_found) / total if total else None

    @property
    def fk_minus_grade(self) -> float | None:
        return None if self.fk_grade is None else round(self.fk_grade - self.grade, 1)

    @property
    def video_ok(self) -> bool | None:
        if self.video_within is None:
            return None
        return bool(self.video_within or self.length_warned)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            completed=self.completed,
            on_topic_share=self.on_topic,
            key_term_coverage=self.key_terms,
            fk_minus_grade=self.fk_minus_grade,
            video_ok=self.video_ok,
        )
        return data


def score(
    result: LessonResult,
    script: LessonScript,
    video: Path | None,
    entry: dict[str, Any],
    documents: dict[str, str],
) -> None:
    """Fill in the figures of a completed lesson."""
    on_topic = set(entry["on_topic_titles"])
    traps = set(entry.get("off_topic_traps", []))
    title_of = {s.doc_id: s.title for s in script.sources}
    taught = script.taught_scenes
    off: Counter[str] = Counter()
    on_topic_text: list[str] = []
    for scene in taught:
        titles = [title_of.get(i, i.removeprefix("wiki:")) for i in scene.source_ids]
        count = len(sentences(scene.narration))
        result.taught_sentences += count
        if not titles:
            result.unsourced_sentences += count
            off["(no source)"] += count
        elif all(t in on_topic for t in titles):
            result.on_topic_sentences += count
            on_topic_text.append(scene.narration)
        else:
            for t in titles:
                if t not in on_topic:
                    off[t] += count
    result.off_topic_titles = dict(off.most_common())
    cited = {s.title for s in script.sources} | {
        title_of.get(i, i.removeprefix("wiki:")) for sc in script.scenes for i in sc.source_ids
    }
    result.trap_titles = sorted(cited & traps)

    taught_text = " ".join(scene.narration for scene in taught)
    taught_stems = stems(taught_text)
    for term in entry["key_terms"]:
        (result.key_terms_found if contains_term(taught_stems, term) else result.key_terms_missing).append(
            term
        )

    result.fk_grade = flesch_kincaid_grade(taught_text) if taught_text.strip() else None
    result.script_reading_grade = script.reading_grade
    # What the status API shows: the script's warnings and the upload stage's, from the measured video.
    result.warnings = list(dict.fromkeys([*script.warnings, *result.warnings]))
    result.narration_words = script.narration_words
    result.target_words = script.target_words

    if video is not None and video.exists():
        from shared.media.video import probe

        info = probe(video)
        result.video_s = round(info.duration_s, 1)
        result.video_ratio = round(info.duration_s / (60 * result.minutes), 2)
        result.video_within = abs(result.video_ratio - 1) <= LENGTH_TOLERANCE
    else:
        result.video_within = False
    result.length_warned = any(LENGTH_WARNING.search(w) for w in result.warnings)

    # Slide text: bullets, diagram labels and column headings of every scene.
    vocabulary = set(TOKEN.findall(entry["question"].lower()))
    for scene in script.scenes:
        vocabulary |= set(TOKEN.findall(scene.narration.lower()))
        for doc_id in scene.source_ids:
            vocabulary |= set(TOKEN.findall(documents.get(doc_id, "").lower()))
    for scene in script.scenes:
        fragments = [*scene.bullets, *scene.visual.labels, *scene.visual.columns]
        for fragment in fragments:
            why = clipped_reason(fragment, vocabulary)
            if why:
                result.clipped.append({"scene": scene.heading, "text": fragment, "why": why})

    on_topic_joined = " ".join(on_topic_text)
    for item in script.quiz:
        result.quiz_items += 1
        if answerable(item.answer, taught_text):
            result.quiz_answerable += 1
        else:
            result.quiz_unanswerable.append(f"{item.question} → {item.answer}")
        if answerable(item.answer, on_topic_joined):
            result.quiz_from_on_topic += 1
    kinds = {scene.kind for scene in script.scenes}
    result.quiz_in_video = "quiz_question" in kinds and "quiz_answer" in kinds


# --- running the pipeline ----------------------------------------------------------------------
class Bench:
    def __init__(self, root: Path, content_dir: Path, voice: str = "auto") -> None:
        from shared import bootstrap
        from shared.config import Settings
        from shared.db.migrate import upgrade
        from worker.stages import lesson_stages

        self.root = root
        settings = Settings(
            database_url=f"sqlite:///{root}/db.sqlite3",
            work_dir=root / "work",
            content_dir=content_dir,
            content_bucket=None,
            work_bucket=None,
            knowledge_path=root / "knowledge.jsonl",  # no local additions: the packaged KB only
            knowledge_bucket=None,
            script_writer="grounded",
            narrator="espeak",
        )
        self.resources = bootstrap.build(settings, offline=True)
        upgrade(self.resources.engine)
        from shared.media.tts import default_narrator
        from worker.stages.services import LessonServices

        narrator = default_narrator(voice) if voice != "auto" else None  # type: ignore[arg-type]
        self.stages = lesson_stages(
            self.resources, LessonServices(settings, self.resources.publisher, narrator=narrator)
        )

    def run(self, entry: dict[str, Any]) -> tuple[LessonResult, LessonScript | None, Path | None]:
        from shared.db import repository as repo
        from shared.db.models import ContentRequest
        from shared.domain.schemas import ContentRequestCreate
        from shared.lifecycle import Lifecycle
        from worker.pipeline import PipelineRunner

        result = LessonResult(
            id=entry["id"],
            question=entry["question"],
            grade=int(entry["grade"]),
            minutes=int(entry["minutes"]),
            outcome="crashed",
            kb_gap=entry.get("kb_gap"),
        )
        started = time.perf_counter()
        try:
            body = ContentRequestCreate.model_validate(
                {
                    "student_query": entry["question"],
                    "grade_level": str(entry["grade"]),
                    "duration_minutes": int(entry["minutes"]),
                    "options": {"resolution": "720p"},
                }
            )
            request, _ = Lifecycle(self.resources.sessions, self.resources.publisher).submit(
                body, correlation_id=uuid.uuid4().hex
            )
            runner = PipelineRunner.for_resources(
                self.stages, self.resources, worker_id="quality-bench", claim_ttl_s=3600
            )
            try:
                run = runner.run(request.id)
                status = run.status.value
            except Exception as exc:
                status = "crashed"
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                result.reason = f"{type(exc).__name__}: {exc} (at {Path(frame.filename).name}:{frame.lineno})"
            with self.resources.sessions() as session:
                final: ContentRequest = repo.get_request(session, request.id, full=True)
                artifacts = {
                    a.kind: Path(url2pathname(urlparse(a.uri).path))
                    for a in final.artifacts
                    if not a.kind.startswith(repo.CHECKPOINT_PREFIX)
                }
                error = f"{final.error_code or ''}: {final.error_message or final.stage_message or ''}"
                questions = list(final.clarification_questions or [])
                result.warnings = list(final.warnings or [])
        except Exception as exc:  # submit or scoring set-up broke: report it, go on with the next
            result.seconds = round(time.perf_counter() - started, 1)
            result.reason = result.reason or f"{type(exc).__name__}: {exc}"
            return result, None, None
        result.seconds = round(time.perf_counter() - started, 1)
        result.outcome = status
        if status == "clarification_needed":
            result.reason = "; ".join(questions) or error
        elif status in ("rejected", "failed"):
            result.reason = error.strip(": ")
        if status != "completed":
            return result, None, None
        script_path = artifacts.get("script")
        if script_path is None or not script_path.exists():
            result.outcome, result.reason = "failed", "completed without a script artifact"
            return result, None, None
        script = LessonScript.model_validate_json(script_path.read_text(encoding="utf-8"))
        video = artifacts.get("video")
        result.lesson_dir = str(script_path.parent)
        return result, script, video

    def close(self) -> None:
        self.resources.close()


# --- summary -----------------------------------------------------------------------------------
def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _num(x: float | None, signed: bool = False) -> str:
    return "–" if x is None else (f"{x:+.1f}" if signed else f"{x:.1f}")


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "mean": None, "min": None, "max": None}
    return {
        "median": round(statistics.median(values), 3),
        "mean": round(statistics.fmean(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def summarise(results: list[LessonResult]) -> dict[str, Any]:
    done = [r for r in results if r.completed]
    n, total = len(done), len(results)
    sentences_total = sum(r.taught_sentences for r in done)
    on_topic_pooled = sum(r.on_topic_sentences for r in done) / sentences_total if sentences_total else None
    key_terms = [r.key_terms for r in done if r.key_terms is not None]
    fk = [r.fk_minus_grade for r in done if r.fk_minus_grade is not None]
    ratios = [r.video_ratio for r in done if r.video_ratio is not None]
    quiz_total = sum(r.quiz_items for r in done)
    quiz_ok = sum(r.quiz_answerable for r in done)
    quiz_on_topic = sum(r.quiz_from_on_topic for r in done)
    clipped = sum(len(r.clipped) for r in done)
    figures: dict[str, Any] = {
        "completed": n,
        "lessons": total,
        "outcomes": dict(Counter(r.outcome for r in results)),
        "on_topic_pooled": on_topic_pooled,
        "on_topic_per_lesson": _stats([r.on_topic for r in done if r.on_topic is not None]),
        "key_term_coverage": _stats(key_terms),
        "fk_minus_grade": _stats(fk),
        "video_ratio": _stats(ratios),
        "videos_ok": sum(1 for r in done if r.video_ok),
        "quiz_answerable_share": quiz_ok / quiz_total if quiz_total else None,
        "quiz_from_on_topic_share": quiz_on_topic / quiz_total if quiz_total else None,
        "quiz_in_video": sum(1 for r in done if r.quiz_in_video),
        "clipped_fragments": clipped,
    }
    has = bool(done)
    targets = [
        ("completed ≥ 90 %", f"{n}/{total}", total > 0 and n / total >= TARGET_COMPLETED),
        (
            "on-topic taught sentences ≥ 98 % (pooled)",
            _pct(on_topic_pooled),
            on_topic_pooled is not None and on_topic_pooled >= TARGET_ON_TOPIC,
        ),
        (
            "key-term coverage ≥ 85 % (mean)",
            _pct(figures["key_term_coverage"]["mean"]),
            bool(key_terms) and statistics.fmean(key_terms) >= TARGET_KEY_TERMS,
        ),
        (
            "median FK − grade ≤ +3",
            _num(figures["fk_minus_grade"]["median"], signed=True),
            bool(fk) and statistics.median(fk) <= TARGET_FK_MEDIAN,
        ),
        (
            "no lesson FK − grade > +6",
            _num(figures["fk_minus_grade"]["max"], signed=True),
            bool(fk) and max(fk) <= TARGET_FK_MAX,
        ),
        (
            "every video within ±20 % or warned",
            f"{figures['videos_ok']}/{n}",
            has and figures["videos_ok"] == n,
        ),
        ("quiz in every video", f"{figures['quiz_in_video']}/{n}", has and figures["quiz_in_video"] == n),
        ("no clipped slide fragment", str(clipped) if has else "–", has and clipped == 0),
    ]
    figures["targets"] = [{"target": t, "value": v, "pass": bool(p)} for t, v, p in targets]
    return figures


def print_report(console: Console, results: list[LessonResult], summary: dict[str, Any]) -> None:
    table = Table(title="Lesson quality", show_lines=False, pad_edge=False)
    for column, justify in [
        ("id", "left"),
        ("outcome", "left"),
        ("on-topic", "right"),
        ("key terms", "right"),
        ("FK−gr", "right"),
        ("video", "right"),
        ("len", "center"),
        ("clip", "right"),
        ("quiz ans", "right"),
        ("quiz▶", "center"),
        ("warn", "right"),
        ("s", "right"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in results:
        if not r.completed:
            table.add_row(r.id, f"[red]{r.outcome}[/red]", *["–"] * 9, f"{r.seconds:.0f}")
            continue
        found = len(r.key_terms_found)
        table.add_row(
            r.id,
            "completed",
            _pct(r.on_topic),
            f"{found}/{found + len(r.key_terms_missing)}",
            _num(r.fk_minus_grade, signed=True),
            "–" if r.video_s is None else f"{r.video_s:.0f}s ×{r.video_ratio:.2f}",
            "ok" if r.video_within else ("warned" if r.length_warned else "[red]no[/red]"),
            str(len(r.clipped)),
            f"{r.quiz_answerable}/{r.quiz_items}",
            "yes" if r.quiz_in_video else "[red]no[/red]",
            str(len(r.warnings)),
            f"{r.seconds:.0f}",
        )
    console.print(table)

    console.print("[bold]Details[/bold] (only what needs a look)")
    for r in results:
        lines: list[str] = []
        if not r.completed:
            lines.append(f"{r.outcome}: {r.reason}")
        else:
            if r.off_topic_titles:
                lines.append(
                    "off-topic sentences from: "
                    + ", ".join(f"{t} ({c})" for t, c in r.off_topic_titles.items())
                )
            if r.trap_titles:
                lines.append("cites a known trap: " + ", ".join(r.trap_titles))
            if r.key_terms_missing:
                lines.append("missing key terms: " + ", ".join(r.key_terms_missing))
            if r.fk_minus_grade is not None and r.fk_minus_grade > TARGET_FK_MEDIAN:
                lines.append(f"reading level FK {r.fk_grade} for grade {r.grade}")
            if r.video_ok is False:
                lines.append(f"video {r.video_s}s for {r.minutes} min asked, no length warning")
            lines += [f"clipped [{c['why']}]: {c['text']!r}" for c in r.clipped]
            lines += [f"quiz not answerable from narration: {q}" for q in r.quiz_unanswerable]
            if r.quiz_from_on_topic < r.quiz_answerable:
                lines.append(
                    f"quiz: only {r.quiz_from_on_topic}/{r.quiz_items} answerable from on-topic scenes alone"
                )
            if not r.quiz_in_video:
                lines.append("quiz is not in the video (no quiz_question/quiz_answer scenes)")
            lines += [f"warning: {w}" for w in r.warnings]
        if r.kb_gap:
            lines.append(f"(KB gap, a warning is expected: {r.kb_gap})")
        if lines:
            console.print(f"[cyan]{escape(r.id)}[/cyan]", highlight=False)
            for line in lines:
                console.print(f"   {line}", markup=False, highlight=False, soft_wrap=True)

    s = summary
    console.print(
        f"[bold]Overall[/bold]: completed {s['completed']}/{s['lessons']} {s['outcomes']}; "
        f"on-topic pooled {_pct(s['on_topic_pooled'])} (per-lesson median {_pct(s['on_topic_per_lesson']['median'])}, "
        f"mean {_pct(s['on_topic_per_lesson']['mean'])}); key terms median {_pct(s['key_term_coverage']['median'])}, "
        f"mean {_pct(s['key_term_coverage']['mean'])}; FK−grade median {_num(s['fk_minus_grade']['median'], True)}, "
        f"mean {_num(s['fk_minus_grade']['mean'], True)}, max {_num(s['fk_minus_grade']['max'], True)}; "
        f"video ratio median {_num(s['video_ratio']['median'])}, mean {_num(s['video_ratio']['mean'])}; "
        f"quiz answerable from the narration {_pct(s['quiz_answerable_share'])}, "
        f"from on-topic scenes alone {_pct(s['quiz_from_on_topic_share'])} (info, no target)",
        highlight=False,
        soft_wrap=True,
    )
    targets = Table(title="Targets", pad_edge=False)
    targets.add_column("target")
    targets.add_column("value", justify="right")
    targets.add_column("result", justify="center")
    for t in s["targets"]:
        targets.add_row(t["target"], t["value"], "[green]PASS[/green]" if t["pass"] else "[red]FAIL[/red]")
    console.print(targets)


# --- entry point -------------------------------------------------------------------------------
def load_questions(which: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    for path in SETS[which]:
        data = json.loads(path.read_text(encoding="utf-8"))
        for entry in data["questions"]:
            entries.append({**entry, "set": "heldback" if "heldback" in path.name else "public"})
    return entries


def git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="which", choices=sorted(SETS), default="public")
    parser.add_argument(
        "--only", action="append", default=[], help="question id(s), repeatable or comma-separated"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "output" / "quality", help="folder for report.json"
    )
    parser.add_argument(
        "--keep-lessons",
        action="store_true",
        help="keep each lesson's files under OUT/lessons (for tools/lesson-sheet)",
    )
    parser.add_argument(
        "--voice",
        choices=["auto", "espeak", "piper"],
        default="auto",
        help="offline narrator: auto (the project default: piper when installed) or a fixed one",
    )
    args = parser.parse_args()

    from shared.lesson.knowledge import packaged_documents
    from shared.logs import configure_logging

    configure_logging("ERROR")
    console = Console(width=None if sys.stdout.isatty() else 160)
    entries = load_questions(args.which)
    wanted = {i.strip() for chunk in args.only for i in chunk.split(",") if i.strip()}
    if wanted:
        unknown = wanted - {e["id"] for e in entries}
        if unknown:
            console.print(f"[red]unknown id(s) in set '{args.which}': {', '.join(sorted(unknown))}[/red]")
        entries = [e for e in entries if e["id"] in wanted]
    if not entries:
        console.print("nothing to run")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="vividly-quality-"))
    content_dir = args.out if args.keep_lessons else root / "out"  # lessons land in OUT/lessons/<id>/
    documents = {d.doc_id: d.text for d in packaged_documents()}
    results: list[LessonResult] = []
    started = time.perf_counter()
    bench: Bench | None = None
    try:
        bench = Bench(root, content_dir, args.voice)
        for index, entry in enumerate(entries, 1):
            console.print(
                f"[{index}/{len(entries)}] {entry['id']}: {entry['question']}", markup=False, highlight=False
            )
            result, script, video = bench.run(entry)
            if script is not None:
                try:
                    score(result, script, video, entry, documents)
                except Exception as exc:
                    result.outcome, result.reason = "crashed", f"scoring failed: {type(exc).__name__}: {exc}"
            console.print(
                f"    → {result.outcome}{': ' + result.reason if result.reason else ''} ({result.seconds:.1f} s)",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            if not args.keep_lessons:
                result.lesson_dir = None  # the temporary folder goes away below
            results.append(result)
    except Exception as exc:  # the pipeline could not even be built: say so, still exit 0
        console.print(f"[red]benchmark set-up failed: {type(exc).__name__}: {exc}[/red]")
        traceback.print_exc()
    finally:
        if bench is not None:
            bench.close()
        shutil.rmtree(root, ignore_errors=True)

    summary = summarise(results)
    print_report(console, results, summary)
    report = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "set": args.which,
        "voice": args.voice,
        "only": sorted(wanted),
        "wall_s": round(time.perf_counter() - started, 1),
        "summary": summary,
        "lessons": [r.to_dict() for r in results],
    }
    path = args.out / "report.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    console.print(f"report: {path}", highlight=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
