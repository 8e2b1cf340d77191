"""The LessonScript: what every later stage (narration, captions, slides, the quiz in the video) is built from."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Bullet = Annotated[str, Field(min_length=1, max_length=80)]

# What a scene does in the lesson; the composer orders scenes by it and the renderer picks a layout from it.
SceneKind = Literal[
    "intro",
    "definition",
    "mechanism",
    "part",
    "comparison",
    "example",
    "recap",
    "quiz_question",
    "quiz_answer",
    "outro",
]
# How a scene is drawn:
# - title: the opening card; closing: the sources card (attribution the licenses require)
# - bullets: heading + short complete phrases
# - definition: `term` large, the defining phrase (bullets[0]) under it, further bullets below
# - steps: numbered steps (bullets), each highlighted as the narration reaches it
# - cycle: `labels` as nodes round a circle with arrows between them; bullets[i] explains labels[i]
# - comparison: two columns headed `columns[0]` / `columns[1]`; bullet i goes to column `sides[i]`
# - timeline: a horizontal line with `labels[i]` (a year or era) above bullets[i]
# - equation: `equation` (matplotlib mathtext, without the $) rendered large, bullets below
# - quiz_question: the question (heading) and its options (bullets), then a countdown of `pause_after_s`
# - quiz_answer: the options with the one equal to `term` (the answer) highlighted, the explanation below
Layout = Literal[
    "title",
    "bullets",
    "definition",
    "steps",
    "cycle",
    "comparison",
    "timeline",
    "equation",
    "quiz_question",
    "quiz_answer",
    "closing",
]


class VisualSpec(BaseModel):
    layout: Layout = "bullets"
    keywords: list[str] = Field(default_factory=list, max_length=6)
    term: Annotated[str, Field(max_length=60)] | None = None
    labels: Annotated[list[Annotated[str, Field(max_length=24)]], Field(max_length=6)] = Field(
        default_factory=list
    )
    columns: Annotated[list[Annotated[str, Field(max_length=40)]], Field(max_length=2)] = Field(
        default_factory=list
    )
    sides: list[int] = Field(default_factory=list)
    equation: Annotated[str, Field(max_length=120)] | None = None


class Scene(BaseModel):
    kind: SceneKind = "part"
    heading: Annotated[str, Field(min_length=1, max_length=90)]
    narration: Annotated[str, Field(min_length=1)]
    bullets: Annotated[list[Bullet], Field(max_length=6)] = Field(default_factory=list)
    # reveal[i]: the index of the narration sentence (as shared.lesson.captions.sentences splits it) at whose
    # start bullets[i] appears or is highlighted; empty means every bullet shows from the start.
    reveal: list[int] = Field(default_factory=list)
    visual: VisualSpec = Field(default_factory=VisualSpec)
    source_ids: list[str] = Field(default_factory=list)
    # Silence held after the narration (the quiz's countdown), on top of the usual short gap.
    pause_after_s: Annotated[float, Field(ge=0, le=15)] = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> Scene:
        if self.reveal and len(self.reveal) != len(self.bullets):
            raise ValueError("reveal needs one sentence index per bullet")
        if self.reveal != sorted(self.reveal):
            raise ValueError("bullets are revealed in order")
        if self.visual.sides and len(self.visual.sides) != len(self.bullets):
            raise ValueError("sides needs one column per bullet")
        return self


class QuizItem(BaseModel):
    question: Annotated[str, Field(min_length=5)]
    options: Annotated[list[str], Field(min_length=3, max_length=5)]
    answer: str
    explanation: str

    @model_validator(mode="after")
    def _answer_is_an_option(self) -> QuizItem:
        if self.answer not in self.options:
            raise ValueError("the answer must be one of the options")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct")
        return self


class Source(BaseModel):
    doc_id: str
    title: str
    url: str
    license: str


class LessonScript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=120)]
    grade_level: str
    language: str = "en-US"
    objectives: Annotated[list[str], Field(min_length=2, max_length=4)]
    scenes: Annotated[list[Scene], Field(min_length=2)]
    quiz: Annotated[list[QuizItem], Field(min_length=1, max_length=5)]
    sources: Annotated[list[Source], Field(min_length=1)]
    target_words: int
    words_per_minute: int
    # Flesch-Kincaid grade of the taught scenes only (framing, connectives and the quiz left out).
    reading_grade: float | None = None
    # What the question asked, as the composer understood it (intent, focus, sub-parts).
    plan: dict[str, object] = Field(default_factory=dict)
    # Shown to the user (CLI and status API): a lesson shorter than asked, thin sources, a level above grade.
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def narration_words(self) -> int:
        return sum(len(scene.narration.split()) for scene in self.scenes)

    @property
    def taught_scenes(self) -> list[Scene]:
        return [s for s in self.scenes if s.kind not in ("intro", "outro", "quiz_question", "quiz_answer")]
