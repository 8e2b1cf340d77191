"""Gemini and Cloud TTS adapters: the real client libraries against a local endpoint that answers as the services do."""

from __future__ import annotations

import pytest
from google import genai
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import texttospeech_v1beta1 as tts
from google.genai import types

from shared.ai.gemini import GeminiScriptWriter
from shared.errors import PermanentError, TransientError
from shared.lesson.knowledge import Passage
from shared.media.audio import duration_s
from shared.media.cloud_tts import CloudTtsNarrator
from tests.support.fake_google import FakeGoogle

PASSAGES = [
    Passage(
        "wiki:Water cycle",
        "Water cycle",
        "The water cycle is the continuous movement of water on, above and below the surface of the Earth. Water evaporates from the ocean.",
        "https://en.wikipedia.org/wiki/Water_cycle",
        "CC BY-SA 4.0",
        12.0,
    ),
    Passage(
        "wiki:Condensation",
        "Condensation",
        "Condensation is the change of water vapor into liquid water.",
        "https://en.wikipedia.org/wiki/Condensation",
        "CC BY-SA 4.0",
        8.0,
    ),
]
DRAFT = {
    "title": "The water cycle",
    "objectives": ["Describe evaporation", "Describe condensation"],
    "scenes": [
        {
            "heading": "Evaporation",
            "narration": "Water evaporates from the ocean.",
            "bullets": ["Water leaves the ocean"],
        },
        {
            "heading": "Condensation",
            "narration": "Condensation is the change of water vapor into liquid water.",
            "bullets": ["Vapor becomes liquid"],
        },
    ],
    "quiz": [
        {
            "question": f"Question {i}?",
            "options": ["evaporation", "condensation", "erosion"],
            "answer": "condensation",
            "explanation": "From the sources.",
        }
        for i in range(3)
    ],
}


@pytest.fixture
def fake():
    server = FakeGoogle()
    yield server
    server.stop()


def writer(fake: FakeGoogle) -> GeminiScriptWriter:
    client = genai.Client(
        api_key="test-key", http_options=types.HttpOptions(base_url=fake.url, api_version="v1beta")
    )
    return GeminiScriptWriter(client, model="gemini-2.5-flash", timeout_s=10)


def write(fake):
    return writer(fake).write(
        query="Explain the water cycle", grade="5", minutes=1, language="en-US", passages=PASSAGES
    )


def test_gemini_request_and_response_mapping(fake):
    fake.gemini_replies = [(200, DRAFT)]
    script = write(fake)
    assert script.title == "The water cycle" and len(script.quiz) == 3
    assert [s.doc_id for s in script.sources] == ["wiki:Water cycle", "wiki:Condensation"]
    path, body = fake.requests[0]
    assert path.endswith("/models/gemini-2.5-flash:generateContent")
    config = body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config["responseSchema"]["properties"]) == {"title", "objectives", "scenes", "quiz"}
    prompt = body["contents"][0]["parts"][0]["text"]
    assert "Water cycle (CC BY-SA 4.0)" in prompt and "Use only facts stated in the sources" in prompt
    assert "in English (language tag en-US)" in prompt
    assert script.language == "en-US" and script.reading_grade is not None


def test_gemini_is_asked_to_write_in_the_requests_language(fake):
    fake.gemini_replies = [(200, DRAFT)]
    script = writer(fake).write(
        query="¿Cómo funciona el ciclo del agua?", grade="5", minutes=1, language="es-MX", passages=PASSAGES
    )
    _path, body = fake.requests[0]
    prompt = body["contents"][0]["parts"][0]["text"]
    assert "in Spanish (language tag es-MX), whatever the language of the sources" in prompt
    assert script.language == "es-MX"  # what the narrator and captions are told
    assert script.reading_grade is None  # Flesch-Kincaid measures English only


def test_gemini_malformed_output_is_retried(fake):
    bad_answer = {**DRAFT, "quiz": [{**DRAFT["quiz"][0], "answer": "not an option"}] * 3}
    fake.gemini_replies = [(200, "{not json"), (200, bad_answer), (200, DRAFT)]
    assert write(fake).title == "The water cycle"
    assert len(fake.requests) == 3


def test_gemini_always_malformed_fails_permanently(fake):
    fake.gemini_replies = [(200, {"title": "x"})]
    with pytest.raises(PermanentError) as info:
        write(fake)
    assert info.value.code == "malformed_script" and len(fake.requests) == 3


def test_gemini_rate_limits_are_transient_and_bad_requests_permanent(fake):
    fake.gemini_replies = [(429, "quota exhausted")]
    with pytest.raises(TransientError):
        write(fake)
    assert len(fake.requests) == 3  # retried with backoff first
    fake.gemini_replies = [(400, "bad request")]
    with pytest.raises(PermanentError):
        write(fake)


def narrator(fake: FakeGoogle) -> CloudTtsNarrator:
    client = tts.TextToSpeechClient(
        transport="rest",
        client_options=ClientOptions(api_endpoint=fake.url),
        credentials=AnonymousCredentials(),
    )
    return CloudTtsNarrator(client, timeout_s=10)


def test_cloud_tts_request_and_response_mapping(fake, tmp_path):
    out = tmp_path / "scene.wav"
    starts = narrator(fake).synthesize(
        "Water evaporates. Vapor condenses into clouds!", out, language="en-US", words_per_minute=130
    )
    assert out.read_bytes().startswith(b"RIFF") and duration_s(out) > 1.0
    assert len(starts) == 2 and starts[0] == 0.0 < starts[1] < duration_s(out)  # from the SSML marks
    path, body = fake.requests[0]
    assert path == "/v1beta1/text:synthesize"
    assert body["input"]["ssml"].startswith('<speak><mark name="s0"/>Water evaporates.')
    assert body["audioConfig"]["audioEncoding"] == "LINEAR16"
    assert body["audioConfig"]["speakingRate"] == pytest.approx(130 / 150, abs=0.01)
    assert body["enableTimePointing"] == ["SSML_MARK"]
    assert body["voice"]["languageCode"] == "en-US"


@pytest.mark.parametrize(
    ("language", "locale", "voice"),
    [
        ("en-US", "en-US", "en-US-Neural2-F"),
        ("es-ES", "es-ES", "es-ES-Neural2-A"),
        ("es-MX", "es-US", "es-US-Neural2-A"),  # Cloud TTS speaks Latin American Spanish as es-US
        ("fr", "fr-FR", "fr-FR-Neural2-A"),
        ("de-AT", "de-DE", ""),  # no voice of ours: the service's default for the locale
    ],
)
def test_cloud_tts_speaks_the_lessons_language(fake, tmp_path, language, locale, voice):
    narrator(fake).synthesize("Hola.", tmp_path / "scene.wav", language=language, words_per_minute=130)
    _path, body = fake.requests[0]
    assert body["voice"]["languageCode"] == locale
    assert body["voice"].get("name", "") == voice


def test_cloud_tts_errors_are_mapped(fake, tmp_path):
    fake.tts_errors = [429]  # one rate-limit answer: retried, then it works
    narrator(fake).synthesize("Hello there.", tmp_path / "ok.wav", language="en-US", words_per_minute=130)
    assert len(fake.requests) == 2
    fake.tts_errors = [503, 503, 503]
    with pytest.raises(TransientError):
        narrator(fake).synthesize("Hello there.", tmp_path / "a.wav", language="en-US", words_per_minute=130)
    fake.tts_errors = [400]
    with pytest.raises(PermanentError):
        narrator(fake).synthesize("Hello there.", tmp_path / "b.wav", language="en-US", words_per_minute=130)


def test_lesson_pipeline_on_the_production_adapters(fake, tmp_path, monkeypatch):
    """Gemini + Cloud TTS (local endpoint) + GCS (emulator): the same stages, the production faces."""
    import uuid

    from devstack.services import StorageEmulator
    from shared import bootstrap
    from shared.config import Settings
    from shared.db import repository as repo
    from shared.db.migrate import upgrade
    from shared.domain.schemas import ContentRequestCreate
    from shared.lifecycle import Lifecycle
    from worker.pipeline import PipelineRunner
    from worker.stages import lesson_stages
    from worker.stages.services import LessonServices

    storage = StorageEmulator().start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", storage.url)
    for bucket in ("content", "work"):
        storage.create_bucket(bucket)
    try:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path}/db.sqlite3",
            content_bucket="content",
            work_bucket="work",
            work_dir=tmp_path / "work",
        )
        resources = bootstrap.build(settings, offline=True)
        upgrade(resources.engine)
        fake.gemini_replies = [(200, DRAFT)]
        services = LessonServices(settings, resources.publisher, writer=writer(fake), narrator=narrator(fake))
        stages = lesson_stages(resources, services)
        request, _ = Lifecycle(resources.sessions, resources.publisher).submit(
            ContentRequestCreate(
                student_query="Explain the water cycle", grade_level="5", duration_minutes=1
            ),
            correlation_id=uuid.uuid4().hex,
        )
        runner = PipelineRunner.for_resources(stages, resources, worker_id="prod-faces")
        assert runner.run(request.id).status == "completed"
        with resources.sessions() as session:
            artifacts = {a.kind: a for a in repo.get_request(session, request.id, full=True).artifacts}
        assert artifacts["video"].uri == f"gs://content/lessons/{request.id}/lesson.mp4"
        assert artifacts["checkpoint.script"].uri.startswith("gs://work/")
        assert any(path.endswith(":generateContent") for path, _ in fake.requests)
        assert (
            sum(path.endswith("text:synthesize") for path, _ in fake.requests) == 4
        )  # title, 2 scenes, review
        resources.close()
    finally:
        storage.stop()


def test_knowledge_documents_load_from_a_gcs_bucket(monkeypatch):
    import json

    from google.cloud import storage as gcs

    from devstack.services import StorageEmulator
    from shared.lesson.knowledge import KnowledgeBase, load_gcs_documents

    emulator = StorageEmulator().start()
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.url)
    try:
        emulator.create_bucket("oer")
        doc = {
            "doc_id": "oer:tides",
            "title": "Tides",
            "text": "Tides are the rise and fall of sea levels caused by the Moon.",
            "source_url": "https://example.org/tides",
            "license": "CC BY 4.0",
        }
        client = gcs.Client(project="vividly-local", credentials=AnonymousCredentials())
        client.bucket("oer").blob("knowledge/ocean.jsonl").upload_from_string(json.dumps(doc) + "\n")
        client.bucket("oer").blob("other/ignored.jsonl").upload_from_string(
            json.dumps({**doc, "doc_id": "x"}) + "\n"
        )
        documents = load_gcs_documents("oer", project="vividly-local", emulator_host=emulator.url)
        assert [d.doc_id for d in documents] == ["oer:tides"]
        assert KnowledgeBase.default(extra=documents).search("tides moon sea", k=1)[0].license == "CC BY 4.0"
    finally:
        emulator.stop()
