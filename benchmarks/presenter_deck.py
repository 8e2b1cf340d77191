"""Presenter benchmark: a 20-slide deck with speaker notes through `run_deck` with the offline presenter.

Prints the wall time (LibreOffice drawing the pages included), each clip's real-time factor, peak RSS,
a rerun with nothing changed, and, in the same run, the same slides and narration encoded without a
presenter (the slide held as one still, shared.media.video.encode) at the same concurrency: the ratio
is what the presenter costs.

    python benchmarks/presenter_deck.py [--slides 20] [--max-concurrent 2]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pptx import Presentation
from pptx.util import Inches

from shared.decks.pptx_source import read_deck, render_pages
from shared.media.video import Still, encode
from shared.presenter.clip import Presenter, write_narration
from shared.presenter.deck_run import DeckJob, run_deck
from shared.presenter.portrait import write_default_pack
from shared.presenter.renderers import OfflineRenderer
from shared.presenter.speech import speak

NOTES = (
    "In this part we look at {topic}. Scientists study it by watching carefully and measuring what they "
    "see. They write down each result, compare it with what others found, and test their ideas again. "
    "Keep this in mind as we move on to the next slide."
)
TOPICS = ["light", "sound", "heat", "magnets", "plants", "animals", "weather", "rocks", "water", "air"]


def make_deck(path: Path, slides: int) -> None:
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    for number in range(1, slides + 1):
        topic = TOPICS[(number - 1) % len(TOPICS)]
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"{number}. All about {topic}"
        body = slide.placeholders[1].text_frame
        body.text = f"What {topic} is"
        body.add_paragraph().text = "How we measure it"
        body.add_paragraph().text = "Why it matters"
        slide.notes_slide.notes_text_frame.text = NOTES.format(topic=topic)
    deck.save(str(path))


def without_presenter(deck: Path, pages: list[Path], folder: Path, threads: int) -> float:
    """The same narration over the same pages, each slide one still: the baseline's wall time."""
    folder.mkdir(parents=True)
    slides = read_deck(deck)

    def one(index: int) -> None:
        narration = folder / f"n-{index}.wav"
        duration = write_narration(speak(slides[index].narration), narration, 0.6)
        encode(
            [Still(pages[index], duration)], narration, folder / f"s-{index}.mp4", audio_s=duration, fps=25
        )

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(len(slides))))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slides", type=int, default=20)
    parser.add_argument("--max-concurrent", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="vividly-presenter-bench-"))
    deck = root / "bench.pptx"
    make_deck(deck, args.slides)
    presenter = Presenter(write_default_pack(root / "pack"))
    job = DeckJob(deck, root / "out", OfflineRenderer(presenter), max_concurrent=args.max_concurrent)

    started = time.perf_counter()
    manifest = run_deck(job)
    wall = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if manifest.counts()["done"] != args.slides:
        print(f"not every slide was made: {manifest.counts()}")
        return 1
    video_s = sum(entry.duration_s or 0 for entry in manifest.slides)

    started = time.perf_counter()
    rerun = run_deck(
        DeckJob(deck, root / "out", OfflineRenderer(presenter), max_concurrent=args.max_concurrent)
    )
    rerun_s = time.perf_counter() - started

    started = time.perf_counter()
    pages = render_pages(deck, root / "pages-again")  # what drawing the pages took inside the batch
    pages_s = time.perf_counter() - started
    clip_s = [entry.duration_s or 0 for entry in manifest.slides]
    bare_s = without_presenter(deck, pages, root / "bare", args.max_concurrent)

    print(
        f"# presenter benchmark: {args.slides}-slide deck, offline presenter, --max-concurrent {args.max_concurrent}"
    )
    print(
        f"deck video                  {video_s:6.1f} s in {args.slides} clips (median {statistics.median(clip_s):.1f} s)"
    )
    print(
        f"whole batch                 {wall:6.1f} s   (target <= 120 s on 2 cores; pages drawn by LibreOffice included)"
    )
    print(f"  of which drawing pages    {pages_s:6.1f} s   (LibreOffice + pdftoppm, once for the deck)")
    print(f"real-time factor            {video_s / wall:6.1f}x   (video seconds made per wall second)")
    print(f"rerun, nothing changed      {rerun_s:6.1f} s   ({rerun.counts()['skipped']} skipped)")
    print(
        f"same slides, no presenter   {bare_s:6.1f} s   (one still per slide, same narration, same concurrency)"
    )
    print(
        f"presenter vs no presenter   {(wall - pages_s) / bare_s:6.2f}x the time   (clips only, pages left out)"
    )
    print(f"peak RSS                    {rss:6.0f} MB this process, {children:.0f} MB largest child")
    return 0


if __name__ == "__main__":
    sys.exit(main())
