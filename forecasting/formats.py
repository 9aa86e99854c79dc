"""Money as people read it: £m for summaries (negatives in brackets), whole pounds in prose."""

from __future__ import annotations

# Below half a pound (or £0.05m) a figure shows as nil, never as a signed zero.
HALF_POUND = 0.5
HALF_TENTH_MILLION = 50_000


def millions(v: float) -> str:
    """``12.9`` for £12.9m in a table; negatives as ``(2.0)``."""
    v = 0.0 if abs(v) < HALF_TENTH_MILLION else v
    return f"({abs(v) / 1e6:,.1f})" if v < 0 else f"{v / 1e6:,.1f}"


def prose_millions(v: float) -> str:
    """``£12.9m`` in a sentence (``−£2.0m`` for a negative)."""
    v = 0.0 if abs(v) < HALF_TENTH_MILLION else v
    return f"−£{-v / 1e6:,.1f}m" if v < 0 else f"£{v / 1e6:,.1f}m"


def pounds(v: float) -> str:
    """``£12,917,241``; negatives as ``-£3``."""
    v = 0.0 if abs(v) < HALF_POUND else v
    return f"-£{-v:,.0f}" if v < 0 else f"£{v:,.0f}"
