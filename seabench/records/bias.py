"""What can sway a judge besides quality, as the report shows it: answer length, position bias, length-controlled
win rates (see `aggregate/bias.py`)."""

from __future__ import annotations

from .core import Record


class LengthRow(Record):
    """How long one model's answers are in one language: a judge's taste for long answers shows against this."""

    model: str
    """The model's stored name."""
    lang: str
    """ISO 639-1 code, or `all`."""
    answers: int
    """Answers measured (every turn)."""
    questions: int
    """Questions behind them: the interval's unit."""
    chars: float | None
    """Mean length in Unicode characters (code points: Thai, Khmer and Burmese marks count as characters)."""
    chars_low: float | None
    """95% interval, questions as the unit."""
    chars_high: float | None
    """95% interval, questions as the unit."""
    tokens: float | None
    """Mean reply tokens as the API or tokenizer counted them; None where none was counted."""
    tokens_n: int
    """Answers with a token count."""


class SelfPreferenceRow(Record):
    """One judge's scores for its own family's models against the other judges' scores for the same models."""

    judge: str
    """The judge's stored name."""
    family: str
    """Its model family (gpt, claude, qwen…)."""
    models: tuple[str, ...]
    """The candidates of that family it scored."""
    own: float | None
    """Its mean score for them (pooled, every scored judgment)."""
    own_low: float | None
    """95% interval, questions as the unit."""
    own_high: float | None
    """95% interval, questions as the unit."""
    others: float | None
    """The other judges' mean score for the same models."""
    others_low: float | None
    """95% interval, questions as the unit."""
    others_high: float | None
    """95% interval, questions as the unit."""
    n: int
    """Its scored judgments of them."""


class StyleRating(Record):
    """A Bradley–Terry rating with the answers' style held equal (length, headers, lists, bold as covariates)."""

    judge: str
    """The judge's stored name."""
    model: str
    """The model's stored name."""
    rating: float
    """Elo scale, mean 1000, as the raw ratings."""
    ci_low: float | None
    """95% t interval from the fit's cluster-robust covariance, questions as the unit."""
    ci_high: float | None
    """Upper end."""
    games: int
    """Scored outcomes it played."""


class StyleCoef(Record):
    """How much one style feature swayed a judge: its coefficient in the style-controlled fit."""

    judge: str
    """The judge's stored name."""
    feature: str
    """length, headers, lists or bold: the normalised difference (a − b) / (a + b) between the answers, standardised."""
    coef: float
    """Log-odds per standard deviation of the difference; above 0, the judge prefers more of it."""
    ci_low: float | None
    """95% t interval from the fit's cluster-robust covariance, questions as the unit."""
    ci_high: float | None
    """Upper end."""


class JudgeChoice(Record):
    """Which LLM judge agrees best with people in one language (quadratic-weighted kappa against the human ratings)."""

    lang: str
    """ISO 639-1 code, or `all`."""
    judge: str
    """The judge with the highest kappa."""
    kappa: float
    """Its quadratic-weighted kappa with the human ratings."""
    kappa_low: float | None
    """95% interval, items resampled."""
    kappa_high: float | None
    """Upper end."""
    n: int
    """Rating pairs behind it."""
    runner_up: str | None
    """The next judge, if there is one."""
    runner_up_kappa: float | None
    """Its kappa."""
    clearly: bool
    """Its interval lies wholly above the runner-up's kappa; otherwise the data cannot tell the two apart."""


class PositionRow(Record):
    """Position bias of one judge in one language, from its pairwise verdicts (both orders of every item)."""

    judge: str
    """The judge's stored name."""
    lang: str
    """ISO 639-1 code, or `all`."""
    pairs: int
    """Items judged in both orders."""
    flip: float | None
    """Share of those whose verdict changed with the order (one order's winner lost or tied in the other)."""
    flip_low: float | None
    """95% interval, questions as the unit."""
    flip_high: float | None
    """95% interval, questions as the unit."""
    decisive: int
    """Verdicts that named a winner (not a tie), in either order."""
    first: float | None
    """Share of those for the answer shown first; 0.5 when position does not sway the judge."""
    first_low: float | None
    """95% interval, questions as the unit."""
    first_high: float | None
    """95% interval, questions as the unit."""
    unscored: int = 0
    """Orders the judge gave no verdict for: their items are left out of the flips, and said to be."""


class LengthControlRow(Record):
    """A pairwise win rate with the answers' length difference held equal (AlpacaEval 2.0's construction)."""

    judge: str
    """The judge's stored name."""
    model: str
    """The model whose rate it is."""
    opponent: str
    """The model it played."""
    lang: str
    """ISO 639-1 code, or `all`."""
    items: int
    """Items (both orders combined; a tie counts half)."""
    questions: int
    """Questions behind them: the interval's unit."""
    raw: float | None
    """Win rate as judged (win + ½ tie)."""
    lc: float | None
    """Length-controlled win rate: a logistic GLM of the verdict on a model term and tanh(length difference ÷ its
    standard deviation), predicted at equal length."""
    lc_low: float | None
    """95% interval: a t interval on the logit scale from the fit's cluster-robust variance, questions as the unit."""
    lc_high: float | None
    """95% interval: a t interval on the logit scale from the fit's cluster-robust variance, questions as the unit."""
    length_coef: float | None
    """The fitted weight of the length term: above 0, the judge prefers the longer answer."""
    length_coef_low: float | None = None
    """95% interval of the length weight, from the same cluster-robust variance (questions as the unit)."""
    length_coef_high: float | None = None
    """Upper end."""
    noisy: bool = False
    """Fewer than 50 questions: the fit's length term rests on too few questions to trust the correction much."""
    alpacaeval: float | None = None
    """`all` rows only: the figure alpaca-eval's `length_controlled_minimal` GLM gives on these verdicts (L1-penalised,
    penalty chosen by 5-fold cross-validation; it shrinks towards ½ when the verdicts are few); no interval, as
    AlpacaEval reports none for it. None under 5 verdicts or when one side always won."""
