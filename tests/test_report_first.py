"""The report answers first: the headline on the first screen (HTML and terminal), every entry point the same report,
files that say what they are, rankings on the questions every model answered."""

from __future__ import annotations

import json
import os
import re
import shutil
from html import unescape

import pytest

from seabench.records import ALL
from seabench.store import Store
from seabench.summarize import build

from .fakes import FakeServer
from .synthetic import JUDGES, synthetic_store

ENV = {"OPENAI_API_KEY": "k"}
PANEL = f"panel ({' + '.join(JUDGES)})"
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium") and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)

# Where each headline score and the headline judge's name sit on the page, and whether they are inside the viewport.
PROBE = """(function () {
  var inside = function (el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth; };
  var bottom = function (el) { return el.getBoundingClientRect().bottom; };
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.headline tbody tr"));
  return {models: rows.map(function (r) { return r.querySelector("td.model").textContent.trim(); }),
          scores: rows.map(function (r) { return r.querySelector("td.score").textContent.trim(); }),
          visible: rows.map(function (r) { return inside(r.querySelector("td.score")); }),
          first_bottom: rows.length ? bottom(rows[0].querySelector("td.score")) : null,
          judge: document.querySelector("#overview .meta strong").textContent, judge_visible: inside(document.querySelector("#overview .meta strong")),
          answers: document.querySelectorAll("#browser-list article").length};
})()"""


@needs_chromium
def test_the_first_screen_holds_every_headline_score_and_the_judge_at_1440_and_390_px(tmp_path):
    from .chromium import measure

    db, out = tmp_path / "s.db", tmp_path / "r.html"
    synthetic_store(db, 3, categories=("math-reasoning", "safety"))
    with Store(db, readonly=True) as store:
        report = build(store, settings=build_settings(), browser=True)
    from seabench.report.html import to_html

    out.write_text(to_html(report), encoding="utf-8")
    lead = {r.model: f"{r.mean:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" for r in report.leaderboard if r.judge == PANEL}
    desk = measure(out, 1440, tmp_path / "p1", height=900, probe=PROBE)
    assert desk["errors"] == []
    probe = desk["probe"]
    assert dict(zip(probe["models"], probe["scores"])) == lead and all(probe["visible"])
    assert probe["judge"] == PANEL and probe["judge_visible"]
    assert probe["answers"] > 0  # the answer browser inflated its data and drew one page
    phone = measure(out, 390, tmp_path / "p2", height=844, probe=PROBE)
    assert phone["errors"] == [] and phone["scroll_width"] <= phone["client_width"] == 390  # no sideways scrolling
    assert phone["probe"]["first_bottom"] <= 2 * 844  # the first model's score within the first two screens


def build_settings():
    from seabench.records import Settings

    return Settings(rounds=200)


def test_terminal_first_screen_fits_60_lines_and_100_columns_for_3_models_in_9_languages(cli, tmp_path):
    from rich.cells import cell_len

    db = tmp_path / "s.db"
    synthetic_store(db, 3)
    text = cli("report", "--db", db, "--rounds", "200", env={"COLUMNS": "100"}).stdout
    lines = text.splitlines()
    assert len(lines) <= 60 and max(cell_len(line) for line in lines) <= 100
    assert f"Headline — judge: {PANEL}" in text
    with Store(db, readonly=True) as store:
        report = build(store, settings=build_settings())
    for r in report.leaderboard:
        if r.judge == PANEL:
            assert f"{r.mean:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]" in text
    for lang in ("th", "km", "lo", "my"):
        assert re.search(rf"^{lang} ", text, re.M)  # the language × category grids
    more = cli("report", "--db", db, "--rounds", "200", "--section", "judges", env={"COLUMNS": "100"}).stdout
    assert "Answer length" in more and "Headline" not in more
    bad = cli("report", "--db", db, "--section", "nope")
    assert bad.exit_code == 2 and "--section must be one of" in bad.stderr


def test_out_takes_its_format_from_the_extension_and_refuses_a_contradiction(cli, tmp_path):
    db = tmp_path / "s.db"
    synthetic_store(db, 2, categories=("safety",), langs=("th", "en"))
    for ext, check in (
        (".csv", lambda t: t.startswith("model,judge,lang")),
        (".json", lambda t: "leaderboard" in json.loads(t)),
        (".md", lambda t: t.startswith("# seabench report")),
        (".html", lambda t: t.startswith("<!DOCTYPE html>")),
        (".txt", lambda t: t.startswith("Headline — judge:") and "─" in t),
    ):
        out = tmp_path / f"r{ext}"
        result = cli("report", "--db", db, "--out", out, "--rounds", "100")
        assert result.exit_code == 0 and f"wrote {out}" in result.stderr
        assert check(out.read_text(encoding="utf-8")), ext
    clash = cli("report", "--db", db, "--out", tmp_path / "x.csv", "--format", "html")
    assert clash.exit_code == 2 and "contradicts" in clash.stderr and not (tmp_path / "x.csv").exists()
    unknown = cli("report", "--db", db, "--out", tmp_path / "x.pdf")
    assert unknown.exit_code == 2 and "x.pdf" in unknown.stderr
    nowhere = cli("report", "--db", db, "--out", tmp_path / "missing" / "r.html")
    assert nowhere.exit_code == 2 and "does not exist" in nowhere.stderr


def test_eval_writes_the_format_its_out_names_and_refuses_an_unwritable_one_before_sending(cli, tmp_path):
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda b: "Rating: [[7]]") as judge:
        args = (
            "eval",
            "--model",
            "openai:cand",
            "--judge",
            "openai:j",
            "--lang",
            "th",
            "--category",
            "safety",
            "--limit-total",
            "2",
            "--db",
            tmp_path / "s.db",
            "--base-url",
            cand.url,
            "--judge-base-url",
            judge.url,
        )
        refused = cli(*args, "--out", tmp_path / "missing" / "r.md", env=ENV)
        assert refused.exit_code == 2 and cand.requests == [] and judge.requests == []
        done = cli(*args, "--out", tmp_path / "r.md", env=ENV)
        assert done.exit_code == 0, done.stderr
    assert (tmp_path / "r.md").read_text(encoding="utf-8").startswith("# seabench report")


def test_eval_html_is_the_report_commands_html(cli, tmp_path):
    db = tmp_path / "s.db"
    with (
        FakeServer("openai") as cand,
        FakeServer("openai", reply=lambda b: f"Rating: [[{1 + len(b['messages'][1]['content']) % 10}]]") as j1,
        FakeServer("openai", reply=lambda b: f"Rating: [[{1 + len(b['messages'][1]['content']) % 7}]]") as j2,
    ):
        result = cli(
            "eval",
            "--model",
            "openai:a",
            "--model",
            "openai:b",
            "--judge",
            "openai:j1",
            "--judge",
            "openai:j2",
            "--judge-base-url",
            j1.url,
            "--judge-base-url",
            j2.url,
            "--lang",
            "th,km",
            "--category",
            "safety,math-reasoning",
            "--db",
            db,
            "--base-url",
            cand.url,
            "--out",
            tmp_path / "eval.html",
            env=ENV,
        )
        assert result.exit_code == 0, result.stderr
    panel = "panel (openai:j1 + openai:j2)"
    again = cli(
        "report", "--db", db, "--model", "openai:a,openai:b", "--judge-name", panel, "--out", tmp_path / "report.html"
    )
    assert again.exit_code == 0, again.stderr
    stamp = re.compile(r"made \S+ by seabench")
    eval_html = stamp.sub("", (tmp_path / "eval.html").read_text(encoding="utf-8"))
    assert eval_html == stamp.sub("", (tmp_path / "report.html").read_text(encoding="utf-8"))
    assert f"Headline judge <strong>{panel}</strong>" in eval_html
    assert "openai:a: " in result.stderr and "mean score (1–10)" in result.stderr  # the result, printed


def test_rankings_use_the_questions_every_model_answered_unless_all_questions(tmp_path):
    db = tmp_path / "s.db"
    synthetic_store(db, 2, categories=("safety",), langs=("th",), pairwise=False)
    synthetic_store(tmp_path / "other.db", 3, categories=("safety",), langs=("th", "km"), pairwise=False, seed=1)
    with Store(tmp_path / "other.db", readonly=True) as other:
        extra = [a for a in other.answers() if a.model == "model-3"]
        extra_judgments = [j for j in other.judgments() if j.model == "model-3"]
    with Store(db) as store:
        store.add_imported(
            store_bench_with_km(), extra, extra_judgments
        )  # model-3 answered th and km; the others th only
        th = {q for (b, q), v in store.questions().items() if v.lang == "th"}
        km = {q for (b, q), v in store.questions().items() if v.lang == "km"}
        report = build(store, settings=build_settings())
        wide = build(store, settings=build_settings(), all_questions=True)
    cov = report.coverage
    assert (
        cov is not None
        and cov.common == len(th)
        and not cov.all_questions
        and dict(cov.left_out) == {"model-1": len(km), "model-2": len(km)}
    )
    assert {r.questions for r in report.leaderboard if r.judge == PANEL} == {len(th)}
    assert {c.lang for c in report.cells if c.model == "model-3"} == {"th", ALL}
    assert wide.coverage is not None and wide.coverage.all_questions
    assert {r.questions for r in wide.leaderboard if r.judge == PANEL and r.model == "model-3"} == {2 * len(th)}


def store_bench_with_km():
    from seabench.bench import load_bench

    bench = load_bench(None)
    return bench.model_copy(
        update={"questions": tuple(q for q in bench.questions if q.category == "safety" and q.lang in ("th", "km"))}
    )


def test_csv_of_a_table_without_rows_says_which_tables_have_rows(cli, tmp_path):
    db = tmp_path / "s.db"
    synthetic_store(db, 2, categories=("safety",), langs=("th",))
    with Store(db) as store:
        store.db.execute("DELETE FROM judgments WHERE kind = 'single'")
        store.db.commit()
    result = cli("report", "--db", db, "--format", "csv", "--out", tmp_path / "x.csv")
    assert result.exit_code == 1 and "--table scores has no rows" in result.stderr and "pairwise" in result.stderr
    assert not (tmp_path / "x.csv").exists()
    text = cli("report", "--db", db, "--rounds", "100").stdout
    assert "win rate vs all opponents" in text  # a pairwise-only store still has a headline


def test_lengths_stay_above_zero_and_question_ids_sort_naturally(tmp_path):
    from seabench.aggregate import answer_lengths
    from seabench.records import Answer, Question
    from seabench.report.html import natural_key

    questions = {("b", f"q{i}"): Question(id=f"q{i}", lang="th", category="safety", turns=("x",)) for i in range(3)}
    answers = [
        Answer(key=f"k{i}", bench="b", question_id=f"q{i}", turn=1, model="m", spec="openai:m", text="x" * n)
        for i, n in enumerate((1, 2, 3000))
    ]  # one long answer among short ones: a symmetric interval would go below 0
    rows = [r for r in answer_lengths(answers, questions) if r.lang == "th"]
    assert rows[0].chars_low is not None and rows[0].chars_low >= 0
    assert sorted(["q10", "q2", "q1", "q11"], key=natural_key) == ["q1", "q2", "q10", "q11"]


def test_model_colours_depend_on_the_name_alone():
    from seabench.report.charts import model_colors

    class R:
        def __init__(self, models):
            self.models, self.cells, self.pairs = tuple(models), (), ()

    few, many = model_colors(R(["alpha", "beta"])), model_colors(R(["zeta", "alpha", "beta", "gamma"]))
    assert few["alpha"] == many["alpha"] and len(set(many.values())) == 4


def test_answer_previews_end_on_a_grapheme_cluster():
    from seabench.report.answers import preview
    from seabench.segment import clusters

    assert preview("ស្មើនឹងបួន", 3) == "ស្មើនឹង…"  # not cut after the coeng of ស្មើ or inside នឹ
    for text in ("ស្មើនឹងបួនរយ", "မြန်မာစကား", "ສະບາຍດີຫຼາຍ", "สวัสดีครับผม"):
        for n in range(1, 6):
            cut = preview(text, n)
            assert clusters(cut.rstrip("…")) == clusters(text)[:n]


def test_the_baseline_is_a_reference_never_a_ranked_candidate(tmp_path):
    from seabench.report.charts import pairwise_charts
    from seabench.report.overview import headline

    db = tmp_path / "s.db"
    synthetic_store(db, 3, categories=("safety", "math-reasoning"), langs=("th", "km"), baseline=True)
    with Store(db, readonly=True) as store:
        report = build(store, settings=build_settings())
    h = headline(report)
    assert h.baseline == "chatgpt_response" and [r.model for r in h.rows] == ["model-3", "model-2", "model-1"]
    assert all(r.vs_baseline for r in h.rows)  # the seed's figure, in the headline
    bt = [b for b in pairwise_charts(report) if b.title.startswith("Bradley–Terry")]
    assert bt and all("a reference, not ranked" in b.title for b in bt)
    assert all("chatgpt_response" not in b.svg for b in bt)  # no bar, no legend entry


def test_compare_pairs_judgments_so_identical_judgments_differ_by_exactly_zero():
    from seabench.aggregate import Obs, compare
    from seabench.records import Question

    questions = {("b", f"q{i}"): Question(id=f"q{i}", lang="th", category="safety", turns=("x", "y")) for i in range(6)}
    obs = []
    for i in range(6):
        for turn in (1, 2):
            score = float(1 + (3 * i + turn) % 10)
            obs.append(Obs(model="a", judge="j", bench="b", question_id=f"q{i}", turn=turn, score=score))
            # b's second turn is unscored on half the questions: those items must leave both means
            b_score = None if turn == 2 and i % 2 else score
            obs.append(Obs(model="b", judge="j", bench="b", question_id=f"q{i}", turn=turn, score=b_score))
    cells = compare(obs, questions, "a", "b", "j")
    overall = next(c for c in cells if c.lang == ALL and c.category == ALL)
    assert overall.diff == 0.0 and overall.mean_a == overall.mean_b
    # the means are the report's pooled means over the same judgments
    both = [o.score for o in obs if o.model == "b" and o.score is not None]
    assert overall.mean_a == pytest.approx(sum(both) / len(both))


def test_a_full_disk_leaves_no_half_written_report(cli, tmp_path, monkeypatch):
    import errno
    import os

    db = tmp_path / "s.db"
    synthetic_store(db, 2, categories=("safety",), langs=("th",))
    out = tmp_path / "r.md"
    out.write_text("the old report", encoding="utf-8")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = cli("report", "--db", db, "--out", out, "--rounds", "100")
    assert result.exit_code == 2 and "No space left on device" in result.stderr and str(out) in result.stderr
    assert out.read_text(encoding="utf-8") == "the old report"  # untouched, not truncated
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_a_judge_that_never_scores_ranks_nothing_charts_nothing_and_fails_the_run(cli, tmp_path):
    """n = 0 is no result: before, the model came out rank 1 with n=0, empty charts and exit 0."""
    bench = tmp_path / "b.jsonl"
    rows = [{"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"คำถาม {i}"]} for i in range(3)]
    bench.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with FakeServer("openai") as cand, FakeServer("openai", reply=lambda b: "It reads well, I suppose.") as judge:
        result = cli(
            "eval",
            "--model",
            "openai:m",
            "--base-url",
            cand.url,
            "--judge",
            "openai:j",
            "--judge-base-url",
            judge.url,
            "--bench",
            bench,
            "--db",
            tmp_path / "s.db",
            "--out",
            tmp_path / "r.html",
            env=ENV,
        )
    assert result.exit_code == 1, result.stderr
    assert "not one of its 3 replies had a verdict" in result.stderr
    with Store(tmp_path / "s.db") as store:
        report = build(store, judge="openai:j")
    (row,) = [r for r in report.leaderboard if r.model == "openai:m"]
    assert (row.rank, row.mean, row.n, row.unscored) == (None, None, 0, 3)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Not charted — no scored judgment from openai:j: openai:m" in page
    assert "not ranked: no scored judgment (the judge's 3 replies held no verdict in its prompt's format)" in unescape(
        page
    )
    # one model: nothing to compare, said as such rather than "no difference is significant"; counts in words
    assert "One model: there is no difference to test" in page and "No difference between models" not in page
    assert "1 model × 1 language (th) × 1 category;" in page
    assert '<td class="score unranked">' in page  # the reason wraps, where a score stays on one line (390 px)
    shown = cli("report", "--db", tmp_path / "s.db", env={"COLUMNS": "100"})
    assert re.search(r"^th\s+–\s+–\s*$", shown.stdout, re.M)  # judged, nothing scored: not a blank cell
    assert "not ranked" in shown.stdout and not re.search(r"^\s*│?\s*1\s+│?\s*openai:m", shown.stdout, re.M)
