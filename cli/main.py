"""`vividly`: the command line for developers and operators."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.table import Table

from shared.auth.principal import Role

app = typer.Typer(help="Vividly: a learner's question in, a narrated lesson video out.", no_args_is_help=True)
pubsub_app = typer.Typer(help="Pub/Sub topics and subscriptions.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic).", no_args_is_help=True)
app.add_typer(pubsub_app, name="pubsub")
app.add_typer(db_app, name="db")
kb_app = typer.Typer(help="The open-educational-content knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
keys_app = typer.Typer(
    help="API keys for the HTTP functions: create (shown once), list, revoke.", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")
members_app = typer.Typer(
    help="People who sign in with Identity Platform: the organisation's tenant, its members and roles.",
    no_args_is_help=True,
)
app.add_typer(members_app, name="members")
console = Console(stderr=True)


# Exit codes, distinct per outcome (the README lists them): scripts branch on them.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CLARIFICATION, EXIT_DECLINED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


def fail(message: str, code: int = EXIT_FAILED) -> None:
    """One readable line and a non-zero exit."""
    console.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    raise typer.Exit(code=code)


@pubsub_app.command("setup")
def pubsub_setup() -> None:
    """Create the topics and subscriptions (idempotent). Honours PUBSUB_EMULATOR_HOST."""
    from shared.config import get_settings
    from shared.messaging.topology import Topology, ensure_topology

    settings = get_settings()
    try:
        created = ensure_topology(
            Topology(settings.gcp_project, settings.max_delivery_attempts, settings.ack_deadline_s)
        )
    except Exception as exc:
        fail(f"could not reach Pub/Sub for project {settings.gcp_project}: {exc.__class__.__name__}: {exc}")
    for line in created or ["nothing to create: everything exists"]:
        console.print(line)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database named by DATABASE_URL / INSTANCE_CONNECTION_NAME to the newest schema."""
    from shared.config import get_settings
    from shared.db.engine import make_engine
    from shared.db.migrate import upgrade

    engine = make_engine(get_settings())
    try:
        upgrade(engine)
    except Exception as exc:
        fail(f"migration failed: {exc.__class__.__name__}: {exc}")
    finally:
        engine.dispose()
    console.print("database is at the newest schema")


@app.command()
def dev(
    port: Annotated[int, typer.Option(help="port of the HTTP functions (taken or 0: any free one)")] = 8080,
    database: Annotated[str, typer.Option(help="sqlite or postgres")] = "sqlite",
    pipeline: Annotated[str, typer.Option(help="module:function building the worker's stages")] = (
        "worker.stages:lesson_stages"
    ),
    workdir: Annotated[Path, typer.Option(help="where the stack keeps its files")] = Path("var/dev"),
    gcs: Annotated[bool, typer.Option(help="store artifacts in the GCS emulator")] = True,
) -> None:
    """Run the whole system locally: emulators, database, functions and a worker. Ctrl-C stops it all."""
    from devstack.services import ServiceUnavailable
    from devstack.stack import DevStack
    from shared.logs import configure_logging

    if database not in ("sqlite", "postgres"):
        fail("--database must be sqlite or postgres", EXIT_USAGE)
    configure_logging()
    stack = DevStack(workdir=workdir, http_port=port, database=database, pipeline=pipeline, gcs=gcs)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        with console.status("starting") as status:
            stack.start(on_step=lambda step: status.update(step))
    except ServiceUnavailable as exc:
        stack.stop()
        fail(str(exc))
    table = Table(title="Vividly local stack", show_header=False)
    for name, where in stack.endpoints.items():
        table.add_row(name, where)
    console.print(table)
    base = stack.endpoints["Functions"]
    auth = f"-H 'Authorization: Bearer {stack.api_key}'"
    console.print(
        f"A teacher's API key of the organisation 'local' (made for this run): {stack.api_key}\n"
        "Submit a request:\n"
        f"  curl -s -X POST {base}/submit_content_request {auth} -H 'Content-Type: application/json' \\\n"
        '    -d \'{"student_query": "Explain the water cycle", "grade_level": "5", "duration_minutes": 2}\'\n'
        f"Then: curl -s {auth} '{base}/get_request_status?request_id=<id>'\n"
        "Ctrl-C stops everything.",
        highlight=False,
        soft_wrap=True,
    )
    # Lines scripts can wait for: the key, then the URL once the port is actually bound.
    print(f"API_KEY {stack.api_key}", flush=True)
    print(f"READY {base}", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        console.print("stopping…")
        stack.stop()


@app.command("generate")
def generate_command(
    query: Annotated[str, typer.Argument(help="the learner's question")],
    grade: Annotated[str | None, typer.Option("--grade", help="K or 1-12")] = None,
    minutes: Annotated[int, typer.Option("--minutes", help="lesson length, 1-10")] = 2,
    language: Annotated[str, typer.Option(help="BCP-47 tag, e.g. en-US")] = "en-US",
    resolution: Annotated[str, typer.Option(help="720p or 1080p")] = "720p",
    out: Annotated[
        Path | None, typer.Option(help="folder for the finished lesson (default: ./output)")
    ] = None,
) -> None:
    """Make a lesson video offline: SQLite, local files, local speech and video engines.

    Exit codes: 0 lesson ready, 1 generation failed, 2 bad arguments, 3 clarification needed,
    4 declined by policy, 130 interrupted.
    """
    from cli.generate import (
        InvalidRequest,
        UnusableOutput,
        check_output_folder,
        generate,
        parse,
        print_report,
    )
    from shared.config import get_settings
    from shared.logs import configure_logging, get_logger

    configure_logging("WARNING")
    settings = get_settings()
    try:
        body = parse(query, grade, minutes, language, resolution, teach_languages=settings.teach_languages)
        if out is not None:
            settings = settings.model_copy(update={"content_dir": out})
        check_output_folder(settings.content_dir)
    except (InvalidRequest, UnusableOutput) as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        result, paths, request = generate(body, settings, console)
    except KeyboardInterrupt:
        fail("interrupted; the request is marked failed", EXIT_INTERRUPTED)
    except Exception as exc:
        get_logger("cli").exception("generation stopped")  # one JSON entry with the traceback, on stderr
        fail(f"generation stopped: {type(exc).__name__}: {exc}")
    status = result.status.value
    if status == "completed":
        # Plain print: paths must not be wrapped, scripts read these lines.
        print(f"Lesson ready (request {request.id})")
        for kind in ("video", "captions_vtt", "captions_srt", "script", "thumbnail", "narration"):
            if kind in paths:
                print(f"  {kind:<13} {paths[kind]}")
        print_report(request, console)
        return
    if status == "clarification_needed":
        console.print("[yellow]We need a little more detail:[/yellow]")
        for question in request.clarification_questions or []:
            console.print(f"  • {question}")
        raise typer.Exit(code=EXIT_CLARIFICATION)
    if status == "rejected":
        fail(f"request declined ({request.error_code}): {request.error_message}", EXIT_DECLINED)
    fail(f"generation {status}: {request.error_message or request.stage_message}")


@app.command("deck")
def deck_command(
    deck: Annotated[Path, typer.Argument(help="a .pptx; each slide's speaker notes are its narration")],
    out: Annotated[Path | None, typer.Option(help="output folder (default: ./output/decks/<name>)")] = None,
    presenter: Annotated[
        str, typer.Option(help="offline, heygen or d-id (keys and ids from the environment: README)")
    ] = "offline",
    slides: Annotated[str | None, typer.Option(help="only these slides, e.g. 2,4-6")] = None,
    regenerate: Annotated[
        str | None, typer.Option(help="remake these slides even if unchanged, e.g. 3 or all")
    ] = None,
    max_concurrent: Annotated[int, typer.Option("--max-concurrent", help="clips made at once, 1-8")] = 2,
    portrait: Annotated[
        Path | None, typer.Option(help="a portrait pack folder (default: Viv, drawn)")
    ] = None,
    corner: Annotated[str, typer.Option(help="bottom-right, bottom-left, top-right or top-left")] = (
        "bottom-right"
    ),
    size: Annotated[float, typer.Option(help="presenter height, as a share of the video's")] = 0.42,
    voice: Annotated[
        str, typer.Option(help="espeak or piper (the offline presenter's lips follow the voice's phonemes)")
    ] = "espeak",
    words_per_minute: Annotated[int, typer.Option("--wpm", help="speaking rate, 80-300")] = 150,
) -> None:
    """A presenter clip per slide of a PPTX, the whole deck as one video, captions and a manifest.

    A rerun remakes only what changed. Exit codes: 0 every slide has its clip, 1 some slide failed,
    2 bad arguments or file, 130 interrupted.
    """
    from cli.deck import hosted_renderer, presenter_of, run
    from shared.config import get_settings
    from shared.decks.pptx_source import read_deck
    from shared.errors import InvalidInput, PermanentError
    from shared.logs import configure_logging
    from shared.presenter.batch import parse_selection
    from shared.presenter.clip import Placement
    from shared.presenter.deck_run import DeckJob
    from shared.presenter.renderers import OfflineRenderer

    configure_logging("WARNING")
    if presenter not in ("offline", "heygen", "d-id"):
        fail(f"--presenter {presenter}: offline, heygen or d-id", EXIT_USAGE)
    if not 1 <= max_concurrent <= 8:
        fail("--max-concurrent must be 1-8", EXIT_USAGE)
    if not 80 <= words_per_minute <= 300:
        fail("--wpm must be 80-300", EXIT_USAGE)
    if voice not in ("espeak", "piper"):
        fail(f"--voice {voice}: espeak or piper", EXIT_USAGE)
    try:
        total = len(read_deck(deck))
        selected = parse_selection(slides, total)
        forced = parse_selection(regenerate, total, field_name="regenerate")
        if regenerate is not None and forced is None:  # "all"
            forced = list(range(1, total + 1))
        job = DeckJob(
            deck=deck,
            out=out or Path("output") / "decks" / deck.stem,
            renderer=(
                OfflineRenderer(
                    presenter_of(portrait, corner, size), words_per_minute=words_per_minute, voice=voice
                )
                if presenter == "offline"
                else hosted_renderer(presenter, get_settings(), Placement(corner=corner, height=size))
            ),
            max_concurrent=max_concurrent,
            selected=selected,
            regenerate=forced,
        )
    except (InvalidInput, ValueError) as exc:
        fail(f"{deck}: {exc}", EXIT_USAGE)
    try:
        manifest = run(job, console)
    except KeyboardInterrupt:
        fail("interrupted; a rerun finishes the remaining slides", EXIT_INTERRUPTED)
    except PermanentError as exc:
        fail(str(exc))
    counts = manifest.counts()
    console.print(
        f"clips and manifest in {job.out}"
        + (", the whole deck in deck.mp4" if (job.out / "deck.mp4").exists() else "")
    )
    if counts["skipped"]:
        console.print(f"{counts['skipped']} skipped (unchanged or not selected)")
    if counts["failed"]:
        raise typer.Exit(EXIT_FAILED)


@app.command("path")
def path_command(
    assessment_file: Annotated[Path, typer.Argument(help="an assessment, .json or .csv")],
    max_concurrent: Annotated[int, typer.Option("--max-concurrent", help="courses made at once, 1-16")] = 2,
    out: Annotated[Path | None, typer.Option(help="folder for the path (default: ./output)")] = None,
    video: Annotated[
        bool, typer.Option(help="make each course's narrated video (--no-video: plan only)")
    ] = True,
    minutes: Annotated[int, typer.Option("--minutes", help="length of each course video, 1-10")] = 2,
    presenter: Annotated[
        str, typer.Option(help="none, or offline: a presenter video made from each course's deck")
    ] = "none",
) -> None:
    """A learning path offline: the gap report, courses in prerequisite order, a video per course.

    Exit codes: 0 every course made, 1 some or all failed, 2 bad arguments or assessment, 130 interrupted.
    """
    from cli.generate import UnusableOutput, check_output_folder
    from cli.path import gap_table, read_assessment, run_path
    from shared.config import get_settings
    from shared.logs import configure_logging, get_logger
    from shared.paths.assessment import AssessmentInvalid

    configure_logging("WARNING")
    settings = get_settings()
    if not 1 <= max_concurrent <= 16:
        fail("--max-concurrent must be 1-16", EXIT_USAGE)
    if not 1 <= minutes <= 10:
        fail("--minutes must be 1-10", EXIT_USAGE)
    if presenter not in ("none", "offline"):
        fail(f"--presenter {presenter}: none or offline", EXIT_USAGE)
    try:
        assessment, raw = read_assessment(assessment_file)
        if out is not None:
            settings = settings.model_copy(update={"content_dir": out})
        check_output_folder(settings.content_dir)
    except OSError as exc:
        fail(f"cannot read {assessment_file}: {exc.strerror or exc}", EXIT_USAGE)
    except (AssessmentInvalid, UnusableOutput) as exc:
        fail(f"{assessment_file}: {exc}", EXIT_USAGE)
    try:
        run = run_path(
            assessment,
            raw,
            settings,
            console,
            max_concurrent=max_concurrent,
            video=video,
            lesson_minutes=minutes,
            # The course slides leave the bottom-right to the presenter made from their decks.
            presenter_room=presenter == "offline",
        )
    except KeyboardInterrupt:
        fail("interrupted; the running courses are marked failed", EXIT_INTERRUPTED)
    except Exception as exc:
        get_logger("cli").exception("learning path stopped")
        fail(f"learning path stopped: {type(exc).__name__}: {exc}")
    summary = run.summary
    presented: dict[int, Path] = {}
    if presenter == "offline" and video:
        from cli.deck import present_course_decks, presenter_of

        presented = present_course_decks(
            summary, presenter_of(None, "bottom-right", 0.42), console, max_concurrent
        )
    console.print(gap_table(json.loads((run.folder / "gaps.json").read_text())))
    # Plain print: paths must not be wrapped, scripts read these lines.
    print(f"Learning path {summary['status']} (workflow {run.workflow_id})")
    print(f"  gaps          {run.folder / 'gaps.json'}")
    for entry in summary["courses"]:
        course = entry["course"]
        print(f"  {course['position']}. {course['title']} [{entry['status']}] — {course['reason']}")
        for kind, where in entry["files"].items():
            print(f"       {kind:<13} {where}")
        if course["position"] in presented:
            print(f"       {'presenter':<13} {presented[course['position']]}")
        if entry["error"]:
            print(f"       why: {entry['error']}")
    if summary["status"] not in ("completed",):
        raise typer.Exit(code=EXIT_FAILED)


@kb_app.command("add")
def kb_add(
    file: Annotated[Path, typer.Argument(help="a UTF-8 text file: the document's text")],
    title: Annotated[str, typer.Option(help="the document's title")],
    url: Annotated[str, typer.Option(help="where the source can be read")],
    license: Annotated[str, typer.Option(help="its license, e.g. 'CC BY 4.0'")],
    language: Annotated[
        str, typer.Option(help="the document's language (en, es, ...): only lessons in it retrieve it")
    ] = "en",
) -> None:
    """Add (or replace, by title) a document in the local knowledge file (KNOWLEDGE_PATH)."""
    from shared.config import get_settings
    from shared.domain.language import primary
    from shared.domain.schemas import SUPPORTED_LANGUAGES
    from shared.lesson.knowledge import Document, add_local_document

    if primary(language) not in SUPPORTED_LANGUAGES:
        fail(f"--language must be one of {', '.join(sorted(SUPPORTED_LANGUAGES))}", EXIT_USAGE)
    if not file.is_file():
        fail(f"{file}: no such file", EXIT_USAGE)
    text = " ".join(file.read_text(encoding="utf-8").split())
    if len(text.split()) < 20:
        fail(f"{file}: too short to teach from (under 20 words)", EXIT_USAGE)
    if not url.startswith(("https://", "http://")):
        fail("--url must be an http(s) URL", EXIT_USAGE)
    path = get_settings().knowledge_path
    document = Document(f"local:{title}", title, text, url, license, language=primary(language))
    add_local_document(path, document)
    console.print(f"added '{title}' ({document.language}) to {path}")


@kb_app.command("list")
def kb_list() -> None:
    """How many documents there are, and the locally added ones."""
    from shared.config import get_settings
    from shared.lesson.knowledge import load_local_documents, packaged_documents

    local = load_local_documents(get_settings().knowledge_path)
    console.print(
        f"{len(packaged_documents())} packaged Wikipedia summaries (CC BY-SA 4.0), {len(local)} local"
    )
    for document in local:
        print(f"{document.title}\t{document.language}\t{document.license}\t{document.source_url}")


@kb_app.command("search")
def kb_search(
    query: Annotated[str, typer.Argument()],
    k: Annotated[int, typer.Option("-k", "--k", help="how many results")] = 5,
    language: Annotated[str, typer.Option(help="search the documents in this language")] = "en",
) -> None:
    """BM25 search, as the retrieve stage runs it."""
    from shared.config import get_settings
    from shared.domain.language import primary
    from shared.lesson.knowledge import KnowledgeBase

    knowledge = KnowledgeBase.default(get_settings().knowledge_path)
    results = knowledge.search(query, k=k, language=primary(language))
    if not results:
        fail("no matches")
    table = Table("score", "title", "license", "source")
    for passage in results:
        table.add_row(f"{passage.score:.1f}", passage.title, passage.license, passage.source_url)
    Console().print(table)


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="the organisation the key acts for (created if new)")],
    role: Annotated[Role, typer.Option(help="what the key may do")] = Role.SERVICE,
    label: Annotated[str, typer.Option(help="a note for whoever reads `keys list`")] = "",
) -> None:
    """Create a key and print it on stdout, once: the database keeps only an HMAC of its secret."""
    from cli.access import database
    from shared.db import api_keys
    from shared.domain.schemas import SLUG

    if not SLUG.match(org):
        fail(
            "--org must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", EXIT_USAGE
        )
    if len(label) > 200:
        fail("--label must be at most 200 characters", EXIT_USAGE)
    with database() as (session, pepper):
        row, token = api_keys.create_key(session, org, role, pepper, label=label)
        session.commit()
    console.print(f"created key {row.id} ({role.value}) for organisation {org}; it is shown only now:")
    print(token)


@keys_app.command("list")
def keys_list(org: Annotated[str | None, typer.Option(help="only this organisation's keys")] = None) -> None:
    """Every key's id, organisation, role, label, creation, last use and revocation (never a secret)."""
    from cli.access import database, key_table
    from shared.db import api_keys

    with database() as (session, _pepper):
        Console().print(key_table(api_keys.list_keys(session, org)))


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key id `keys list` shows")]) -> None:
    """Revoke a key: its next call is refused with 401."""
    from cli.access import database
    from shared.db import api_keys
    from shared.errors import NotFound

    with database() as (session, _pepper):
        try:
            row = api_keys.revoke_key(session, key_id)
        except NotFound:
            fail(f"no API key {key_id}", EXIT_USAGE)
        session.commit()
        console.print(f"revoked key {row.id} of organisation {row.organization_id}")


def _organization(org: str) -> None:
    from shared.domain.schemas import SLUG

    if not SLUG.match(org):
        fail(
            "--org must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", EXIT_USAGE
        )


@members_app.command("tenant")
def members_tenant(
    org: Annotated[str, typer.Option(help="the organisation (created if new)")],
    tenant: Annotated[str, typer.Option(help="the Identity Platform tenant id its people sign in through")],
) -> None:
    """Say which Identity Platform tenant signs people in to an organisation (one organisation a tenant)."""
    from cli.access import database
    from shared.db import members
    from shared.errors import Conflict

    _organization(org)
    if not tenant or len(tenant) > 128 or not tenant.isprintable():
        fail("--tenant must be 1-128 printable characters", EXIT_USAGE)
    with database() as (session, _pepper):
        try:
            members.set_tenant(session, org, tenant)
        except Conflict as exc:
            fail(str(exc), EXIT_USAGE)
        session.commit()
    console.print(f"people of tenant {tenant} sign in to organisation {org}")


@members_app.command("add")
def members_add(
    org: Annotated[str, typer.Option(help="the organisation")],
    user: Annotated[str, typer.Option(help="the person's user id (their ID token's subject)")],
    role: Annotated[Role, typer.Option(help="what they may do")] = Role.TEACHER,
    email: Annotated[str | None, typer.Option(help="for whoever reads `members list`")] = None,
) -> None:
    """Add a person to an organisation, or change their role."""
    from cli.access import database
    from shared.db import members

    _organization(org)
    if not user or len(user) > 128 or not user.isprintable():
        fail("--user must be 1-128 printable characters", EXIT_USAGE)
    with database() as (session, _pepper):
        members.add_member(session, org, user, role, email)
        session.commit()
    console.print(f"{user} is a {role.value} of {org}")


@members_app.command("list")
def members_list(org: Annotated[str, typer.Option(help="the organisation")]) -> None:
    """An organisation's members and their roles."""
    from cli.access import database, member_table
    from shared.db import members

    with database() as (session, _pepper):
        Console().print(member_table(members.list_members(session, org)))


@members_app.command("remove")
def members_remove(
    org: Annotated[str, typer.Option(help="the organisation")],
    user: Annotated[str, typer.Option(help="the person's user id")],
) -> None:
    """Remove a person: their next call is 403."""
    from cli.access import database
    from shared.db import members
    from shared.errors import NotFound

    with database() as (session, _pepper):
        try:
            members.remove_member(session, org, user)
        except NotFound as exc:
            fail(str(exc), EXIT_USAGE)
        session.commit()
    console.print(f"removed {user} from {org}")


@app.command("export")
def export_command(
    request_id: Annotated[str, typer.Argument(help="the lesson's request id")],
    format: Annotated[str, typer.Option("--format", help="scorm12, mp4 or embed")] = "scorm12",
    out: Annotated[Path | None, typer.Option(help="also copy the file here (scorm12, mp4)")] = None,
) -> None:
    """Export a completed lesson: a SCORM 1.2 package (stored beside the lesson), its MP4, or an embed snippet."""
    import shutil
    import tempfile
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    from cli.access import database
    from shared.config import get_settings
    from shared.db import repository as repo
    from shared.db.engine import make_session_factory
    from shared.domain.schemas import parse_request_id
    from shared.errors import NotFound
    from shared.export.lesson_export import FORMATS, Format, NotReady, check_ready, export_lesson
    from shared.storage.local import LocalStorage

    if format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", EXIT_USAGE)
    try:
        wanted = parse_request_id(request_id)
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)
    settings = get_settings()
    with database() as (session, _pepper):
        try:
            check_ready(repo.get_request(session, wanted))
        except NotFound:
            fail(f"no request {wanted} in {settings.database_url}", EXIT_USAGE)
        except NotReady as exc:
            fail(str(exc))
        video = repo.get_artifact(session, wanted, "video")
        if video is None or urlparse(video.uri).scheme != "file":
            fail(f"request {wanted} has no lesson video on this machine")
        assert video is not None
        # A lesson made here lies in one folder (wherever `generate --out` put it): that folder is its storage.
        storage = LocalStorage(Path(url2pathname(urlparse(video.uri).path)).parent)
        try:
            made = export_lesson(
                make_session_factory(session.get_bind().engine),
                storage,
                wanted,
                cast(Format, format),
                organization_id=None,
                workdir=settings.work_dir,
            )
        except NotReady as exc:
            fail(str(exc))
    if made.snippet is not None:
        print(made.snippet)
        return
    assert made.key is not None
    path = Path(storage.url(made.key))
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", delete=False) as partial:
            shutil.copyfile(path, partial.name)
        Path(partial.name).replace(out)  # never a partial file at --out
        path = out
    console.print(f"{made.format}: {made.bytes:,} bytes", highlight=False)
    print(path)
