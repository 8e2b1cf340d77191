"""How the finished lesson's length compares with what was asked (pure)."""

from __future__ import annotations

# A lesson within this share of the minutes asked is the length asked.
TOLERANCE = 0.2


def format_duration(duration_s: float) -> str:
    """65.4 -> '1 min 5 s', 120 -> '2 min', 42 -> '42 s'."""
    minutes, seconds = divmod(round(duration_s), 60)
    if not minutes:
        return f"{seconds} s"
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def length_warning(duration_s: float, minutes: int) -> str | None:
    """A user-facing warning when the lesson runs outside ±20 % of `minutes`, else None."""
    asked_s = minutes * 60
    asked = f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    runs = format_duration(duration_s)
    if duration_s < asked_s * (1 - TOLERANCE):
        return (
            f"This lesson runs {runs}, shorter than the {asked} asked: the sources hold little on this topic."
        )
    if duration_s > asked_s * (1 + TOLERANCE):
        return (
            f"This lesson runs {runs}, longer than the {asked} asked: "
            "the narration and quiz pauses took more time than planned."
        )
    return None
