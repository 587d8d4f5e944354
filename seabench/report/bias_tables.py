"""The report's tables about what sways a judge: which judge to trust, self-preference, position, length, length- and
style-controlled results. Formatting only, like every table."""

from __future__ import annotations

from collections import Counter

from ..aggregate.bias import NOISY_BELOW
from ..records import LengthRow, Report
from .tables import Table, ci, model_lang_grid, num


def judge_tables(report: Report) -> list[Table]:
    return [
        *judge_choice_table(report),
        *self_preference_table(report),
        *position_table(report),
        *length_table(report),
        *length_control_table(report),
        *style_table(report),
    ]


def length_table(report: Report) -> list[Table]:
    if not report.lengths:
        return []

    def cell(r: LengthRow) -> str:
        if r.chars is None:
            return ""
        tokens = f" · {r.tokens:,.0f} tok" if r.tokens is not None else ""
        return f"{r.chars:,.0f} {ci(r.chars_low, r.chars_high, 0)}{tokens} (n={r.answers})"

    return [
        model_lang_grid(
            "Answer length",
            report.lengths,
            (
                "mean characters [95% interval, questions as the unit, clipped at 0] · mean reply tokens as counted; a "
                "judge's taste for long "
                "answers shows against these"
            ),
            cell,
            "length",
        )
    ]


def position_table(report: Report) -> list[Table]:
    if not report.position:
        return []
    t = Table(
        "Position bias",
        id="position",
        columns=[
            "judge",
            "lang",
            "pairs in both orders",
            "verdict flips with the order",
            "decisive verdicts",
            "for the first shown",
            "orders unscored",
        ],
        caption="shares [95% interval, questions as the unit]; a judge that ignores position flips rarely and favours "
        "the first 50%; an unscored order leaves its item out of the flips",
    )
    for r in report.position:
        t.rows.append(
            [
                r.judge,
                r.lang,
                str(r.pairs),
                _share(r.flip, r.flip_low, r.flip_high),
                str(r.decisive),
                _share(r.first, r.first_low, r.first_high),
                str(r.unscored),
            ]
        )
    return [t]


def _share(x: float | None, low: float | None, high: float | None) -> str:
    return "–" if x is None else f"{x:.0%} " + ("[—]" if low is None else f"[{low:.0%}, {high:.0%}]")


def length_control_table(report: Report) -> list[Table]:
    if not report.length_control:
        return []
    t = Table(
        "Length-controlled win rate",
        id="length-control",
        columns=[
            "judge",
            "model",
            "opponent",
            "lang",
            "questions",
            "items",
            "win rate as judged",
            "at equal length",
            "length weight [95% CI]",
            "AlpacaEval's figure",
        ],
        caption=(
            "at equal length: a logistic GLM of the verdict on a model term and tanh(length difference ÷ its SD), "
            "unpenalised, predicted at equal length [95% interval, questions as the unit]; length weight > 0: the "
            f"judge prefers the longer answer; † fewer than {NOISY_BELOW} questions: noisy. AlpacaEval's figure: what "
            "alpaca-eval's length_controlled_minimal GLM gives on the same verdicts (the same model, L1-penalised by "
            "cross-validation, which pulls few verdicts towards 50%; no instruction-difficulty term, which exists only "
            "for AlpacaEval's own instructions)"
        ),
    )
    for r in report.length_control:
        t.rows.append(
            [
                r.judge,
                r.model,
                r.opponent,
                r.lang,
                str(r.questions),
                str(r.items),
                f"{r.raw:.0%}" if r.raw is not None else "–",
                _share(r.lc, r.lc_low, r.lc_high) + ("†" if r.noisy else ""),
                "–" if r.length_coef is None else f"{r.length_coef:+.2f} {ci(r.length_coef_low, r.length_coef_high)}",
                "–" if r.alpacaeval is None else f"{r.alpacaeval:.1%}",
            ]
        )
    return [t]


def style_table(report: Report) -> list[Table]:
    fitted = {r.judge for r in report.style_ratings}
    per_judge = Counter(r.judge for r in report.ratings if r.judge != "human")
    unfit = sorted(j for j, n in per_judge.items() if n >= 3 and j not in fitted)
    if not fitted and not unfit:
        return []
    raw = {(r.judge, r.model): r for r in report.ratings}
    caption = (
        "style control: the answers' differences in length, headers, list items and bold as covariates "
        "(Arena-Hard's); raw intervals resample questions, controlled ones come from the fit's cluster-robust "
        "covariance, questions as the unit"
    )
    if unfit:
        caption += (
            f"; no style-controlled fit for {', '.join(unfit)}: style alone separates its verdicts (the same side of a "
            "style difference always won), so the fit has no finite answer"
        )
    t = Table(
        "Bradley–Terry, raw and style-controlled",
        id="style",
        columns=["judge", "model", "raw rating [95% CI]", "at equal style [95% CI]", "games"],
        caption=caption,
    )
    for r in sorted(report.style_ratings, key=lambda r: (r.judge, -r.rating)):
        b = raw.get((r.judge, r.model))
        t.rows.append(
            [
                r.judge,
                r.model,
                f"{b.rating:.0f} {ci(b.ci_low, b.ci_high, 0)}" if b else "–",
                f"{r.rating:.0f} {ci(r.ci_low, r.ci_high, 0)}",
                str(r.games),
            ]
        )
    c = Table(
        "Style coefficients",
        id="style-coefficients",
        columns=["judge", "feature", "coefficient [95% CI]"],
        caption="log-odds per standard deviation of the answers' normalised difference; above 0, the judge prefers "
        "more of it",
    )
    for s in report.style_coefs:
        c.rows.append([s.judge, s.feature, f"{s.coef:+.2f} {ci(s.ci_low, s.ci_high)}"])
    return [t, c] if c.rows else [t]


def judge_choice_table(report: Report) -> list[Table]:
    if not report.judge_choice:
        return []
    t = Table(
        "Which judge to trust, per language",
        id="judge-choice",
        columns=["lang", "judge", "kappa with people [95% CI]", "n", "next judge", "clearly better"],
        caption="quadratic-weighted kappa of each LLM judge against the human ratings; 'clearly' when its interval "
        "lies "
        "wholly above the next judge's kappa",
    )
    for c in report.judge_choice:
        t.rows.append(
            [
                c.lang,
                c.judge,
                f"{c.kappa:.2f} {ci(c.kappa_low, c.kappa_high)}",
                str(c.n),
                f"{c.runner_up} ({c.runner_up_kappa:.2f})" if c.runner_up and c.runner_up_kappa is not None else "–",
                "yes" if c.clearly else "no",
            ]
        )
    return [t]


def self_preference_table(report: Report) -> list[Table]:
    if not report.self_preference:
        return []
    t = Table(
        "Self-preference",
        id="self-preference",
        columns=["judge", "family", "its models", "scored by this judge [95% CI]", "by the other judges [95% CI]", "n"],
        caption="a judge grading its own family's answers, against the other judges' scores for the same answers",
    )
    for r in report.self_preference:
        t.rows.append(
            [
                r.judge,
                r.family,
                ", ".join(r.models),
                f"{num(r.own)} {ci(r.own_low, r.own_high)}",
                f"{num(r.others)} {ci(r.others_low, r.others_high)}",
                str(r.n),
            ]
        )
    return [t]
