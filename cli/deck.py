"""`vividly deck`: a PPTX in, a narrated presenter clip per slide out, with a live table per slide."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console, Group
from rich.live import Live
from rich.table import Table

from shared.config import Settings
from shared.errors import InvalidInput
from shared.presenter.batch import Manifest
from shared.presenter.clip import Placement, Presenter
from shared.presenter.deck_run import DeckJob, run_deck
from shared.presenter.hosted import DId, HeyGen, HostedAvatar
from shared.presenter.portrait import load_pack, write_default_pack
from shared.presenter.renderers import HostedRenderer, OfflineRenderer
from shared.presenter.track import Motion

STYLE = {"done": "green", "running": "yellow", "failed": "red", "skipped": "cyan", "queued": "dim"}


def presenter_of(portrait: Path | None, corner: str, height: float) -> Presenter:
    """The pack given (checked now, so no slide fails later for it) or the project's own drawn one."""
    pack = (
        load_pack(portrait)
        if portrait
        else write_default_pack(Path(tempfile.mkdtemp(prefix="vividly-pack-")))
    )
    return Presenter(pack, Placement(corner=corner, height=height), Motion())


def hosted_renderer(name: str, settings: Settings, placement: Placement) -> HostedRenderer:
    """HeyGen or D-ID from the settings; InvalidInput naming the variable that is missing."""
    missing: list[str] = []

    def need(value: object, variable: str) -> str:
        if value is None:
            missing.append(variable)
            return ""
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)

    provider: HostedAvatar
    if name == "heygen":
        key = need(settings.heygen_api_key, "HEYGEN_API_KEY")
        avatar = need(settings.heygen_avatar_id, "HEYGEN_AVATAR_ID")
        voice = need(settings.heygen_voice_id, "HEYGEN_VOICE_ID")
        provider, identity = (
            HeyGen(key, avatar, voice, base_url=settings.heygen_base_url),
            {"avatar": avatar, "voice": voice},
        )
    else:
        key = need(settings.did_api_key, "DID_API_KEY")
        source = need(settings.did_source_url, "DID_SOURCE_URL")
        provider, identity = DId(key, source, base_url=settings.did_base_url), {"source": source}
    if missing:
        raise InvalidInput(
            [{"field": "presenter", "reason": f"--presenter {name} needs {', '.join(missing)} set"}]
        )
    return HostedRenderer(provider, placement, identity)


def table_of(manifest: Manifest) -> Group:
    table = Table(title=f"{manifest.deck}", title_justify="left")
    for column in ("slide", "title", "narrated from", "status", "clip", "length", "provider"):
        table.add_column(column)
    for entry in manifest.slides:
        status = entry.status + (f" ({entry.reason})" if entry.status == "skipped" and entry.reason else "")
        table.add_row(
            str(entry.number),
            (entry.title or "—")[:40],
            entry.narrated_from,
            f"[{STYLE.get(entry.status, 'white')}]{status}[/]",
            entry.clip or "",
            f"{entry.duration_s:.1f} s" if entry.duration_s else "",
            entry.provider + (f" {entry.job_id}" if entry.job_id else ""),
            end_section=False,
        )
        if entry.error:
            table.add_row("", f"[red]{entry.error[:100]}[/]", "", "", "", "", "")
    counts = manifest.counts()
    line = ", ".join(
        f"{counts[k]} {k}" for k in ("done", "running", "failed", "skipped", "queued") if counts[k]
    )
    return Group(table, f"{counts['total']} slides: {line}")


def run(job: DeckJob, console: Console) -> Manifest:
    with Live(console=console, refresh_per_second=4, transient=False) as live:

        def show(manifest: Manifest) -> None:
            live.update(table_of(manifest))

        job.on_change = show
        manifest = run_deck(job)
    console.print()
    return manifest


def present_course_decks(
    summary: dict[str, Any], presenter: Presenter, console: Console, max_concurrent: int
) -> dict[int, Path]:
    """A presenter video for every course deck a learning path made (seed 000's last step); the
    whole-deck video of each course that got one, by course position."""
    made = {}
    for entry in summary["courses"]:
        deck = entry["files"].get("deck")
        if not deck:
            continue
        folder = Path(deck).parent / "presenter"
        job = DeckJob(Path(deck), folder, OfflineRenderer(presenter), max_concurrent=max_concurrent)
        manifest = run(job, console)
        if (folder / "deck.mp4").exists() and not manifest.counts()["failed"]:
            made[entry["course"]["position"]] = folder / "deck.mp4"
    return made
