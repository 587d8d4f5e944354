"""The report's sections in reading order, and every table tagged with its section: one order for every format."""

from __future__ import annotations

from ..records import Report
from .bias_tables import judge_tables
from .checkpoints import checkpoint_tables
from .fidelity_tables import health_table, language_table, tokens_table, usage_table
from .order import SECTIONS
from .overview import headline_table
from .pairwise_tables import baseline_grids, baseline_tables, pairwise_tables
from .tables import (
    Table,
    agreement_tables,
    by_dimension,
    discrimination_table,
    grids,
    leaderboard,
    safety_table,
    seabench_v2,
)

# The report's sections, in reading order: (id, heading). Every format uses this order.


def all_tables(report: Report) -> list[Table]:
    """Every table, each tagged with its section, in the sections' reading order."""
    groups = {
        "overview": [headline_table(report), *leaderboard(report)],
        "checkpoints": checkpoint_tables(report),
        "language": [*by_dimension(report, "lang"), *grids(report), *seabench_v2(report)],
        "category": [*by_dimension(report, "category"), *discrimination_table(report)],
        "baseline": [*baseline_grids(report), *baseline_tables(report)],
        "head-to-head": pairwise_tables(report),
        "judges": [*agreement_tables(report), *judge_tables(report)],
        "safety": safety_table(report),
        "fidelity": [*language_table(report), *health_table(report)],
        "cost": [*([tokens_table(report.tokens)] if report.tokens else []), *usage_table(report)],
    }
    out = []
    for section, _ in SECTIONS:
        for t in groups.get(section, []):
            t.section = section
            out.append(t)
    return out
