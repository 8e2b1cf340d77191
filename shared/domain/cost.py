"""Per-request cost estimate from measured usage. Pure. Prices are list prices (USD) as of 2026-11;
the estimate is a guide for operators, not a bill.
"""

from __future__ import annotations

PRICES_USD = {
    "llm_input_tokens": 0.30 / 1_000_000,  # Gemini 2.5 Flash input
    "llm_output_tokens": 2.50 / 1_000_000,  # Gemini 2.5 Flash output
    "cloud_tts_characters": 16.0 / 1_000_000,  # Neural2 voices
    "compute_seconds": 2 * 0.000018 + 2 * 0.000002,  # Cloud Run job: 2 vCPU + 2 GiB per second
}


def estimate(usage: dict[str, float]) -> dict[str, float]:
    """Usage plus `estimated_usd`; offline engines (espeak, the composer) cost nothing but compute."""
    total = sum(PRICES_USD.get(key, 0.0) * value for key, value in usage.items())
    return {**usage, "estimated_usd": round(total, 6)}


def merge(current: dict[str, float] | None, added: dict[str, float]) -> dict[str, float]:
    merged = dict(current or {})
    for key, value in added.items():
        merged[key] = round(merged.get(key, 0) + value, 3)
    return merged
