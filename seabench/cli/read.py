"""Commands that only read the store, which they open read-only: report, compare, agreement, answers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..report.order import TABLE_SECTIONS
from . import options as o
from .app import app

if TYPE_CHECKING:  # the CLI imports no library module at start-up (`seabench --help` stays fast)
    from ..records import Report


@app.command("report")
def report_cmd(
    db: o.Db = None,
    model: o.ModelNames = None,
    judge_name: o.JudgeName = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            help=(
                "terminal, markdown, html, csv or json; with --out, taken from the file's extension (.txt .md .html "
                ".csv .json)."
            ),
        ),
    ] = None,
    out: o.Out = None,
    rounds: o.Rounds = 1000,
    seed: o.Seed = 0,
    min_n: o.MinN = 10,
    section: Annotated[
        list[str] | None,
        typer.Option(
            "--section",
            metavar="NAME",
            help=("Terminal: show this section whole (repeatable): " + ", ".join(TABLE_SECTIONS) + "."),
        ),
    ] = None,
    wide: Annotated[
        bool, typer.Option("--wide", help="Terminal: every table of every section, not just the first screen.")
    ] = False,
    all_questions: Annotated[
        bool,
        typer.Option(
            "--all-questions",
            help=("Rank each model on every question it answered, not only on those every listed model answered."),
        ),
    ] = False,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            metavar="NAME",
            help="With --format csv: scores (default), leaderboard, pairwise, "
            "ratings, agreement, language, health, tokens, usage, length, position, length-control, "
            "self-preference, style, style-coefficients, judge-choice, safety, checkpoints or checkpoint-changes.",
        ),
    ] = "scores",
    checkpoints: Annotated[
        bool,
        typer.Option(
            "--checkpoints",
            help=(
                "The models whose names end in their step (ckpt-1000, step_2000, run@3k) are one training run: a "
                "Checkpoints section charts their scores against step, with the significant changes between them."
            ),
        ),
    ] = False,
) -> None:
    """The headline, then scores per language × category with intervals, pairwise results, judges, language fidelity."""
    from ..errors import ConfigError
    from ..records import Settings
    from ..report.formats import TABLES
    from ..store import Store
    from ..summarize import build

    fmt = output_format(fmt, out, "terminal")
    if table not in TABLES or (table != "scores" and fmt != "csv"):
        raise ConfigError(
            f"--table takes {', '.join(TABLES)}, with --format csv"
            if table in TABLES
            else f"--table must be one of {', '.join(TABLES)}, not '{table}'"
        )
    unknown = [s for s in section or [] if s not in TABLE_SECTIONS]
    if unknown:
        raise ConfigError(f"--section must be one of {', '.join(TABLE_SECTIONS)}, not '{unknown[0]}'")
    if out is not None:
        from ..textio import check_folder

        check_folder(out)
    with Store(db, readonly=True) as store:  # checks are stored by `check`, `judge` and `eval`; a report only reads
        report = build(
            store,
            models=o.split(model),
            judge=judge_name,
            settings=Settings(rounds=rounds, seed=seed, min_n=min_n),
            browser=fmt == "html",
            all_questions=all_questions,
            checkpoints=checkpoints,
        )
    emit(report, fmt, out, table, wide, section)


def output_format(fmt: str | None, out: Path | None, default: str) -> str:
    """The format: --format, else the --out file's extension, else `default`; a --format the extension contradicts is
    refused."""
    from ..errors import ConfigError
    from ..report.formats import EXTENSIONS, format_for

    if out is not None and fmt is None:
        fmt = format_for(out)
    elif out is not None and fmt is not None and EXTENSIONS.get(out.suffix.lower(), fmt) != fmt:
        raise ConfigError(
            f"--format {fmt} contradicts --out {out} (a {out.suffix} file holds {EXTENSIONS[out.suffix.lower()]}); "
            "drop one of them"
        )
    chosen = fmt or default
    o.check_format(chosen, o.REPORT_FORMATS)
    return chosen


def emit(
    report: Report,
    fmt: str,
    out: Path | None,
    table: str = "scores",
    wide: bool = False,
    sections: list[str] | None = None,
) -> None:
    """Write one report format to `out`, or to stdout (html defaults to report.html); `wrote …` goes to stderr."""
    from ..errors import ConfigError
    from ..report import formats

    if fmt == "html":
        from ..report.html import to_html

        text, out = to_html(report), out or Path("report.html")
    elif fmt == "terminal":
        if out is None:
            from .views import console

            formats.to_terminal(report, console(), wide, sections)
            return
        text = formats.to_terminal_text(report, wide=wide, sections=sections)
    elif fmt == "csv":
        empty = formats.empty_table(report, table)
        if empty:
            typer.echo(f"error: {empty}; nothing written", err=True)
            raise typer.Exit(1)
        text = formats.table_csv(report, table)
    else:
        text = {"markdown": formats.to_markdown, "json": formats.to_json}[fmt](report)
    if out is None:
        sys.stdout.write(text)
        return
    from ..textio import write_whole

    try:
        write_whole(out, text)
    except OSError as e:  # e.g. "No space left on device": and no half-written report is left behind
        raise ConfigError(f"{out}: cannot write ({e.strerror})") from None
    typer.echo(f"wrote {out}", err=True)


@app.command("compare")
def compare_cmd(
    model_a: Annotated[
        str, typer.Argument(metavar="A", help="The candidate, e.g. the new checkpoint (its stored name).")
    ],
    model_b: Annotated[
        str, typer.Argument(metavar="B", help="What it is compared with, e.g. the previous checkpoint.")
    ],
    judge_name: o.JudgeName = None,
    db: o.Db = None,
    min_n: Annotated[
        int,
        typer.Option("--min-n", metavar="N", min=0, help="Cells with fewer paired questions are marked underpowered."),
    ] = 30,
    fmt: o.TableFormat = "terminal",
    rounds: o.Rounds = 1000,
    seed: o.Seed = 0,
    fail_on_regression: Annotated[
        bool,
        typer.Option(
            "--fail-on-regression",
            help="Exit 1 when A is significantly worse than B by more than --margin anywhere --by looks (a CI gate).",
        ),
    ] = False,
    margin: Annotated[
        float,
        typer.Option(
            "--margin", metavar="D", min=0, help="Score points of drop that count as a regression (default 0)."
        ),
    ] = 0.0,
    by: Annotated[
        str,
        typer.Option("--by", metavar="language|category|cell", help="Where the gate looks (default language)."),
    ] = "language",
    verdict: Annotated[
        Path | None,
        typer.Option("--verdict", metavar="FILE", help="Write the gate's verdict as JSON to this file."),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            "--results", metavar="FILE.json", help="Compare from a results file (export results) instead of a store."
        ),
    ] = None,
) -> None:
    """Paired A − B per language × category: t interval and paired t test on questions, Holm-adjusted; regressions
    first. With --fail-on-regression, a gate: A is the new model, B the base."""
    from ..errors import SpecError
    from ..records import Settings
    from ..report.compare import compare_csv, compare_terminal
    from ..store import Store
    from ..summarize import compare_models
    from ..textio import check_folder

    o.check_format(fmt, o.TABLE_FORMATS)
    if by not in ("language", "category", "cell"):
        raise SpecError("{by} takes language, category or cell, not {given!r}", given=by)
    if verdict is not None:
        check_folder(verdict)
    settings = Settings(rounds=rounds, seed=seed)
    if results is not None:
        from ..export import load_results
        from ..summarize import compare_observed

        found = load_results(results)
        questions = {(q.bench, q.question.id): q.question for q in found.questions}
        judge, cells = compare_observed(
            list(found.observations), questions, model_a, model_b, judge_name, settings, min_n, str(results)
        )
    else:
        with Store(db, readonly=True) as store:
            judge, cells = compare_models(store, model_a, model_b, judge_name, settings, min_n)
    if fmt == "json":
        typer.echo(json.dumps([c.model_dump() for c in cells], indent=1))
    elif fmt == "csv":
        sys.stdout.write(compare_csv(cells))
    else:
        from .views import console

        compare_terminal(console(), model_a, model_b, judge, cells)
    if fail_on_regression or verdict is not None:
        from ..aggregate import gate
        from ..records import GateVerdict
        from ..report.compare import gate_lines

        looked = gate(cells, by, margin)
        decided = GateVerdict(
            new=model_a,
            base=model_b,
            judge=judge,
            by=by,  # type: ignore[arg-type]
            margin=margin,
            failed=any(g.regressed for g in looked),
            cells=tuple(looked),
        )
        if verdict is not None:
            verdict.write_text(decided.model_dump_json(indent=1) + "\n", encoding="utf-8")
        typer.echo(gate_lines(decided), err=True)
        if decided.failed and fail_on_regression:
            raise typer.Exit(1)


@app.command("agreement")
def agreement_cmd(db: o.Db = None, fmt: o.TableFormat = "terminal", rounds: o.Rounds = 1000, seed: o.Seed = 0) -> None:
    """Judge vs human and annotator vs annotator, per language and category."""
    from ..aggregate import agreement, outcomes, pair_outcomes
    from ..errors import ConfigError
    from ..records import Settings
    from ..store import Store

    o.check_format(fmt, o.TABLE_FORMATS)
    with Store(db, readonly=True) as store:
        judgments = store.judgments()
        rows = agreement(
            judgments,
            store.ratings(),
            outcomes(pair_outcomes(judgments), store.pair_ratings()),
            store.questions(),
            Settings(rounds=rounds, seed=seed),
        )
    if not rows:
        raise ConfigError(
            "nothing to compare: agreement needs human ratings (seabench human import) on judged answers, or two "
            "annotators"
        )
    from ..report.tables import agreement_table

    emit_rows(rows, fmt, agreement_table)


def emit_rows(rows: Sequence[Any], fmt: str, table: Callable[..., Any]) -> None:
    """Records as JSON, as CSV (their fields as columns) or as the terminal `table` drawn from them."""
    if fmt == "json":
        typer.echo(json.dumps([r.model_dump() for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        import csv

        from ..textio import inert_row

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].model_dump()), lineterminator="\n")
        writer.writeheader()
        writer.writerows(inert_row(r.model_dump()) for r in rows)
    else:
        from ..report.formats import to_terminal_tables
        from .views import console

        to_terminal_tables([table(rows)], console())


@app.command("answers")
def answers_cmd(model: o.ModelNames = None, db: o.Db = None, fmt: o.AnswerFormat = "terminal") -> None:
    """List or export the stored answers."""
    from ..report.answers import write_answers
    from ..store import Store
    from .views import console

    o.check_format(fmt, o.ANSWER_FORMATS)
    from ..summarize import known_models

    wanted = o.split(model)
    with Store(db, readonly=True) as store:
        stored = store.answers()
        if wanted:
            known_models(wanted, {a.model for a in stored}, store)
        answers = [a for a in stored if not wanted or a.model in wanted]
        questions = store.questions()
    write_answers(answers, questions, fmt, sys.stdout, console())


@app.command("site")
def site_cmd(
    sources: Annotated[
        list[Path],
        typer.Argument(metavar="STORE…", help="The stores (or results files, .json) to put side by side."),
    ],
    out: Annotated[
        Path, typer.Option("--out", metavar="DIR", help="The folder to write: index.html and a report per store.")
    ],
    rounds: o.Rounds = 1000,
    seed: o.Seed = 0,
) -> None:
    """A static leaderboard over many stores: one row per model, grouped by bench × judge (never ranked across them),
    each store's full report beside it. Opens from disk or any static host."""
    from ..records import Settings
    from ..site import write_site

    groups = write_site(sources, out, Settings(rounds=rounds, seed=seed))
    rows = sum(len(g.rows) for g in groups)
    typer.echo(f"wrote {out / 'index.html'}: {rows} rows in {len(groups)} bench × judge groups", err=True)
