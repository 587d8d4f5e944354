"""Typed records that move between stages, in one home: inputs and facts (`core`), what checks measure (`checks`),
results (`results`), what can sway a judge (`bias`) and what the HTML report adds to them (`browser`).

Facts are frozen; nothing between stages is a dict.
"""

from .bias import JudgeChoice, LengthControlRow, LengthRow, PositionRow, SelfPreferenceRow, StyleCoef, StyleRating
from .browser import BrowserAnswer, BrowserJudgment, BrowserQuestion, BrowserRating, RunFacts
from .checks import LanguageCheck, ScriptHealth, TokenRow
from .core import (
    SEA_BENCH_CATEGORIES,
    Answer,
    Bench,
    BenchCell,
    Completion,
    Failure,
    GenerationSettings,
    JudgeConfig,
    Judgment,
    Message,
    ModelRun,
    PairOutcome,
    PairRating,
    Question,
    RateLimits,
    Rating,
    Record,
    Usage,
    Verdict,
    Winner,
)
from .results import (
    ALL,
    HUMAN,
    AgreementRow,
    CompareCell,
    Coverage,
    Difference,
    HealthRate,
    LanguageRate,
    LeaderRow,
    PairCell,
    PlanRow,
    RatingRow,
    Report,
    ScoreCell,
    Settings,
    UsageRow,
)

__all__ = [
    "SEA_BENCH_CATEGORIES", "Answer", "Bench", "BenchCell", "Completion", "Failure", "GenerationSettings",
    "JudgeConfig", "Judgment", "LanguageCheck", "Message", "ModelRun", "PairOutcome", "PairRating", "Question",
    "RateLimits", "Rating", "Record", "ScriptHealth", "TokenRow", "Usage", "Verdict", "Winner", "AgreementRow",
    "BrowserAnswer", "BrowserJudgment", "BrowserQuestion", "BrowserRating", "CompareCell", "Coverage", "Difference", "HealthRate",
    "LanguageRate", "LeaderRow", "JudgeChoice", "LengthControlRow", "SelfPreferenceRow", "StyleCoef", "StyleRating", "LengthRow",
    "PositionRow", "PairCell", "PlanRow", "RatingRow", "Report", "RunFacts", "ScoreCell", "Settings", "UsageRow",
    "ALL", "HUMAN",
]
