"""Slides that teach: every layout fits, reads (WCAG AA) and uses the frame; bullets are dropped whole,
never cut; reveals follow the narration; the quiz countdown is in the encoded video."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shared.lesson.captions import sentences
from shared.lesson.script import LessonScript, QuizItem, Scene, Source, VisualSpec
from shared.lesson.slides import slide_for
from shared.media import audio, video
from shared.media.slides import (
    BACKGROUND,
    TEXT,
    Slide,
    SlideState,
    contrast_ratio,
    draw,
    render_bullets,
    render_equation,
    resolved_layout,
    reveal_mode,
    with_caption,
)
from worker.stages.render import MAX_HOLD_S, lesson_stills, scene_states

SIZES = [(1280, 720), (1920, 1080)]
FRAME_S = 1 / 24
SENTENCE_S = 2.5  # synthetic speech: every sentence takes this long
GAP_S = 0.5

QUESTION = "What do we call water vapour turning back into liquid droplets?"
OPTIONS = ["Evaporation", "Condensation", "Precipitation", "Collection"]


def _scene(kind: str, layout: str, heading: str, narration: str, bullets: list[str], **kw) -> Scene:
    visual = {k: kw.pop(k) for k in ("term", "labels", "columns", "sides", "equation") if k in kw}
    return Scene(
        kind=kind,
        heading=heading,
        narration=narration,
        bullets=bullets,
        visual=VisualSpec(layout=layout, **visual),
        **kw,
    )  # type: ignore[arg-type]


def sample_lesson() -> LessonScript:
    """One scene per layout, as the composer would write them."""
    s = " ".join
    scenes = [
        _scene(
            "intro",
            "title",
            "The water cycle",
            "Welcome! Today we follow a drop of water. Try the quiz at the end.",
            [],
        ),
        _scene(
            "part",
            "bullets",
            "Where the water goes",
            s(
                [
                    "The sun warms the sea.",
                    "Warm water becomes vapour.",
                    "Plants breathe out vapour too.",
                    "The vapour rises into the sky.",
                ]
            ),
            [
                "The sun warms oceans, lakes and rivers",
                "Warm water turns into invisible vapour",
                "Plants give off vapour through their leaves",
            ],
            reveal=[0, 1, 3],
        ),
        _scene(
            "definition",
            "definition",
            "What is evaporation?",
            s(
                [
                    "Evaporation is liquid turning into gas.",
                    "It is faster when water is warm.",
                    "Wind speeds it up.",
                ]
            ),
            [
                "Liquid water turning into a gas called water vapour",
                "It happens faster when the water is warm",
                "Wind speeds it up too",
            ],
            reveal=[0, 1, 2],
            term="Evaporation",
        ),
        _scene(
            "mechanism",
            "steps",
            "How a cloud forms",
            s(
                [
                    "Warm air rises.",
                    "It cools as it climbs.",
                    "Vapour condenses on dust.",
                    "Droplets gather into a cloud.",
                ]
            ),
            [
                "Warm, moist air rises from the ground",
                "The air cools as it climbs higher",
                "Vapour condenses on tiny specks of dust",
                "Billions of droplets gather into a cloud",
            ],
            reveal=[0, 1, 2, 3],
        ),
        _scene(
            "mechanism",
            "cycle",
            "The water cycle",
            s(
                [
                    "First, water evaporates.",
                    "Then it condenses into clouds.",
                    "Then it falls as rain.",
                    "Finally it collects in the sea.",
                ]
            ),
            [
                "The sun heats water and it rises as vapour",
                "Vapour cools into the droplets of clouds",
                "Droplets join and fall as rain or snow",
                "Water gathers in rivers, lakes and oceans",
            ],
            reveal=[0, 1, 2, 3],
            labels=["Evaporation", "Condensation", "Precipitation", "Collection"],
        ),
        _scene(
            "comparison",
            "comparison",
            "Weather or climate?",
            s(
                [
                    "Weather is today's sky.",
                    "It changes in an hour.",
                    "Climate is the usual pattern.",
                    "It changes over decades.",
                ]
            ),
            [
                "What the sky is doing today",
                "Can change within an hour",
                "The usual pattern over 30 years",
                "Changes slowly over decades",
            ],
            reveal=[0, 1, 2, 3],
            columns=["Weather", "Climate"],
            sides=[0, 0, 1, 1],
        ),
        _scene(
            "part",
            "timeline",
            "How we learned about rain",
            s(
                [
                    "Aristotle wrote about it.",
                    "Perrault measured rain.",
                    "Dalton explained vapour.",
                    "Satellites now watch clouds.",
                ]
            ),
            [
                "Aristotle writes that the sun lifts water",
                "Perrault measures rain and river flow",
                "Dalton explains how vapour behaves",
                "Satellites photograph clouds from space",
            ],
            reveal=[0, 1, 2, 3],
            labels=["340 BC", "1674", "1802", "1960"],
        ),
        _scene(
            "example",
            "equation",
            "How much rain fell?",
            s(
                [
                    "Volume is area times depth.",
                    "Take a ten square metre roof.",
                    "That is two hundred litres.",
                ]
            ),
            [
                "Rain volume = area × depth",
                "A 10 m² roof with 2 cm of rain",
                "10 × 0.02 = 0.2 m³ ≈ 200 litres",
            ],
            reveal=[0, 1, 2],
            equation=r"V = A \times d = 10\,\mathrm{m^2} \times 0.02\,\mathrm{m} = 0.2\,\mathrm{m^3}",
        ),
        _scene(
            "quiz_question",
            "quiz_question",
            QUESTION,
            s([QUESTION, "Think, then choose."]),
            OPTIONS,
            pause_after_s=3.0,
        ),
        _scene(
            "quiz_answer",
            "quiz_answer",
            QUESTION,
            "The answer is condensation.",
            OPTIONS,
            term="Condensation",
        ),
        _scene(
            "outro",
            "closing",
            "Review",
            "That is the end. Check the sources to read more.",
            ["Where the water goes", "What is evaporation?", "How a cloud forms"],
        ),
    ]
    quiz = [
        QuizItem(
            question=QUESTION,
            options=OPTIONS,
            answer="Condensation",
            explanation="Cooling vapour becomes tiny droplets of liquid water, which is how clouds form.",
        ),
        QuizItem(
            question="What heats the water?",
            options=["The sun", "The moon", "The wind"],
            answer="The sun",
            explanation="Sunlight warms the water.",
        ),
        QuizItem(
            question="Where does rain collect?",
            options=["Oceans", "Clouds", "Air"],
            answer="Oceans",
            explanation="Rain runs into rivers and seas.",
        ),
    ]
    return LessonScript(
        title="The water cycle: evaporation, condensation and precipitation",
        grade_level="5",
        objectives=[
            "Describe how water moves between land, sea and sky",
            "Explain evaporation and condensation",
        ],
        scenes=scenes,
        quiz=quiz,
        sources=[
            Source(
                doc_id="w",
                title="Water cycle",
                url="https://en.wikipedia.org/wiki/Water_cycle",
                license="CC BY-SA 4.0",
            )
        ],
        target_words=200,
        words_per_minute=130,
    )


def synthetic_timings(script: LessonScript, *, with_starts: bool = True) -> list[dict]:
    timings, cursor = [], 0.0
    for scene in script.scenes:
        count = len(sentences(scene.narration))
        speech = SENTENCE_S * count
        end = cursor + speech + GAP_S + scene.pause_after_s
        timings.append(
            {
                "start_s": cursor,
                "speech_end_s": cursor + speech,
                "end_s": end,
                "sentence_starts_s": [SENTENCE_S * i for i in range(count)] if with_starts else [],
            }
        )
        cursor = end
    return timings


def _states(slide: Slide) -> list[SlideState]:
    """The final state, and one per bullet the way the narration reveals it."""
    layout = resolved_layout(slide)
    states = [SlideState()]
    if reveal_mode(layout) == "appear":
        states += [SlideState(shown=i + 1, current=i) for i in range(len(slide.bullets))]
    elif reveal_mode(layout) == "highlight":
        states += [SlideState(current=i) for i in range(len(slide.bullets))]
    if layout == "quiz_question":
        states += [SlideState(countdown=k, countdown_total=3) for k in (3, 2, 1)]
    return states


def _ink_rows(image: Image.Image, safe: tuple[int, int, int, int]) -> tuple[int, int]:
    """First and last row of the safe area holding anything but background."""
    pixels = np.asarray(image.crop(safe), dtype=np.int16)
    differs = np.abs(pixels - np.array(BACKGROUND, dtype=np.int16)).max(axis=2) > 8
    rows = np.flatnonzero(differs.any(axis=1))
    return int(rows[0]), int(rows[-1])


@pytest.mark.parametrize("size", SIZES, ids=["720p", "1080p"])
def test_every_layout_fits_reads_and_uses_the_frame(size):
    script = sample_lesson()
    seen = set()
    scale = size[1] / 720
    for index, scene in enumerate(script.scenes):
        slide = slide_for(script, index)
        layout_name = resolved_layout(slide)
        assert layout_name == scene.visual.layout  # the sample gives every layout what it needs
        seen.add(layout_name)
        for state in _states(slide):
            image, layout = draw(slide, state, size)
            where = f"{layout_name} {state}"
            assert not layout.overflows(), where
            assert not layout.truncated and not layout.dropped, where
            for (fg, bg), box in zip((s[1:] for s in layout.text_styles), layout.text_boxes, strict=True):
                assert contrast_ratio(fg, bg) >= 4.5, (where, fg, bg)
                # The colour recorded behind the text is the colour really there.
                region = np.asarray(image.crop(box), dtype=np.int32).reshape(-1, 3)
                codes, counts = np.unique(
                    region[:, 0] << 16 | region[:, 1] << 8 | region[:, 2], return_counts=True
                )
                mode = int(codes[counts.argmax()])
                assert (mode >> 16, mode >> 8 & 255, mode & 255) in (bg, fg), where
            floor = 16 if layout_name == "closing" else 22  # source lines may be small; all else is not
            assert min(s[0] for s in layout.text_styles) >= round(floor * scale), where
            # Every bullet that shows is whole: same characters, nothing cut, no ellipsis added.
            for i, text in layout.bullet_text.items():
                assert "".join(text.split()) == "".join(slide.bullets[i].split()), where
            if state == SlideState():
                expected = set(range(len(slide.bullets))) if layout_name != "cycle" else set()
                assert expected <= set(layout.bullet_text), where
                top, bottom = layout.safe_area[1], layout.safe_area[3]
                first, last = _ink_rows(image, layout.safe_area)
                assert (last - first) >= 0.6 * (bottom - top), f"{where}: content spans {first}..{last}"
                assert last >= 0.7 * (bottom - top), f"{where}: the bottom of the frame is empty"
            if layout_name == "cycle" and state.current is not None:
                assert layout.bullet_text.get(state.current) == slide.bullets[state.current]
                # Arrows keep clear of every label.
                for path in layout.paths:
                    for x, y in path:
                        assert not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in layout.text_boxes), (
                            where
                        )
    assert seen == set(VisualSpec.model_fields["layout"].annotation.__args__)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "bullets",
    [
        ("Longitude is a geographic coordinate",),
        ("Longitude is a geographic coordinate", "The prime meridian defines 0° longitude"),
    ],
    ids=["one", "two"],
)
def test_a_slide_with_few_bullets_still_uses_the_lower_half(bullets: tuple[str, ...]):
    slide = Slide(layout="bullets", heading="Longitude", bullets=bullets, position=(2, 8))
    image, layout = draw(slide, SlideState(), (1280, 720))
    assert not layout.overflows() and not layout.dropped
    top, bottom = layout.safe_area[1], layout.safe_area[3]
    _first, last = _ink_rows(image, layout.safe_area)
    assert last >= 0.7 * (bottom - top), f"the cards end at {last} of {bottom - top}"


@pytest.mark.parametrize("size", SIZES, ids=["720p", "1080p"])
def test_a_lesson_made_for_a_presenter_leaves_the_presenter_its_corner(size):
    from shared.presenter.clip import Placement
    from shared.presenter.portrait import SIZE as PORTRAIT

    x, y, w, h = Placement().box(size, PORTRAIT)  # where the offline presenter is composited by default
    script = sample_lesson()
    for index in range(len(script.scenes)):
        slide = slide_for(script, index)
        for state in _states(slide):
            image, layout = draw(slide, state, size, presenter_room=True)
            where = f"{resolved_layout(slide)} {state}"
            assert not layout.overflows(), where
            for box in [*layout.text_boxes, *layout.graphic_boxes]:
                assert box[2] <= x or box[3] <= y, f"{where}: {box} under the presenter at {(x, y, w, h)}"
            # Nothing is drawn there either (the progress bar along the top is above the presenter).
            corner = np.asarray(image.crop((x, y, x + w, min(y + h, size[1]))), dtype=np.int16)
            assert (np.abs(corner - np.array(BACKGROUND, dtype=np.int16)).max(axis=2) <= 8).all(), where


def test_captions_never_cover_the_slide_and_read_well():
    script = sample_lesson()
    for index in range(len(script.scenes)):
        plain = draw(slide_for(script, index), None, (1280, 720))[1]
        image, layout = draw(slide_for(script, index), None, (1280, 720), captions=True)
        captioned = np.asarray(with_caption(image, ("A caption line that is quite long", "and a second one")))
        band_top = int(np.flatnonzero((captioned[:, 5] < 12).all(axis=1))[0])
        assert not layout.overflows() and layout.safe_area[3] < band_top
        assert layout.safe_area[3] < plain.safe_area[3]
    assert contrast_ratio(TEXT, (0, 0, 0)) >= 4.5


def test_a_bullet_too_long_is_dropped_whole_never_cut(tmp_path: Path):
    long = "a very long point " * 14
    bullets = ("Short first point", "Another short point", long.strip(), "A fourth point that comes after it")
    for size in SIZES:
        for layout in ("bullets", "steps"):
            _image, drawn = draw(Slide(layout, "Heading", bullets * 2), None, size)
            assert drawn.truncated and not drawn.overflows()
            assert drawn.dropped == list(range(len(drawn.bullet_text), 8))  # whole trailing bullets
            for i, text in drawn.bullet_text.items():
                assert text == bullets[i % 4]
    # The first API: a single word wider than the slide is broken across lines, every letter kept.
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    layout = render_bullets(tmp_path / "long-word.png", "A heading", [word], (1280, 720))
    assert not layout.overflows() and "".join(layout.bullet_text[0].split()) == word


def test_the_equation_is_typeset_with_mathtext():
    image = render_equation(r"\frac{a}{b} = c^2 + \sqrt{x}", 60, TEXT)
    assert image is not None and image.mode == "RGBA"
    alpha = np.asarray(image)[..., 3]
    assert image.height > 50 and image.width > 150 and (alpha > 128).mean() > 0.05
    assert render_equation(r"\frac{a", 60, TEXT) is None  # not mathtext
    _image, layout = draw(Slide("equation", "Bad input", ("one",), equation=r"\frac{a"), None, (1280, 720))
    assert not layout.overflows() and any("as text" in note for note in layout.notes)


def _timeline(stills: list[video.Still]) -> list[tuple[float, float, video.Still]]:
    out, t = [], 0.0
    for still in stills:
        out.append((t, t + still.duration_s, still))
        t += still.duration_s
    return out


@pytest.mark.parametrize("with_starts", [True, False], ids=["engine-times", "proportional"])
def test_bullets_appear_as_their_sentence_starts(tmp_path: Path, with_starts: bool):
    script = sample_lesson()
    timings = synthetic_timings(script, with_starts=with_starts)
    stills, store = lesson_stills(script, timings, tmp_path, (1280, 720))
    assert sum(s.duration_s for s in stills) == pytest.approx(timings[-1]["end_s"], abs=0.01)
    assert max(s.duration_s for s in stills) <= MAX_HOLD_S + 1e-3
    assert store.drawn == len({s.image for s in stills})  # no frame drawn twice
    timeline = _timeline(stills)
    for index, (scene, timing) in enumerate(zip(script.scenes, timings, strict=True)):
        inside = [(a, b, s) for a, b, s in timeline if timing["start_s"] - 1e-3 <= a < timing["end_s"] - 1e-3]
        assert sum(b - a for a, b, _ in inside) == pytest.approx(
            timing["end_s"] - timing["start_s"], abs=0.01
        )
        layout = resolved_layout(slide_for(script, index))
        if not scene.reveal or reveal_mode(layout) != "appear":
            continue
        parts = sentences(scene.narration)
        total_chars = sum(len(p) for p in parts)
        speech = timing["speech_end_s"] - timing["start_s"]
        for i, sentence in enumerate(scene.reveal):
            if with_starts:
                expected = timing["start_s"] + timing["sentence_starts_s"][sentence]
            else:
                expected = timing["start_s"] + speech * sum(len(p) for p in parts[:sentence]) / total_chars
            first = next(a for a, _b, s in inside if i in store.layouts[s.image].bullet_text)
            assert abs(first - expected) <= FRAME_S, (scene.visual.layout, i, first, expected)


def test_highlights_walk_through_steps_and_cycles():
    script = sample_lesson()
    timings = synthetic_timings(script)
    for index in (3, 4):  # steps, cycle
        scene, timing = script.scenes[index], timings[index]
        moments = scene_states(scene, timing, scene.visual.layout)
        for i, sentence in enumerate(scene.reveal):
            first = next(a for a, _b, st in moments if st.current == i)
            assert abs(first - (timing["start_s"] + timing["sentence_starts_s"][sentence])) <= FRAME_S
        assert all(st.shown is None for _a, _b, st in moments)  # every step stays on screen


def test_a_long_stretch_without_reveals_still_moves():
    scene = Scene(
        heading="A long scene", narration="One long sentence about water. " * 2, bullets=["A point"]
    )
    moments = scene_states(scene, {"start_s": 10.0, "speech_end_s": 39.5, "end_s": 40.0}, "bullets")
    assert moments[0][0] == 10.0 and moments[-1][1] == pytest.approx(40.0)
    assert all(b - a <= MAX_HOLD_S for a, b, _ in moments) and len(moments) >= 4
    states = [st for _a, _b, st in moments]
    assert len(set(states)) == len(states)  # each still differs (the progress indicator moves on)


def _quiz_lesson() -> LessonScript:
    full = sample_lesson()
    keep = [full.scenes[0], full.scenes[8], full.scenes[9], full.scenes[10]]
    return full.model_copy(update={"scenes": keep})


def _frame_at(mp4: Path, t: float, out: Path) -> np.ndarray:
    subprocess.run(
        [
            video.ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-ss",
            f"{t:.3f}",
            "-i",
            str(mp4),
            "-frames:v",
            "1",
            str(out),
        ],
        check=True,
    )
    with Image.open(out) as frame:
        return np.asarray(frame.convert("RGB"), dtype=np.int16)


def test_the_quiz_countdown_is_in_the_encoded_video(tmp_path: Path):
    script = _quiz_lesson()
    timings = synthetic_timings(script)
    total = timings[-1]["end_s"]
    rate = 16000
    wav = tmp_path / "narration.wav"
    audio.write_wav(wav, audio.silence(total, rate), rate)
    stills, store = lesson_stills(script, timings, tmp_path / "frames", (640, 360))
    mp4 = tmp_path / "quiz.mp4"
    video.encode(stills, wav, mp4, audio_s=total)
    assert video.probe(mp4).duration_s == pytest.approx(total, abs=0.2)

    question = timings[1]
    slide = slide_for(script, 1)
    countdown_states = [
        st for a, _b, st in scene_states(script.scenes[1], question, "quiz_question") if st.countdown
    ]
    assert [st.countdown for st in countdown_states] == [3, 2, 1]
    # Halfway through the "2" second of the countdown.
    frame = _frame_at(mp4, question["end_s"] - 1.5, tmp_path / "at.png")
    used = {s.image for s in stills}

    def still(slide_of: Slide, **state) -> np.ndarray:
        path = next(
            p
            for p, (sl, st, _caption) in store.contents.items()
            if p in used and sl == slide_of and all(getattr(st, k) == v for k, v in state.items())
        )
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.int16)

    counting, asking = still(slide, countdown=2), still(slide, countdown=None)
    badge = (slice(28, 94), slice(544, 612))  # the countdown ring, top right of the 640x360 frame
    assert np.abs(frame - counting).mean() < 3
    near = np.abs(frame[badge] - counting[badge]).mean()
    assert near < 6 and np.abs(frame[badge] - asking[badge]).mean() > 2 * near + 5
    # The answer scene shows the reveal frame: the right option lit, the explanation below.
    answer = _frame_at(mp4, timings[2]["start_s"] + 1.0, tmp_path / "answer.png")
    assert np.abs(answer - still(slide_for(script, 2))).mean() < 3


def test_quiz_scenes_find_their_item_when_the_composer_is_terse():
    """A heading such as "Answer 1" and a term cut to its 60 characters still light the right option."""
    script = sample_lesson()
    long_answer = "a type of vaporization that occurs on the surface of a liquid"
    options = [long_answer, "the activity of riding a bicycle", "any product of condensation that falls"]
    item = QuizItem(
        question="What is evaporation?",
        options=options,
        answer=long_answer,
        explanation="It happens at the surface.",
    )
    scenes = list(script.scenes)
    scenes[8] = _scene(
        "quiz_question", "quiz_question", "Question 1 of 1", "What is evaporation?", options, pause_after_s=3
    )
    scenes[9] = _scene(
        "quiz_answer", "quiz_answer", "Answer 1", "The answer is A.", options, term=long_answer[:60]
    )
    script = script.model_copy(update={"scenes": scenes, "quiz": [item, *script.quiz[1:]]})
    question, answer = slide_for(script, 8), slide_for(script, 9)
    assert question.heading == answer.heading == "What is evaporation?"
    assert answer.term == long_answer and answer.explanation == "It happens at the surface."
    _image, layout = draw(answer, None, (1280, 720))
    assert not layout.notes and layout.bullet_text[0] == long_answer


@pytest.mark.parametrize("count", [3, 5, 6])
def test_cycles_of_any_size_keep_arrows_off_the_labels(count: int):
    labels = ("Magma", "Igneous rock", "Weathering", "Sediment", "Sedimentary rock", "Metamorphic rock")[
        :count
    ]
    slide = Slide(
        "cycle",
        "The rock cycle",
        tuple(f"What happens at stage {i + 1}" for i in range(count)),
        labels=labels,
    )
    for current in range(count):
        _image, layout = draw(slide, SlideState(current=current), (1280, 720))
        assert not layout.overflows() and not layout.truncated
        assert len(layout.paths) == count  # one arrow from each node to the next
        for path in layout.paths:
            assert not any(
                b[0] <= x <= b[2] and b[1] <= y <= b[3] for x, y in path for b in layout.text_boxes
            )
