"""Commands about inputs and interchange: benches, human rating sheets, FastChat folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..words import plural
from . import options as o
from .app import app, bench_app, export_app, human_app, import_app


@bench_app.command("stats")
def bench_stats(bench: o.Bench = None, fmt: o.BenchFormat = "terminal") -> None:
    """Questions per language × category, with multi-turn and reference counts."""
    from ..bench import stats
    from .views import bench_stats_table, console

    o.check_format(fmt, o.BENCH_FORMATS)
    loaded = o.load_bench_noting(bench)
    cells = stats(loaded)
    if fmt == "json":
        total = sum(c.questions for c in cells)
        typer.echo(json.dumps({"total": total, "cells": [c.model_dump() for c in cells]}, ensure_ascii=False))
    else:
        console().print(bench_stats_table(loaded, cells))


@bench_app.command("validate")
def bench_validate(
    source: Annotated[str, typer.Argument(metavar="SRC", help="Bench file or folder, or hf:OWNER/NAME.")],
) -> None:
    """Check a bench file; list every problem (file:line) or print a one-line summary."""

    loaded = o.load_bench_noting(source)
    langs = sorted({q.lang for q in loaded.questions})
    cats = sorted({q.category for q in loaded.questions})
    multi = sum(len(q.turns) > 1 for q in loaded.questions)
    typer.echo(
        f"ok: {source}: {plural(len(loaded.questions), 'question')} ({loaded.shape} shape), "
        f"{plural(len(langs), 'language')}, "
        f"{plural(len(cats), 'category', 'categories')}, {multi} multi-turn"
    )


@bench_app.command("show")
def bench_show(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="Question id.")], bench: o.Bench = None
) -> None:
    """Print one question with every turn and reference."""
    from ..bench import find_question
    from .views import console, question_view

    console().print(question_view(find_question(o.load_bench_noting(bench), question_id)))


@human_app.command("export")
def human_export(
    model: Annotated[
        list[str], typer.Option("--model", metavar="NAME", help="Stored models to rate; repeatable or comma-separated.")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="CSV file to write.")],
    blind: Annotated[
        bool, typer.Option("--blind", help="Hide model names behind opaque item ids (the mapping stays in the store).")
    ] = False,
    pairwise: Annotated[
        bool, typer.Option("--pairwise", help="Two models side by side, to choose A, B or tie.")
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Row shuffle (and, pairwise, A/B order) seed for blind sheets.")
    ] = 0,
    db: o.Db = None,
) -> None:
    """Write a rating sheet: a 1–10 score per answer, or (--pairwise) a choice between two models' answers."""
    from ..judging.sheets import export_pair_sheet, export_sheet
    from ..store import Store

    with Store(db, create=False) as store:
        n = (export_pair_sheet if pairwise else export_sheet)(store, o.split(model) or [], out, blind=blind, seed=seed)
    typer.echo(f"wrote {plural(n, 'row')} to {out}" + (" (blind)" if blind else ""), err=True)


@human_app.command("import")
def human_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A filled rating sheet (blind, plain or pairwise CSV).")],
    db: o.Db = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Let a corrected rating replace the stored one (the old value is kept on record)."
        ),
    ] = False,
) -> None:
    """Import a filled sheet: all of it, or (on any error) none of it."""
    from ..judging.human import import_sheet
    from ..store import Store

    with Store(db, create=False) as store:
        summary = import_sheet(store, file, replace=replace)
    typer.echo(
        f"imported {plural(summary.rows, summary.kind + ' rating')} from "
        f"{plural(len(summary.annotators), 'annotator')} "
        f"({summary.new} new): {', '.join(summary.annotators)}"
        + (
            f"; {plural(summary.replaced, 'corrected rating')} replaced earlier ones (the old values are kept)"
            if summary.replaced
            else ""
        ),
        err=True,
    )


@import_app.command("fastchat")
def import_fastchat_cmd(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="A FastChat data/<bench>/ folder.")],
    questions: Annotated[
        Path | None, typer.Option("--questions", metavar="FILE", help="question.jsonl, when the folder has none.")
    ] = None,
    db: o.Db = None,
) -> None:
    """Import question.jsonl, model_answer/, reference_answer/ and model_judgment/ (single and pair)."""
    from ..interop.fastchat import import_fastchat
    from ..store import Store

    with Store(db) as store:
        s = import_fastchat(store, folder, questions)
    typer.echo(
        f"imported bench {s.bench}: {s.questions} questions, {s.answers} answers, {s.judgments} judgments "
        f"({s.unscored} unscored: FastChat's -1, and {s.out_of_range} scores outside 1–10); {s.new} new rows",
        err=True,
    )
    if s.repeated:
        typer.echo(
            f"{s.repeated} items were judged more than once: each judgment is kept as a sample and every one counts "
            "in the item's pooled mean, as in FastChat's show_result.py",
            err=True,
        )


@export_app.command("fastchat")
def export_fastchat_cmd(
    folder: Annotated[Path, typer.Argument(metavar="DIR", help="Folder to write (FastChat's data/<bench>/ layout).")],
    bench: Annotated[
        str | None,
        typer.Option("--bench", metavar="NAME", help="Bench name in the store (needed when it holds several)."),
    ] = None,
    db: o.Db = None,
) -> None:
    """Write a FastChat llm_judge folder that FastChat's own scripts can read."""
    from ..interop.fastchat_export import export_fastchat
    from ..store import Store

    with Store(db, readonly=True) as store:
        counts = export_fastchat(store, folder, bench)
    typer.echo(f"wrote {folder}: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()), err=True)


@export_app.command("prompts")
def export_prompts_cmd(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="Folder to write: judge_prompts.jsonl, criteria.json, priority-aspects.json."
        ),
    ],
    lang: Annotated[
        str, typer.Option("--lang", metavar="CODE", help="The prompts for questions in this language.")
    ] = "en",
    judge_language: o.JudgeLanguage = "en",
    rationale_language: o.RationaleLanguage = None,
) -> None:
    """Write our judge prompts for one language as files to read or edit, and to pass back with --prompts."""
    from ..judging.native import default_prompts
    from ..judging.prompts import write_prompts

    prompts = default_prompts(judge_language or "en", rationale_language).for_lang(lang)
    written = write_prompts(prompts, folder)
    typer.echo(
        f"wrote {folder}: {', '.join(p.name for p in written)} ({len(prompts.prompts)} prompts, hash {prompts.digest})",
        err=True,
    )


@app.command("merge")
def merge_cmd(
    sources: Annotated[
        list[Path], typer.Argument(metavar="STORE…", help="The stores to merge (one per machine or shard).")
    ],
    into: Annotated[
        Path, typer.Option("--into", metavar="FILE", help="The store to merge into (made if it does not exist).")
    ],
) -> None:
    """Put stores from several machines together: every answer, judgment, failure and rating, none twice (merging again
    changes nothing); two models under one name, or two versions of a question, are refused before anything is
    written."""
    from ..store import Store
    from ..store.merge import merge

    made = not into.exists()
    try:
        with Store(into) as store:
            result = merge(store, sources)
    except Exception:
        if made:  # a refused merge into a new file leaves no file behind
            for leftover in (into, into.with_name(into.name + "-wal"), into.with_name(into.name + "-shm")):
                leftover.unlink(missing_ok=True)
        raise
    added = ", ".join(f"{n} {table.replace('_', ' ')}" for table, n in result.added.items() if n) or "nothing new"
    resolved = f"; {plural(result.resolved, 'failure')} resolved by another store" if result.resolved else ""
    typer.echo(f"merged {plural(len(sources), 'store')} into {into}: {added}{resolved}", err=True)


@export_app.command("results")
def export_results_cmd(
    file: Annotated[Path, typer.Argument(metavar="FILE.json", help="The results file to write.")],
    db: o.Db = None,
    rounds: o.Rounds = 1000,
    seed: o.Seed = 0,
) -> None:
    """Every number of the store in one versioned JSON file (its schema ships in the package), which `site` and
    `compare --results` read without the store."""
    from ..export import export_results
    from ..records import Settings
    from ..store import Store
    from ..textio import check_folder

    check_folder(file)
    with Store(db, readonly=True) as store:
        found = export_results(store, Settings(rounds=rounds, seed=seed))
    file.write_text(found.model_dump_json(indent=1) + "\n", encoding="utf-8")
    typer.echo(
        f"wrote {file}: {len(found.models)} models, {len(found.observations)} scores, results version {found.version}",
        err=True,
    )
