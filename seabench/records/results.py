"""Records of what the statistics return and a report shows: every table's rows, and the Report they make up.

Terminal, Markdown, CSV, JSON and HTML are all formatted from one Report, so they never disagree.
"""

from __future__ import annotations

from typing import Literal

from .core import Record, TokenRow

ALL = "all"
"""The margin over a dimension: every language, every category, every turn or every opponent."""
HUMAN = "human"
"""The judge name under which imported human ratings are reported."""


class Settings(Record):
    rounds: int = 1000
    """Bootstrap rounds (Bradley–Terry and agreement; means use a closed-form interval)."""
    seed: int = 0
    confidence: float = 0.95
    min_n: int = 10
    """Cells with fewer questions than this are marked `low_n` in every format."""


class ScoreCell(Record):
    """Mean 1–10 score of one model under one judge in one language × category × turn cell (or an `all` margin)."""

    model: str
    judge: str
    """The judge's name, or `human` for imported ratings."""
    lang: str
    category: str
    turn: str
    """`1`, `2` or `all`."""
    n: int
    """Scored judgments averaged (every sample and every annotator of an item counts once)."""
    questions: int
    """Questions behind them: the independent units the interval is built on."""
    mean: float | None
    ci_low: float | None
    """None with fewer than two questions: there is no honest interval."""
    ci_high: float | None
    unscored: int
    scheme: str
    """How the interval's variance was estimated: `questions` (one cell), `stratified` by language × category (a
    margin), `stratified, N thin strata pooled`, or `none`."""
    low_n: bool
    """Fewer questions than the report's --min-n."""


class LeaderRow(Record):
    model: str
    judge: str
    n: int
    questions: int
    mean: float | None
    """Pooled over every scored judgment."""
    ci_low: float | None
    ci_high: float | None
    turn1: float | None
    turn2: float | None
    seabench_avg: float | None
    """SeaBench v2's overall figure: (mean of turn 1 + mean of turn 2) / 2."""
    macro_lang: float | None
    """Mean of the per-language means, so a language with more questions does not dominate."""
    macro_low: float | None
    macro_high: float | None
    languages: int
    unscored: int


class PairCell(Record):
    model: str
    opponent: str
    """Another model, or `all` (every opponent pooled)."""
    judge: str
    lang: str
    category: str
    n: int
    """Scored outcomes (items × samples)."""
    questions: int
    """Questions behind them: the interval's independent units."""
    wins: int
    ties: int
    losses: int
    adjusted: float | None
    """(wins + ½ ties) / n."""
    ci_low: float | None
    ci_high: float | None
    inconsistent: int
    """Items whose two orders disagreed (counted as ties)."""
    unscored: int
    scheme: str
    """How the interval's variance was estimated (see ScoreCell.scheme)."""


class RatingRow(Record):
    """Bradley–Terry rating on the Elo scale (mean 1000), from pairwise outcomes."""

    model: str
    judge: str
    rating: float
    ci_low: float
    ci_high: float
    games: int
    note: str | None = None
    """`never won` / `never lost`: its rating rests on the prior (one virtual tie with each opponent)."""


class CompareCell(Record):
    lang: str
    category: str
    n: int
    """Questions scored for both models (each question's turns and samples pooled into it)."""
    mean_a: float | None
    """Pooled mean of A over those questions: the same rule as the report's means."""
    mean_b: float | None
    diff: float | None
    """mean_a − mean_b."""
    ci_low: float | None
    """None with fewer than two questions."""
    ci_high: float | None
    p: float | None
    """Two-sided paired t test on questions, the test that matches the interval (p < 0.05 exactly when the 95%
    interval excludes 0)."""
    p_adj: float | None
    """Holm-adjusted over every cell reported."""
    underpowered: bool
    significant: bool
    scheme: str
    """How the variance was estimated (see ScoreCell.scheme)."""


class AgreementRow(Record):
    kind: Literal["judge-human", "annotator-annotator", "annotator panel", "pairwise judge-human", "pairwise annotator-annotator"]
    a: str
    """A judge or an annotator; a panel row lists its annotators."""
    b: str
    lang: str
    category: str
    n: int
    """Rating pairs compared (a panel row: items rated by two or more annotators)."""
    items: int
    """Distinct items behind them: the intervals resample these."""
    spearman: float | None = None
    spearman_low: float | None = None
    spearman_high: float | None = None
    kendall: float | None = None
    kappa: float | None = None
    """Quadratic-weighted on rounded 1–10 scores; unweighted on A/B/tie for pairwise."""
    kappa_low: float | None = None
    kappa_high: float | None = None
    exact: float | None = None
    within_one: float | None = None
    alpha: float | None = None
    """Krippendorff's alpha (interval): on annotator pairs and panels."""
    alpha_low: float | None = None
    alpha_high: float | None = None


class LanguageRate(Record):
    model: str
    lang: str
    checked: int
    ok: int
    wrong: int
    """wrong-language or wrong-script."""
    mixed: int
    uncertain: int
    rate: float | None
    """(wrong + mixed) / checked."""


class HealthRate(Record):
    """How many of a model's answers in one language show each script problem."""

    model: str
    lang: str
    checked: int
    not_nfc: int
    zawgyi: int
    truncated: int
    broken_cluster: int
    cut_mid_word: int
    repetitive: int
    wrong_script: int
    """From the language check: written in another language's script (a Lao question answered in Thai)."""
    mixed: int


class UsageRow(Record):
    name: str
    role: str
    """`candidate` or `judge`."""
    items: int
    """Answers stored (candidate) or judgments stored (judge)."""
    failures: int
    unscored: int
    flagged: int
    input_tokens: int
    output_tokens: int
    cost_usd: float | None


class BrowserJudgment(Record):
    judge: str
    verdict: str
    """The score, `A`/`B`/`tie` with the opponent, or `unscored`."""
    text: str
    flags: tuple[str, ...] = ()


class BrowserAnswer(Record):
    model: str
    turn: int
    text: str
    language: str
    """The language check's verdict (and what it detected)."""
    health: tuple[str, ...] = ()
    """Script-health flags: not-nfc, zawgyi, truncated, broken-cluster, cut-mid-word, repetitive."""
    judgments: tuple[BrowserJudgment, ...] = ()


class BrowserQuestion(Record):
    bench: str
    question_id: str
    lang: str
    category: str
    turns: tuple[str, ...]
    references: tuple[str | None, ...] | None
    answers: tuple[BrowserAnswer, ...]


class Report(Record):
    settings: Settings
    models: tuple[str, ...]
    judges: tuple[str, ...]
    leaderboard: tuple[LeaderRow, ...]
    cells: tuple[ScoreCell, ...]
    pairs: tuple[PairCell, ...]
    ratings: tuple[RatingRow, ...]
    agreement: tuple[AgreementRow, ...]
    language: tuple[LanguageRate, ...]
    health: tuple[HealthRate, ...] = ()
    tokens: tuple[TokenRow, ...] = ()
    """The latest `seabench tokens` measurement in the store."""
    usage: tuple[UsageRow, ...]
    browser: tuple[BrowserQuestion, ...] = ()


class PlanRow(Record):
    """One model × language line of a dry-run plan."""

    model: str
    lang: str
    requests: int
    input_tokens: int
    """Estimated; earlier answers not yet stored are counted at --max-tokens, so this is an upper bound."""
    max_output_tokens: int
    max_cost_usd: float | None
    token_source: str
    """`tokenizer` (the model's own) or `estimate` (UTF-8 bytes ÷ 4)."""
