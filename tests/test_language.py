"""Which languages a deployment teaches, the question's own language, and documents by language."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from shared.config import Settings
from shared.domain.language import language_errors, written_in_other_language
from shared.lesson.knowledge import Document, KnowledgeBase, add_local_document, parse_documents

# Real K-12 questions in English, several about places and people with Spanish, French or Italian names.
ENGLISH_QUESTIONS = [
    "Explain the water cycle",
    "Why is the sky blue?",
    "How do volcanoes form and why do they erupt?",
    "Ciudad Juárez history",
    "Tell me about Ciudad Juárez",
    "What is the Día de los Muertos?",
    "Explain equivalent fractions with pizza examples.",
    "What causes the seasons on Earth? Explain axial tilt and the angle of sunlight.",
    "How does the human heart pump blood through the body?",
    "Explain Newton's three laws of motion with everyday examples.",
    "What is the difference between weather and climate?",
    "Explain how the Pythagorean theorem works and when to use it.",
    "Describe the three states of matter and how water changes between them.",
    "Explain plate tectonics and how earthquakes happen.",
    "How did the printing press change Europe?",
    "Explain what DNA is and what it does in a cell.",
    "Who was Simón Bolívar and why is he important?",
    "What was the Aztec capital Tenochtitlan like?",
    "How did the dinosaurs die?",
    "What is el nino",
    "photosynthesis",
    "Explain the history of San Antonio and the Alamo",
    "What is a noun?",
    "Why do leaves change color in the fall?",
    "How do magnets work?",
    "What are prime numbers?",
    "Explain the causes of the French Revolution",
    "What is the Louvre and why is it famous?",
    "Who painted the Mona Lisa?",
    "How do bees make honey?",
    "What is the Río Grande and where does it flow?",
    "Explain long division step by step",
    "Why do we have day and night?",
    "What is the difference between a virus and bacteria?",
    "Explain the life cycle of a butterfly",
    "Who was Marie Curie?",
    "la niña weather pattern",
    "Explain the Renaissance in Florence and Leonardo da Vinci",
    "Los Angeles earthquakes",
    "Buenos Aires geography",
    "What did Hernán Cortés do in Mexico?",
    "Create a 3-minute video explaining the water cycle, including evaporation, condensation, and precipitation.",
]
FOREIGN_QUESTIONS = [
    ("¿Por qué el cielo es azul?", "es"),
    ("Por que el cielo es azul", "es"),
    ("¿Cómo funciona la fotosíntesis?", "es"),
    ("Explica el ciclo del agua", "es"),
    ("¿Qué es la fotosíntesis?", "es"),
    ("Historia de la Revolución mexicana para niños", "es"),
    ("¿Cuáles son los planetas del sistema solar?", "es"),
    ("la revolución francesa", "es"),
    ("Háblame de Ciudad Juárez", "es"),
    ("Pourquoi le ciel est-il bleu ?", "fr"),
    ("Explique le cycle de l'eau", "fr"),
    ("Qu'est-ce que la photosynthèse ?", "fr"),
    ("Comment fonctionnent les volcans ?", "fr"),
    ("Quelles sont les causes de la Révolution française ?", "fr"),
    ("Warum ist der Himmel blau?", "de"),
    ("Perché il cielo è blu?", "it"),
    ("Por que o céu é azul?", "pt"),
]


@pytest.mark.parametrize("question", ENGLISH_QUESTIONS)
def test_english_questions_read_as_english(question):
    assert written_in_other_language(question, "en-US") is None
    assert language_errors(question, "en-US", teach_languages=("en",)) == []


@pytest.mark.parametrize(("question", "language"), FOREIGN_QUESTIONS)
def test_questions_in_other_languages_are_told_apart(question, language):
    assert written_in_other_language(question, "en-US") == language


def test_an_english_question_is_not_spanish():
    assert written_in_other_language("Why is the sky blue during the day?", "es-MX") == "en"
    assert written_in_other_language("¿Por qué el cielo es azul?", "es-MX") is None


def test_refusals_name_the_language_seen_and_those_supported():
    [error] = language_errors("¿Por qué el cielo es azul?", "en-US", teach_languages=("en",))
    assert error["field"] == "student_query"
    assert "looks like Spanish" in error["reason"] and "supported: English (en)" in error["reason"]
    [error] = language_errors("¿Por qué el cielo es azul?", "en-US", teach_languages=("en", "es"))
    assert "send it with language 'es'" in error["reason"]
    [error] = language_errors("Why is the sky blue?", "es-MX", teach_languages=("en",))
    assert error["field"] == "language"
    assert "Spanish (es-MX)" in error["reason"] and "supported: English (en)" in error["reason"]


def test_teach_languages_default_to_what_the_writer_writes(monkeypatch):
    monkeypatch.delenv("TEACH_LANGUAGES", raising=False)
    assert Settings().teach_languages == ("en",)
    assert {"en", "es", "fr"} <= set(Settings(script_writer="gemini").teach_languages)
    monkeypatch.setenv("TEACH_LANGUAGES", "en, ES")
    assert Settings().teach_languages == ("en", "es")
    monkeypatch.setenv("TEACH_LANGUAGES", "en,xx")
    with pytest.raises(ValueError, match="xx"):
        Settings()


# --- submit: 422, nothing stored, nothing published ------------------------------------------------


def _count_requests() -> int:
    from functions import main as functions_main
    from shared.db.models import ContentRequest

    with functions_main.resources().sessions() as session:
        return session.scalar(select(func.count()).select_from(ContentRequest))


@pytest.mark.pubsub
@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"student_query": "¿Por qué el cielo es azul?"}, "student_query", ["Spanish", "English (en)"]),
        ({"student_query": "Pourquoi le ciel est-il bleu ?"}, "student_query", ["French", "English (en)"]),
        ({"student_query": "Why is the sky blue?", "language": "es-MX"}, "language", ["English (en)"]),
    ],
    ids=["spanish-question", "french-question", "spanish-lesson"],
)
def test_submit_refuses_what_it_cannot_teach_and_keeps_nothing(client, stack, body, field, words):
    from shared.messaging.topics import REQUESTS_SUBSCRIPTION

    response = client.post("/submit_content_request", json=body)
    assert response.status_code == 422, response.json
    assert response.json["error"] == "unsupported_language"
    assert "English (en)" in response.json["message"]
    [error] = response.json["fields"]
    assert error["field"] == field and all(word in error["reason"] for word in words)
    assert _count_requests() == 0
    assert stack.pull_all(REQUESTS_SUBSCRIPTION, timeout_s=1.0) == []


@pytest.mark.pubsub
def test_submit_accepts_a_language_the_deployment_teaches(client, stack, env):
    env(teach_languages="en,es")
    response = client.post(
        "/submit_content_request", json={"student_query": "¿Por qué el cielo es azul?", "language": "es-MX"}
    )
    assert response.status_code == 202, response.json
    status = client.get(f"/get_request_status?request_id={response.json['request_id']}")
    assert status.json["language"] == "es-MX"


# --- the CLI: one line, non-zero, nothing stored --------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["¿Por qué el cielo es azul?"], ["looks like Spanish", "supported: English (en)"]),
        (["Why is the sky blue?", "--language", "es-MX"], ["Spanish (es-MX)", "supported: English (en)"]),
    ],
)
def test_cli_refuses_an_unteachable_language_in_one_line(tmp_path, env, args, words):
    database = tmp_path / "cli.sqlite3"
    env(database_url=f"sqlite:///{database}", teach_languages="en")
    result = CliRunner().invoke(app, ["generate", *args])
    assert result.exit_code == 2  # bad arguments
    assert result.output.strip().count("\n") == 0, result.output
    assert result.output.startswith("error:") and all(word in result.output for word in words)
    assert not database.exists()  # refused before anything was stored


# --- documents by language ---------------------------------------------------------------------------

SPANISH_DOC = Document(
    "local:Volcán",
    "Volcán",
    "Un volcán es una abertura de la corteza terrestre por la que sale el magma. Las erupciones volcánicas "
    "expulsan lava, ceniza y gases.",
    "https://es.wikipedia.org/wiki/Volc%C3%A1n",
    "CC BY-SA 4.0",
    language="es",
)
ENGLISH_DOC = Document(
    "local:Volcano",
    "Volcano",
    "A volcano is a rupture in the crust of a planet through which lava, volcanic ash and gases escape.",
    "https://en.wikipedia.org/wiki/Volcano",
    "CC BY-SA 4.0",
)


def test_documents_are_searched_in_their_own_language():
    knowledge = KnowledgeBase([ENGLISH_DOC, SPANISH_DOC])
    assert [p.doc_id for p in knowledge.search("volcano lava")] == ["local:Volcano"]
    assert [p.doc_id for p in knowledge.search("volcanic lava ash", language="en")] == ["local:Volcano"]
    assert [p.doc_id for p in knowledge.search("erupciones volcánicas", language="es")] == ["local:Volcán"]
    assert knowledge.search("volcano", language="fr") == []
    assert knowledge.languages == {"en", "es"}


def test_knowledge_files_from_before_languages_load_as_english(tmp_path):
    old = {k: v for k, v in asdict(ENGLISH_DOC).items() if k != "language"}
    assert parse_documents(json.dumps(old) + "\n")[0].language == "en"
    path = tmp_path / "kb.jsonl"
    add_local_document(path, SPANISH_DOC)
    assert json.loads(path.read_text())["language"] == "es"
    assert parse_documents(path.read_text()) == [SPANISH_DOC]


def test_kb_add_language_es_is_found_only_by_spanish_searches(tmp_path, env):
    env(knowledge_path=tmp_path / "kb.jsonl")
    text = tmp_path / "marea.txt"
    text.write_text(
        "La marea es el cambio periódico del nivel del mar producido por la atracción de la Luna. " * 2,
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["kb", "add", str(text), "--title", "Marea", "--url", "https://es.wikipedia.org/wiki/Marea"]
    added = runner.invoke(app, [*args, "--license", "CC BY-SA 4.0", "--language", "es"])
    assert added.exit_code == 0, added.output
    assert json.loads((tmp_path / "kb.jsonl").read_text())["language"] == "es"
    spanish = runner.invoke(app, ["kb", "search", "marea nivel del mar", "-k", "3", "--language", "es"])
    assert spanish.exit_code == 0 and "Marea" in spanish.output
    english = runner.invoke(app, ["kb", "search", "marea nivel del mar", "-k", "3"])
    assert "Marea" not in english.output
    listed = runner.invoke(app, ["kb", "list"])
    assert "Marea\tes\t" in listed.output
    bad = runner.invoke(app, [*args, "--license", "x", "--language", "xx"])
    assert bad.exit_code == 2 and "--language" in bad.output
