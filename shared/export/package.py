"""A SCORM 1.2 zip of a lesson, written whole or not at all, and the structural checks an LMS makes of one."""

from __future__ import annotations

import os
import secrets
import zipfile
from importlib import resources
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse
from xml.etree import ElementTree as ET

from shared.export.scorm12 import (
    ADLCP,
    IMSCP,
    LESSON_FILES,
    PLAYER_FILES,
    LessonPage,
    index_html,
    manifest_xml,
)

MANIFEST = "imsmanifest.xml"
# Already compressed: storing them saves the time deflate would spend for nothing.
STORED_SUFFIXES = (".mp4", ".jpg")
# One timestamp for every entry: the same lesson always makes the same bytes, so a digest can name the zip.
ENTRY_TIME = (2020, 1, 1, 0, 0, 0)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=ENTRY_TIME)
    entry.compress_type = zipfile.ZIP_STORED if name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data)


def write_scorm12(page: LessonPage, lesson_files: dict[str, Path], dest: Path) -> Path:
    """Write the package to `dest`, through a temporary name beside it: nothing partial is ever at `dest`."""
    missing = [name for name in LESSON_FILES if name not in lesson_files]
    if missing:
        raise ValueError(f"the lesson lacks {', '.join(missing)}")
    assets = resources.files("shared.export") / "assets"
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            _add(archive, "index.html", index_html(page).encode())
            for name in PLAYER_FILES:
                _add(archive, name, (assets / name).read_bytes())
            for name in LESSON_FILES:
                _add(archive, name, lesson_files[name].read_bytes())
            files = ["index.html", *PLAYER_FILES, *LESSON_FILES]
            _add(archive, MANIFEST, manifest_xml(page, files).encode())
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


def _relative(href: str) -> bool:
    parsed = urlparse(href)
    path = PurePosixPath(parsed.path)
    return not parsed.scheme and not parsed.netloc and not path.is_absolute() and ".." not in path.parts


def check_scorm12(package: Path) -> list[str]:
    """What is wrong with a SCORM 1.2 package, as an LMS importing it would find it (empty: nothing)."""
    problems: list[str] = []
    with zipfile.ZipFile(package) as archive:
        names = {info.filename for info in archive.infolist() if not info.is_dir()}
        if MANIFEST not in names:
            return [f"no {MANIFEST} at the root of the zip"]
        try:
            root = ET.fromstring(archive.read(MANIFEST))
        except ET.ParseError as exc:
            return [f"{MANIFEST} is not XML: {exc}"]
    ns = {"cp": IMSCP, "adlcp": ADLCP}
    if root.tag != f"{{{IMSCP}}}manifest":
        problems.append(f"the root element is {root.tag}, not an IMS CP 1.1.2 manifest")
    if root.findtext("cp:metadata/cp:schema", namespaces=ns) != "ADL SCORM":
        problems.append("metadata/schema is not 'ADL SCORM'")
    if root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) != "1.2":
        problems.append("metadata/schemaversion is not 1.2")
    identifiers = [element.get("identifier") for element in root.iter() if element.get("identifier")]
    if len(identifiers) != len(set(identifiers)):
        problems.append("identifiers are not unique")
    organizations = root.find("cp:organizations", ns)
    organization_ids = {o.get("identifier") for o in root.findall("cp:organizations/cp:organization", ns)}
    if organizations is None or organizations.get("default") not in organization_ids:
        problems.append("organizations/@default names no organization")
    resources_by_id = {r.get("identifier"): r for r in root.findall("cp:resources/cp:resource", ns)}
    items = root.findall("cp:organizations/cp:organization//cp:item", ns)
    if not items:
        problems.append("no item in the organization")
    for item in items:
        if item.get("identifierref") not in resources_by_id:
            problems.append(f"item {item.get('identifier')} refers to no resource")
        mastery = item.findtext("adlcp:masteryscore", namespaces=ns)
        if mastery is not None and not (mastery.isdigit() and 0 <= int(mastery) <= 100):
            problems.append(f"masteryscore {mastery!r} is not 0-100")
    listed: set[str] = set()
    for resource in resources_by_id.values():
        if resource.get(f"{{{ADLCP}}}scormtype") not in ("sco", "asset"):
            problems.append(f"resource {resource.get('identifier')} has no adlcp:scormtype sco or asset")
        hrefs = [resource.get("href")] + [f.get("href") for f in resource.findall("cp:file", ns)]
        for href in filter(None, hrefs):
            if not _relative(href):
                problems.append(f"{href} is not a relative href")
            elif urlparse(href).path not in names:
                problems.append(f"{href} is listed but not in the zip")
            listed.add(urlparse(href).path)
    for name in sorted(names - listed - {MANIFEST}):
        problems.append(f"{name} is in the zip but listed by no resource")
    return problems
