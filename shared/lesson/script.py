"""The LessonScript: what every later stage (narration, captions, slides, quiz) is built from."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Bullet = Annotated[str, Field(min_length=1, max_length=80)]


class VisualSpec(BaseModel):
    layout: Literal["title", "bullets", "closing"] = "bullets"
    keywords: list[str] = Field(default_factory=list, max_length=6)


class Scene(BaseModel):
    heading: Annotated[str, Field(min_length=1, max_length=90)]
    narration: Annotated[str, Field(min_length=1)]
    bullets: Annotated[list[Bullet], Field(max_length=4)] = Field(default_factory=list)
    visual: VisualSpec = Field(default_factory=VisualSpec)
    source_ids: list[str] = Field(default_factory=list)


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
    quiz: Annotated[list[QuizItem], Field(min_length=3, max_length=5)]
    sources: Annotated[list[Source], Field(min_length=1)]
    target_words: int
    words_per_minute: int
    reading_grade: float | None = None
    notes: list[str] = Field(default_factory=list)

    @property
    def narration_words(self) -> int:
        return sum(len(scene.narration.split()) for scene in self.scenes)
