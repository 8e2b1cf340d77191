"""Read terraform/*.tf with python-hcl2 into plain dicts: {"resource": {type: {name: body}}, "variable": {...}}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items() if k != "__is_block__"}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def load_terraform(folder: Path) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {
        "resource": {},
        "variable": {},
        "data": {},
        "output": {},
        "locals": {},
    }
    for path in sorted(folder.glob("*.tf")):
        parsed = _clean(hcl2.load(path.open()))
        for block in parsed.get("resource", []):
            for kind, named in block.items():
                merged["resource"].setdefault(kind, {}).update(named)
        for section in ("variable", "data", "output", "locals"):
            for block in parsed.get(section, []):
                merged[section].update(block)
    return merged


def walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair anywhere inside a parsed body."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found.append((k, v))
            found += walk(v, k)
    elif isinstance(value, list):
        for item in value:
            found += walk(item, key)
    return found
