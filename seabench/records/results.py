"""Records of what the statistics return and a report shows: every table's rows, and the Report they make up.

Terminal, Markdown, CSV, JSON and HTML are all formatted from one Report, so they never disagree.
"""

from __future__ import annotations

from typing import Literal

from .bias import JudgeChoice, LengthControlRow, LengthRow, PositionRow, SelfPreferenceRow, StyleCoef, StyleRating
from .browser import BrowserQuestion, RunFacts
from .checks import TokenRow
from .core import Record
from .overview import Coverage, Difference
from .series import CheckpointChange, CheckpointRow, DiscriminationRow

ALL = "all"
"""The margin over a dimension: every language, every category, every turn or every opponent."""
HUMAN = "human"
"""The judge name under which imported human ratings are reported."""


class Settings(Record):
    rounds: int = 1000
    """Bootstrap rounds (Bradley–Terry and agreement; means use a closed-form interval)."""
    seed: int = 0
    """Seed of every bootstrap (named streams: adding a model never changes another's)."""
    confidence: float = 0.95
    """Interval level."""
    min_n: int = 10
    """Cells with fewer questions than this are marked `low_n` in every format."""


class ScoreCell(Record):
    """Mean 1–10 score of one model under one judge in one language × category × turn cell (or an `all` margin)."""

    model: str
    """The model's stored name."""
    judge: str
    """The judge's name, or `human` for imported ratings."""
    lang: str
    """ISO 639-1 code of the questions' language, or `all`."""
    category: str
    """The questions' category, or `all`."""
    turn: str
    """`1`, `2` or `all`."""
    n: int
    """Scored judgments averaged (every sample and every annotator of an item counts once)."""
    questions: int
    """Questions behind them: the independent units the interval is built on."""
    mean: float | None
    """Pooled mean of the scored judgments; None when nothing was scored."""
    ci_low: float | None
    """None with fewer than two questions: there is no honest interval."""
    ci_high: float | None
    """Upper end; None with fewer than two questions or no spread."""
    unscored: int
    """Judgments left out of the mean: no usable verdict."""
    scheme: str
    """How the interval's variance was estimated: `questions` (one cell), `stratified` by language × category (a
    margin), `stratified, N thin strata pooled`, or `none`."""
    low_n: bool
    """Fewer questions than the report's --min-n."""


class LeaderRow(Record):
    model: str
    """The model's stored name."""
    rank: int | None = 1
    """1 + the number of models (same judge) whose interval lies wholly above this one's: ranks respect intervals, as
    Chatbot Arena's do, so models that cannot be told apart share a rank. None when nothing was scored: no rank."""
    judge: str
    """The judge's stored name, or `human` for annotators."""
    n: int
    """Scored judgments."""
    questions: int
    """Questions behind them."""
    mean: float | None
    """Pooled over every scored judgment."""
    ci_low: float | None
    """95% interval of the pooled mean (questions as the unit)."""
    ci_high: float | None
    """Upper end."""
    turn1: float | None
    """Pooled mean of turn-1 judgments."""
    turn2: float | None
    """Pooled mean of turn-2 judgments."""
    seabench_avg: float | None
    """SeaBench v2's overall figure: (mean of turn 1 + mean of turn 2) / 2."""
    macro_lang: float | None
    """Mean of the per-language means, so a language with more questions does not dominate."""
    self_judged: str | None = None
    """`same model` or `same family` when the judge graded its own model or its own family's (see
    `SelfPreferenceRow`)."""
    macro_low: float | None
    """95% interval of the macro average."""
    macro_high: float | None
    """Upper end."""
    languages: int
    """Languages in the macro average."""
    unscored: int
    """Judgments left out of the mean: no usable verdict."""


class PairCell(Record):
    model: str
    """The model whose wins are counted."""
    opponent: str
    """Another model, or `all` (every opponent pooled)."""
    judge: str
    """The judge's stored name, or `human` for annotators."""
    lang: str
    """ISO 639-1 code of the questions' language, or `all`."""
    category: str
    """The questions' category, or `all`."""
    n: int
    """Scored outcomes (items × samples)."""
    questions: int
    """Questions behind them: the interval's independent units."""
    wins: int
    """Items it won (both orders agreeing)."""
    ties: int
    """Items tied, or whose orders disagreed."""
    losses: int
    """Items it lost."""
    adjusted: float | None
    """(wins + ½ ties) / n."""
    ci_low: float | None
    """Lower end of the 95% interval; None where there is no honest one."""
    ci_high: float | None
    """Upper end of the 95% interval; None where there is no honest one."""
    inconsistent: int
    """Items whose two orders disagreed (counted as ties)."""
    unscored: int
    """Judgments left out of the mean: no usable verdict."""
    scheme: str
    """How the interval's variance was estimated (see ScoreCell.scheme)."""


class RatingRow(Record):
    """Bradley–Terry rating on the Elo scale (mean 1000), from pairwise outcomes."""

    model: str
    """The model's stored name."""
    judge: str
    """The judge's stored name, or `human` for annotators."""
    rating: float
    """Elo-scale rating (mean 1000)."""
    ci_low: float
    """95% interval from resampling questions."""
    ci_high: float
    """Upper end."""
    games: int
    """Scored outcomes it played."""
    note: str | None = None
    """`never won` / `never lost`: its rating rests on the prior (one virtual tie with each opponent)."""


class CompareCell(Record):
    lang: str
    """ISO 639-1 code, or `all`."""
    category: str
    """Category, or `all`."""
    n: int
    """Questions scored for both models (each question's turns and samples pooled into it)."""
    mean_a: float | None
    """Pooled mean of A over those questions: the same rule as the report's means."""
    mean_b: float | None
    """Pooled mean of B over the same questions."""
    diff: float | None
    """mean_a − mean_b."""
    ci_low: float | None
    """None with fewer than two questions."""
    ci_high: float | None
    """Upper end."""
    p: float | None
    """Two-sided paired t test on questions, the test that matches the interval (p < 0.05 exactly when the 95%
    interval excludes 0)."""
    p_adj: float | None
    """Holm-adjusted over every cell reported."""
    underpowered: bool
    """Fewer paired questions than --min-n: read the interval, not the p-value."""
    significant: bool
    """p_adj below 0.05."""
    scheme: str
    """How the variance was estimated (see ScoreCell.scheme)."""


class AgreementRow(Record):
    kind: Literal[
        "judge-human",
        "judge-judge",
        "annotator-annotator",
        "annotator panel",
        "pairwise judge-human",
        "pairwise judge-judge",
        "pairwise annotator-annotator",
    ]
    """What is compared with what."""
    a: str
    """A judge or an annotator; a panel row lists its annotators."""
    b: str
    """The other side: `human`, another judge, an annotator, or empty on a panel row."""
    lang: str
    """ISO 639-1 code of the questions' language, or `all`."""
    category: str
    """The questions' category, or `all`."""
    n: int
    """Rating pairs compared (a panel row: items rated by two or more annotators)."""
    items: int
    """Distinct items behind them: the intervals resample these."""
    spearman: float | None = None
    """Spearman's rank correlation."""
    spearman_low: float | None = None
    """95% interval, resampling items."""
    spearman_high: float | None = None
    """Upper end."""
    kendall: float | None = None
    """Kendall's tau-b."""
    kappa: float | None = None
    """Quadratic-weighted on rounded 1–10 scores; unweighted on A/B/tie for pairwise."""
    kappa_low: float | None = None
    """95% interval, resampling items."""
    kappa_high: float | None = None
    """Upper end."""
    exact: float | None = None
    """Share of pairs in exact agreement (scores rounded half up)."""
    within_one: float | None = None
    """Share of score pairs within one point."""
    alpha: float | None = None
    """Krippendorff's alpha (interval): on annotator pairs and panels."""
    alpha_low: float | None = None
    """95% interval, resampling items."""
    alpha_high: float | None = None
    """Upper end."""


class LanguageRate(Record):
    model: str
    """The model's stored name."""
    lang: str
    """ISO 639-1 code, or `all`."""
    checked: int
    """Answers checked."""
    ok: int
    """Answers in the expected language and script."""
    wrong: int
    """wrong-language or wrong-script."""
    mixed: int
    """Answers mixing the expected script with another."""
    uncertain: int
    """Too little text to tell, or empty."""
    rate: float | None
    """(wrong + mixed) / checked."""
    switched: float | None = None
    """Mean code-switched share over the answers it was measured on (see `LanguageCheck.switched`)."""
    switched_n: int = 0
    """Answers it was measured on."""


class HealthRate(Record):
    """How many of a model's answers in one language show each script problem."""

    model: str
    """The model's stored name."""
    lang: str
    """ISO 639-1 code, or `all`."""
    checked: int
    """Answers checked."""
    not_nfc: int
    """Answers not in Unicode NFC."""
    zawgyi: int
    """Burmese answers in Zawgyi."""
    truncated: int
    """Answers cut at the token limit."""
    broken_cluster: int
    """Answers ending inside a grapheme cluster."""
    cut_mid_word: int
    """Truncated inside a word."""
    repetitive: int
    """Answers that loop."""
    wrong_script: int
    """From the language check: written in another language's script (a Lao question answered in Thai)."""
    mixed: int
    """From the language check: mixed script."""


class UsageRow(Record):
    name: str
    """A model's or a judge's stored name."""
    role: str
    """`candidate` or `judge`."""
    items: int
    """Answers stored (candidate) or judgments stored (judge)."""
    failures: int
    """Requests that still fail (retried next run)."""
    unscored: int
    """Judgments without a usable verdict."""
    flagged: int
    """A candidate's answers that try to steer a judge (counted on the model that wrote them; 0 on a judge's row)."""
    input_tokens: int
    """Prompt tokens, as the APIs counted them."""
    output_tokens: int
    """Reply tokens."""
    cost_usd: float | None
    """At the price table's prices; None without a known price."""


class Report(Record):
    settings: Settings
    """How the statistics were run."""
    primary_judge: str | None = None
    """The judge the headline stands on: the one chosen, else the panel, else the one LLM judge, else `human`."""
    differences: tuple[Difference, ...] = ()
    """Significant differences between models under the primary judge (single scores), largest first."""
    coverage: Coverage | None = None
    """The questions the rankings use, and what was left out."""
    facts: RunFacts | None = None
    """The run's facts, for the report's header."""
    models: tuple[str, ...]
    """Every model in the report."""
    judges: tuple[str, ...]
    """Every judge in the report (`human` for annotators)."""
    baselines: tuple[str, ...] = ()
    """Models whose answers a bench shipped (Sea-bench's chatgpt_response): the seed's pairwise opponent."""
    leaderboard: tuple[LeaderRow, ...]
    """One row per model and judge."""
    cells: tuple[ScoreCell, ...]
    """Scores per language × category × turn, with margins."""
    pairs: tuple[PairCell, ...]
    """Pairwise results per cell and opponent."""
    ratings: tuple[RatingRow, ...]
    """Bradley–Terry ratings."""
    agreement: tuple[AgreementRow, ...]
    """Judge–human and annotator agreement."""
    language: tuple[LanguageRate, ...]
    """Wrong-language rates."""
    health: tuple[HealthRate, ...] = ()
    """Script-health rates."""
    lengths: tuple[LengthRow, ...] = ()
    """Answer length per model × language."""
    safety: tuple[ScoreCell, ...] = ()
    """Safety scores apart for harmful requests and harmless ones that only sound risky (`harmless`-tagged
    questions)."""
    position: tuple[PositionRow, ...] = ()
    """Position bias per judge × language."""
    length_control: tuple[LengthControlRow, ...] = ()
    """Length-controlled win rates per judge, model, opponent and language."""
    style_ratings: tuple[StyleRating, ...] = ()
    """Style-controlled Bradley–Terry ratings (beside the raw `ratings`)."""
    style_coefs: tuple[StyleCoef, ...] = ()
    """The fitted style coefficients of each judge."""
    judge_choice: tuple[JudgeChoice, ...] = ()
    """The judge that agrees best with people, per language (when human ratings exist)."""
    self_preference: tuple[SelfPreferenceRow, ...] = ()
    """Each judge's scores for its own family against the other judges' (with two or more judges)."""
    tokens: tuple[TokenRow, ...] = ()
    """The latest `seabench tokens` measurement in the store."""
    usage: tuple[UsageRow, ...]
    """Tokens, failures and cost per model and judge."""
    discrimination: tuple[DiscriminationRow, ...] = ()
    """Where the bench separates the models under the headline judge: ceiling, floor and item discrimination."""
    checkpoints: tuple[CheckpointRow, ...] = ()
    """The Checkpoints section (report --checkpoints): each checkpoint's scores against its step."""
    checkpoint_changes: tuple[CheckpointChange, ...] = ()
    """Significant changes between consecutive checkpoints."""
    browser: tuple[BrowserQuestion, ...] = ()
    """Every question with its answers and judgments (HTML only)."""


class PlanRow(Record):
    """One model × language line of a dry-run plan."""

    model: str
    """The model's stored name."""
    lang: str
    """ISO 639-1 code of the questions' language, or `all`."""
    requests: int
    """Requests to send."""
    input_tokens: int
    """Estimated; earlier answers not yet stored are counted at --max-tokens, so this is an upper bound."""
    max_output_tokens: int
    """Reply tokens at most (requests × --max-tokens)."""
    max_cost_usd: float | None
    """The most it can cost."""
    token_source: str
    """`tokenizer` (the model's own) or `estimate` (UTF-8 bytes ÷ 4)."""
