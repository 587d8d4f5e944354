"""Checks that need no LLM, stored per answer: is it in the right language and script, and is the script healthy?

Run by `check`, `judge` and `eval`; a report only reads what they stored.
"""

from __future__ import annotations

from ..store import Store
from .language import check_language, run_language_checks
from .script_health import check_health, run_health_checks

__all__ = ["check_health", "check_language", "run_checks"]


def run_checks(store: Store) -> dict[str, int]:
    """Every check on the answers that lack it: {kind: answers checked now}."""
    return {"language": run_language_checks(store), "script-health": run_health_checks(store)}
