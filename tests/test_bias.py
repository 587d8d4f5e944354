"""Answer length and position bias (#16's first pieces): hand-computed values, scipy's t interval where the
cluster interval reduces to it, and a simulated judge whose position bias is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from seabench.aggregate import answer_lengths, position_bias
from seabench.records import Answer, Judgment, Question, Usage


def _q(i: int, lang: str = "th", category: str = "safety") -> Question:
    return Question(id=f"q{i}", lang=lang, category=category, turns=("x",))


def _pair(judge: str, i: int, shown: tuple[str, str], winner: str, sample: int = 0) -> Judgment:
    return Judgment(
        key=f"{judge}{i}{shown}{sample}",
        kind="pairwise",
        judge=judge,
        prompt="p",
        bench="b",
        question_id=f"q{i}",
        turn=1,
        model=shown[0],
        model_b=shown[1],
        sample=sample,
        winner=winner,
        judgment="",
        attempts=1,
    )


def test_a_judge_that_always_picks_the_first_answer_flips_every_time_and_one_that_reads_them_never_does():
    questions = {("b", f"q{i}"): _q(i) for i in range(6)}
    judgments = []
    for i in range(6):
        judgments += [_pair("positional", i, ("x", "y"), "A"), _pair("positional", i, ("y", "x"), "A")]
        judgments += [
            _pair("reader", i, ("x", "y"), "A"),
            _pair("reader", i, ("y", "x"), "B"),
        ]  # x is better, both orders
    rows = {(r.judge, r.lang): r for r in position_bias(judgments, questions)}
    positional, reader = rows[("positional", "th")], rows[("reader", "th")]
    assert (positional.pairs, positional.flip, positional.decisive, positional.first) == (6, 1.0, 12, 1.0)
    assert (reader.pairs, reader.flip, reader.decisive, reader.first) == (6, 0.0, 12, 0.5)
    assert positional.flip_low is None  # every question alike: no spread, no honest interval
    assert rows[("reader", "all")].pairs == 6


def test_ties_and_one_sided_items_count_where_they_belong():
    questions = {("b", "q0"): _q(0), ("b", "q1"): _q(1), ("b", "q2"): _q(2)}
    judgments = [
        _pair("j", 0, ("x", "y"), "A"),
        _pair("j", 0, ("y", "x"), "tie"),  # flips (a win became a tie); 1 decisive, first
        _pair("j", 1, ("x", "y"), "B"),
        _pair("j", 1, ("y", "x"), "A"),  # consistent: y both times; 2 decisive, 1 first
        _pair("j", 2, ("x", "y"), "B"),  # one order only: no pair; 1 decisive, not first
    ]
    (row, _all) = position_bias(judgments, questions)
    assert (row.pairs, row.flip, row.decisive) == (2, 0.5, 4)
    assert row.first == pytest.approx(2 / 4)


def test_the_first_position_share_recovers_a_simulated_judges_bias():
    rng = np.random.default_rng(7)
    questions = {("b", f"q{i}"): _q(i, category=["safety", "math-reasoning"][i % 2]) for i in range(300)}
    judgments = []
    for i in range(300):
        for shown in (("x", "y"), ("y", "x")):
            judgments.append(
                _pair("j", i, shown, "A" if rng.random() < 0.7 else "B")
            )  # 70% for whatever is shown first
    row = next(r for r in position_bias(judgments, questions) if r.lang == "all")
    assert row.first_low < 0.7 < row.first_high and abs(row.first - 0.7) < 0.05
    assert row.first_high - row.first_low < 0.1


def test_answer_lengths_are_means_over_answers_with_question_intervals():
    questions = {("b", f"q{i}"): _q(i, lang=["th", "km"][i % 2]) for i in range(8)}
    texts = {i: "ก" * (10 * (i + 1)) for i in range(8)}
    answers = [
        Answer(
            key=f"a{i}",
            bench="b",
            question_id=f"q{i}",
            turn=1,
            model="m",
            spec="openai:m",
            text=texts[i],
            usage=Usage(output_tokens=i + 1 if i < 6 else None),
        )
        for i in range(8)
    ]
    rows = {r.lang: r for r in answer_lengths(answers, questions)}
    th = [len(texts[i]) for i in range(0, 8, 2)]
    assert rows["th"].chars == pytest.approx(np.mean(th)) and rows["th"].answers == 4 and rows["th"].questions == 4
    low, high = stats.t.interval(0.95, len(th) - 1, loc=np.mean(th), scale=stats.sem(th))
    assert (rows["th"].chars_low, rows["th"].chars_high) == (
        pytest.approx(max(0.0, low)),
        pytest.approx(high),
    )  # clipped: lengths are ≥ 0
    assert rows["all"].chars == pytest.approx(np.mean([len(t) for t in texts.values()]))
    assert rows["all"].tokens == pytest.approx(np.mean(range(1, 7))) and rows["all"].tokens_n == 6


def _games(n: int, rng, *, quality: float = 0.0, length_bonus: float = 0.0, langs=("th", "km")):
    """Two models over n questions: a writes longer answers; the judge prefers a by `quality` and by the length difference."""
    from seabench.records import PairOutcome

    questions = {
        ("b", f"q{i}"): _q(i, lang=langs[i % len(langs)], category=["safety", "math-reasoning"][i % 2])
        for i in range(n)
    }
    lengths, results = {}, []
    for i in range(n):
        a_len, b_len = int(rng.normal(900, 200)), int(rng.normal(500, 200))
        lengths[("a", "b", f"q{i}", 1)], lengths[("b", "b", f"q{i}", 1)] = a_len, b_len
        results.append((i, a_len - b_len))
    spread = np.std([d for _, d in results])
    outcomes = []
    for i, delta in results:
        p = 1 / (1 + np.exp(-(quality + length_bonus * np.tanh(delta / spread))))
        u = rng.random()
        winner = "A" if u < p * 0.9 else "tie" if u < p * 0.9 + 0.1 else "B"  # a tenth of the verdicts are ties
        outcomes.append(
            PairOutcome(judge="j", bench="b", question_id=f"q{i}", turn=1, model_a="a", model_b="b", winner=winner)
        )
    return outcomes, lengths, questions


def test_the_length_controlled_fit_matches_scikit_learn_to_1e6():
    from sklearn.linear_model import LogisticRegression

    from seabench.aggregate import length_controlled

    outcomes, lengths, questions = _games(150, np.random.default_rng(3), quality=0.2, length_bonus=1.0)
    row = next(r for r in length_controlled(outcomes, lengths, questions) if (r.model, r.lang) == ("a", "all"))
    delta = np.array(
        [lengths[("a", "b", o.question_id, 1)] - lengths[("b", "b", o.question_id, 1)] for o in outcomes], dtype=float
    )
    y = np.array([{"A": 1.0, "B": 0.0, "tie": 0.5}[o.winner] for o in outcomes])
    x = np.tanh(delta / delta.std())
    # A tie is half a win and half a loss: two weighted rows for scikit-learn.
    X = np.concatenate([x, x])[:, None]
    target = np.concatenate([np.ones_like(y), np.zeros_like(y)])
    fit = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(
        X, target, sample_weight=np.concatenate([y, 1 - y])
    )
    assert row.length_coef == pytest.approx(fit.coef_[0][0], abs=1e-6)
    assert row.lc == pytest.approx(1 / (1 + np.exp(-fit.intercept_[0])), abs=1e-6)
    assert row.raw == pytest.approx(y.mean()) and row.items == 150 and row.questions == 150
    mirrored = next(r for r in length_controlled(outcomes, lengths, questions) if (r.model, r.lang) == ("b", "all"))
    assert mirrored.lc == pytest.approx(1 - row.lc, abs=1e-9) and mirrored.length_coef == pytest.approx(
        row.length_coef, abs=1e-9
    )


@pytest.mark.parametrize("n, seed", [(12, 1), (40, 2), (150, 3), (400, 4)])
def test_alpacaevals_figure_is_what_the_alpaca_eval_package_computes_on_the_same_verdicts(
    n, seed, tmp_path, monkeypatch
):
    """The package itself is the reference: its get_length_controlled_winrate with length_controlled_minimal, on the
    same verdicts and lengths written as its annotations. Its hub download (a table of AlpacaEval's own instruction
    difficulties, unused by this GLM) is served from a local file."""
    pytest.importorskip("pkg_resources", reason="alpaca-eval imports pkg_resources (setuptools < 81)")
    import pandas as pd
    from alpaca_eval.metrics import glm_winrate

    from seabench.aggregate import length_controlled

    outcomes, lengths, questions = _games(n, np.random.default_rng(seed), quality=0.3, length_bonus=0.8)
    rows = {(r.model, r.lang): r for r in length_controlled(outcomes, lengths, questions)}
    table = tmp_path / "df_gamed.csv"
    pd.DataFrame({"index": range(n), "instruction_difficulty": 0.0, "model": "x"}).to_csv(table, index=False)
    monkeypatch.setattr(glm_winrate, "hf_hub_download", lambda **_: str(table))
    annotations = pd.DataFrame(
        {
            # AlpacaEval's code: 1 the baseline (output_1) won, 2 the model (output_2) won, 0 a tie.
            "preference": [{"A": 2.0, "B": 1.0, "tie": 0.0}[o.winner] for o in outcomes],
            "output_1": ["x" * lengths[("b", "b", o.question_id, 1)] for o in outcomes],
            "output_2": ["x" * lengths[("a", "b", o.question_id, 1)] for o in outcomes],
            "index": range(n),
            "generator_1": "b",
            "generator_2": "a",
            "annotator": "j",
        }
    )
    theirs = glm_winrate.get_length_controlled_winrate(
        annotations, glm_name="length_controlled_minimal", save_weights_dir=None, is_warn_extreme_changes=False
    )
    assert rows[("a", "all")].alpacaeval == pytest.approx(theirs["length_controlled_winrate"] / 100, abs=1e-3)
    assert rows[("b", "all")].alpacaeval == pytest.approx(1 - rows[("a", "all")].alpacaeval, abs=1e-12)
    assert rows[("a", "all")].raw == pytest.approx(theirs["win_rate"] / 100, abs=1e-9)
    assert rows[("a", "th")].alpacaeval is None  # a figure for the whole set of instructions only, as AlpacaEval's


def test_alpacaevals_figure_shrinks_few_verdicts_towards_half_where_the_unpenalised_fit_does_not():
    from seabench.aggregate import length_controlled

    outcomes, lengths, questions = _games(12, np.random.default_rng(1), quality=0.3, length_bonus=0.8)
    row = next(r for r in length_controlled(outcomes, lengths, questions) if (r.model, r.lang) == ("a", "all"))
    assert row.alpacaeval == pytest.approx(0.5) and abs(row.lc - 0.5) > 0.05 and row.noisy


def test_a_judge_with_a_taste_for_length_wins_raw_but_not_at_equal_length():
    from seabench.aggregate import length_controlled

    outcomes, lengths, questions = _games(400, np.random.default_rng(11), quality=0.0, length_bonus=1.5)
    row = next(r for r in length_controlled(outcomes, lengths, questions) if (r.model, r.lang) == ("a", "all"))
    assert row.raw > 0.6  # the longer model wins as judged
    assert row.lc_low < 0.5 < row.lc_high and abs(row.lc - 0.5) < 0.06  # equally good at equal length
    assert row.length_coef > 1.0
    fair, fl, fq = _games(400, np.random.default_rng(12), quality=0.8, length_bonus=0.0)
    honest = next(r for r in length_controlled(fair, fl, fq) if (r.model, r.lang) == ("a", "all"))
    assert honest.lc_low < 1 / (1 + np.exp(-0.8)) < honest.lc_high and abs(honest.length_coef) < 0.4


def test_a_model_that_always_wins_keeps_its_rate_without_a_fit():
    from seabench.aggregate import length_controlled
    from seabench.records import PairOutcome

    questions = {("b", f"q{i}"): _q(i) for i in range(5)}
    lengths = {(m, "b", f"q{i}", 1): (100 if m == "a" else 50) + i for i in range(5) for m in "ab"}
    outcomes = [
        PairOutcome(judge="j", bench="b", question_id=f"q{i}", turn=1, model_a="a", model_b="b", winner="A")
        for i in range(5)
    ]
    row = next(r for r in length_controlled(outcomes, lengths, questions) if (r.model, r.lang) == ("a", "all"))
    assert (row.raw, row.lc, row.lc_low, row.length_coef) == (1.0, 1.0, None, None)


def test_the_length_controlled_interval_covers_a_known_truth_about_95_percent_of_the_time():
    from seabench.aggregate import length_controlled

    rng = np.random.default_rng(5)
    covered = []
    for _ in range(200):
        outcomes, lengths, questions = _games(40, rng, quality=0.0, length_bonus=1.5, langs=("th",))
        row = next(
            r
            for r in length_controlled(outcomes, lengths, questions, alpacaeval=False)
            if (r.model, r.lang) == ("a", "all")
        )
        if row.lc_low is not None:
            covered.append(row.lc_low <= 0.5 <= row.lc_high)
    assert len(covered) >= 195 and 0.91 <= np.mean(covered) <= 0.99, np.mean(covered)


def test_model_families_from_specs():
    from seabench.backends import model_family

    assert [
        model_family(s)
        for s in (
            "openai:gpt-4o",
            "openai:o3-mini",
            "anthropic:claude-sonnet-4-5",
            "hf:Qwen/Qwen2.5-7B-Instruct",
            "vllm:meta-llama/Meta-Llama-3-8B-Instruct",
            "openai:SeaLLMs/SeaLLM-7B-v2.5",
        )
    ] == ["gpt", "gpt", "claude", "qwen", "llama", "seallm"]
    assert model_family("bench:sea-bench", "chatgpt_response") == "gpt"


def test_a_judge_grading_its_own_family_is_flagged_and_set_against_the_other_judges(cli, tmp_path):
    import json

    from .fakes import FakeServer

    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": f"q{i}", "category": "safety", "lang": "th", "turns": [f"คำถาม {i}"]})
            for i in range(6)
        ),
        encoding="utf-8",
    )
    db, env = tmp_path / "s.db", {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}
    with FakeServer("openai") as gpt, FakeServer("anthropic") as claude:
        for spec, server in (("openai:gpt-4o-mini", gpt), ("anthropic:claude-haiku-4-5", claude)):
            assert (
                cli(
                    "generate", "--model", spec, "--base-url", server.url, "--bench", bench, "--db", db, env=env
                ).exit_code
                == 0
            )

    def fond_of_gpt(body):  # the GPT judge gives GPT's answers 9, the rest 5
        return "Rating: [[9]]" if "[gpt-4o-mini]" in body["messages"][1]["content"] else "Rating: [[5]]"

    with (
        FakeServer("openai", reply=fond_of_gpt) as gpt_judge,
        FakeServer("anthropic", reply=lambda body: "Rating: [[6]]") as claude_judge,
    ):
        assert (
            cli("judge", "--judge", "openai:gpt-4o", "--judge-base-url", gpt_judge.url, "--db", db, env=env).exit_code
            == 0
        )
        assert (
            cli(
                "judge",
                "--judge",
                "anthropic:claude-sonnet-4-5",
                "--judge-base-url",
                claude_judge.url,
                "--db",
                db,
                env=env,
            ).exit_code
            == 0
        )
    report = json.loads(cli("report", "--format", "json", "--db", db).stdout)
    flags = {
        (r["judge"], r["model"]): r["self_judged"] for r in report["leaderboard"] if not r["judge"].startswith("panel")
    }
    panel = {
        r["model"]: r["mean"]
        for r in report["leaderboard"]
        if r["judge"] == "panel (anthropic:claude-sonnet-4-5 + openai:gpt-4o)"
    }
    assert panel == {
        "openai:gpt-4o-mini": 7.5,
        "anthropic:claude-haiku-4-5": 5.5,
    }  # the mean of the two judges, item by item
    between = [
        a for a in report["agreement"] if a["kind"] == "judge-judge" and a["lang"] == "all" and a["category"] == "all"
    ]
    assert [(a["a"], a["b"], a["n"]) for a in between] == [("anthropic:claude-sonnet-4-5", "openai:gpt-4o", 12)]
    assert flags == {
        ("openai:gpt-4o", "openai:gpt-4o-mini"): "same family",
        ("openai:gpt-4o", "anthropic:claude-haiku-4-5"): None,
        ("anthropic:claude-sonnet-4-5", "anthropic:claude-haiku-4-5"): "same family",
        ("anthropic:claude-sonnet-4-5", "openai:gpt-4o-mini"): None,
    }
    rows = {r["judge"]: r for r in report["self_preference"]}
    assert (rows["openai:gpt-4o"]["own"], rows["openai:gpt-4o"]["others"], rows["openai:gpt-4o"]["n"]) == (9.0, 6.0, 6)
    assert (rows["anthropic:claude-sonnet-4-5"]["own"], rows["anthropic:claude-sonnet-4-5"]["others"]) == (6.0, 5.0)
    terminal = cli("report", "--db", db, "--section", "judges", "--section", "overview", env={"COLUMNS": "200"}).stdout
    assert "Self-preference" in terminal and "openai:gpt-4o-mini ‡" in terminal


def test_eval_runs_a_panel_of_judges_in_one_command_and_a_rerun_sends_nothing(cli, tmp_path):
    import json

    from .fakes import FakeServer

    bench = tmp_path / "b.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps({"question_id": f"q{i}", "category": "safety", "lang": "km", "turns": [f"សំណួរ {i}"]})
            for i in range(5)
        ),
        encoding="utf-8",
    )
    config = tmp_path / "eval.toml"
    db, out, env = tmp_path / "s.db", tmp_path / "r.html", {"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"}
    with (
        FakeServer("openai") as candidate,
        FakeServer("openai", reply=lambda body: "Rating: [[8]]") as strict,
        FakeServer("anthropic", reply=lambda body: "Rating: [[4]]") as lenient,
    ):
        config.write_text(
            f"""[judge]\nmode = "single"\n\n[[judges]]\nspec = "openai:gpt-4o"\nname = "gpt"\nbase_url = "{strict.url}"\n\n"""
            f"""[[judges]]\nspec = "anthropic:claude-sonnet-4-5"\nname = "claude"\nbase_url = "{lenient.url}"\n""",
            encoding="utf-8",
        )
        args = (
            "eval",
            "--model",
            "openai:m",
            "--base-url",
            candidate.url,
            "--bench",
            bench,
            "--db",
            db,
            "--out",
            out,
            "--config",
            config,
        )
        first = cli(*args, env=env)
        assert first.exit_code == 0, first.output
        assert (len(strict.requests), len(lenient.requests)) == (5, 5)  # each judge reached its own server only
        again = cli(*args, env=env)
        assert again.exit_code == 0 and (len(strict.requests), len(lenient.requests), len(candidate.requests)) == (
            5,
            5,
            5,
        )
        assert "gpt: nothing to send" in again.output and "claude: nothing to send" in again.output
        # the same panel from the command line, under other names, is two more judges
        flags = cli(
            "eval",
            "--model",
            "openai:m",
            "--base-url",
            candidate.url,
            "--bench",
            bench,
            "--db",
            db,
            "--out",
            out,
            "--judge",
            "openai:gpt-4o,anthropic:claude-sonnet-4-5",
            "--judge-name",
            "gpt2",
            "--judge-name",
            "claude2",
            "--judge-base-url",
            strict.url,
            "--judge-base-url",
            lenient.url,
            env=env,
        )
        assert flags.exit_code == 0, flags.output
        assert (len(strict.requests), len(lenient.requests)) == (10, 10)
    report = json.loads(cli("report", "--format", "json", "--db", db, "--judge-name", "panel (claude + gpt)").stdout)
    assert [(r["judge"], r["mean"], r["n"]) for r in report["leaderboard"]] == [
        ("claude", 4.0, 5),
        ("gpt", 8.0, 5),
        ("panel (claude + gpt)", 6.0, 5),
    ]
    html = out.read_text(encoding="utf-8")  # the last eval's report: its own panel, not the judges of the first
    assert "panel (claude2 + gpt2)" in html and "panel (claude + gpt)" not in html
    twice = tmp_path / "twice.toml"
    twice.write_text(
        config.read_text(encoding="utf-8").replace('mode = "single"', 'mode = "single"\nspec = "openai:gpt-4o"'),
        encoding="utf-8",
    )
    refused = cli("eval", "--model", "openai:m", "--bench", bench, "--db", db, "--config", twice, env=env)
    assert refused.exit_code == 2 and "names judges twice" in refused.output


def _style_games(rng, n: int = 300, bold_bonus: float = 1.0):
    """Three models; c is as good as b but writes bold everywhere, and the judge likes bold."""
    from seabench.records import PairOutcome

    strength = {"a": 0.6, "b": 0.0, "c": 0.0}
    questions = {("b", f"q{i}"): _q(i, category=["safety", "math-reasoning"][i % 2]) for i in range(n)}
    styles, outcomes = {}, []
    for i in range(n):
        for m in "abc":
            styles[(m, "b", f"q{i}", 1)] = (
                int(rng.normal(600, 100)),
                0,
                int(rng.integers(0, 4)),
                int(rng.integers(4, 8)) if m == "c" else int(rng.integers(0, 2)),
            )
        for x, y in (("a", "b"), ("a", "c"), ("b", "c")):
            (lx, *_, bx), (ly, *_, by) = styles[(x, "b", f"q{i}", 1)], styles[(y, "b", f"q{i}", 1)]
            dx, dy = bx / (lx + 1), by / (ly + 1)  # Arena-Hard's bold density and its normalised difference
            d = (dx - dy) / (dx + dy + 1)
            p = 1 / (1 + np.exp(-(strength[x] - strength[y] + bold_bonus * 200 * d)))
            outcomes.append(
                PairOutcome(
                    judge="j",
                    bench="b",
                    question_id=f"q{i}",
                    turn=1,
                    model_a=x,
                    model_b=y,
                    winner="A" if rng.random() < p else "B",
                )
            )
    return outcomes, styles, questions


def test_style_control_matches_scikit_learn_and_undoes_a_taste_for_bold():
    from sklearn.linear_model import LogisticRegression

    from seabench.aggregate import bradley_terry_ratings, style_controlled
    from seabench.aggregate.style import FEATURES

    outcomes, styles, questions = _style_games(np.random.default_rng(21))
    ratings, coefs = style_controlled(outcomes, styles, questions)
    by = {r.model: r for r in ratings}
    raw = {r.model: r for r in bradley_terry_ratings(outcomes, questions)}
    assert raw["c"].rating > raw["b"].rating + 50  # bold wins it raw
    assert by["c"].ci_low < by["b"].rating < by["c"].ci_high  # at equal style b and c are alike
    assert by["a"].rating > by["b"].ci_high  # a really is better
    assert {c.feature for c in coefs} == {"length (characters)", "headers", "lists", "bold"}
    bold = next(c for c in coefs if c.feature == "bold")
    headers = next(c for c in coefs if c.feature == "headers")
    assert bold.ci_low > 0 and (headers.coef, headers.ci_low) == (0.0, None)  # no header anywhere: nothing to say

    # The same fit by scikit-learn: model columns without the first, standardised normalised differences, the prior's
    # virtual ties as a win and a loss of weight 1/2 each.
    index = {"a": 0, "b": 1, "c": 2}
    rows, y = [], []
    for o in outcomes:
        sa, sb = (np.array(styles[(m, "b", o.question_id, 1)], float) for m in (o.model_a, o.model_b))
        side = np.zeros(3)
        side[index[o.model_a]], side[index[o.model_b]] = 1, -1
        # Arena-Hard's show_result.py: length as (a − b) / (a + b), markdown as densities count / (length + 1)
        # compared as (dₐ − d_b) / (dₐ + d_b + 1), then divided by the sample SD.
        da, db = sa[1:] / (sa[0] + 1), sb[1:] / (sb[0] + 1)
        feats = [(sa[0] - sb[0]) / (sa[0] + sb[0]), *((da - db) / (da + db + 1))]
        rows.append(np.concatenate([side, feats]))
        y.append(1.0 if o.winner == "A" else 0.0)
    X = np.array(rows)
    sd = X[:, 3:].std(axis=0, ddof=1)
    X[:, 3:] = np.divide(X[:, 3:], sd, out=np.zeros_like(X[:, 3:]), where=sd > 0)
    prior = np.array(
        [np.concatenate([np.eye(3)[i] - np.eye(3)[j], np.zeros(4)]) for i in range(3) for j in range(i + 1, 3)]
    )
    Xs = np.vstack([X, prior, prior])[:, 1:]
    ys = np.concatenate([y, np.ones(3), np.zeros(3)])
    ws = np.concatenate([np.ones(len(y)), np.full(6, 0.5)])
    fit = LogisticRegression(C=np.inf, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(Xs, ys, sample_weight=ws)
    theta = np.concatenate([[0.0], fit.coef_[0][:2]])
    ours = [(by[m].rating - 1000) / (400 / np.log(10)) for m in "abc"]  # back to log-odds, where the fit lives
    assert ours == pytest.approx(list(theta - theta.mean()), abs=1e-6)
    assert [c.coef for c in coefs] == pytest.approx(list(fit.coef_[0][2:]), abs=1e-6) and len(coefs) == len(FEATURES)


def test_style_that_always_wins_has_no_finite_fit_and_the_report_says_so():
    from types import SimpleNamespace

    from seabench.aggregate import style_controlled
    from seabench.records import PairOutcome
    from seabench.records.results import RatingRow
    from seabench.report.bias_tables import style_table

    questions = {("b", f"q{i}"): _q(i) for i in range(30)}
    length = {"a": 100, "b": 200, "c": 300}
    styles = {(m, "b", f"q{i}", 1): (length[m], 0, 0, 0) for m in "abc" for i in range(30)}
    games = [
        PairOutcome(judge="j", bench="b", question_id=f"q{i}", turn=1, model_a=x, model_b=y, winner="B")
        for i in range(30)
        for x, y in (("a", "b"), ("a", "c"), ("b", "c"))
    ]  # the longer answer, every time
    assert style_controlled(games, styles, questions) == ([], [])
    ratings = tuple(RatingRow(judge="j", model=m, rating=1000.0, ci_low=990.0, ci_high=1010.0, games=60) for m in "abc")
    (table,) = style_table(SimpleNamespace(ratings=ratings, style_ratings=(), style_coefs=()))
    assert "no style-controlled fit for j" in table.caption and not table.rows


def test_a_pairwise_panel_takes_the_majority_and_calls_an_even_split_a_tie():
    from seabench.aggregate.panel import panel_observations, panel_outcomes
    from seabench.aggregate.scores import Obs
    from seabench.records import PairOutcome

    def o(judge, q, winner):
        return PairOutcome(judge=judge, bench="b", question_id=q, turn=1, model_a="x", model_b="y", winner=winner)

    three = [
        o("j1", "q1", "A"),
        o("j2", "q1", "A"),
        o("j3", "q1", "B"),
        o("j1", "q2", "A"),
        o("j2", "q2", "tie"),
        o("j3", "q2", "B"),
        o("j1", "q3", "A"),
        o("j2", "q3", "A"),
    ]  # q3: j3 never settled it, so the panel leaves it out
    assert [(p.question_id, p.winner) for p in panel_outcomes(three)] == [("q1", "A"), ("q2", "tie")]
    assert {p.judge for p in panel_outcomes(three)} == {"panel (j1 + j2 + j3)"}
    two = [o("j1", "q1", "A"), o("j2", "q1", "B")]
    assert [p.winner for p in panel_outcomes(two)] == ["tie"]
    assert panel_outcomes([o("j1", "q1", "A")]) == []  # one judge is no panel
    scores = [
        Obs(model="x", judge="j1", bench="b", question_id="q1", turn=1, score=8.0),
        Obs(model="x", judge="j1", bench="b", question_id="q1", turn=1, score=6.0),  # two samples: 7
        Obs(model="x", judge="j2", bench="b", question_id="q1", turn=1, score=4.0),
        Obs(model="x", judge="human", bench="b", question_id="q1", turn=1, score=1.0),
    ]  # people are not in the panel
    (panel,) = panel_observations(scores)
    assert (panel.judge, panel.score) == ("panel (j1 + j2)", 5.5)


def test_the_judge_to_trust_is_the_one_people_agree_with_and_clearly_only_when_the_data_say_so():
    from seabench.aggregate import judge_choice
    from seabench.records import AgreementRow

    def row(judge, lang, kappa, low, high, kind="judge-human", category="all"):
        return AgreementRow(
            kind=kind,
            a=judge,
            b="human",
            lang=lang,
            category=category,
            n=40,
            items=40,
            kappa=kappa,
            kappa_low=low,
            kappa_high=high,
        )

    rows = [
        row("j1", "th", 0.80, 0.70, 0.88),
        row("j2", "th", 0.50, 0.35, 0.62),  # th: j1, clearly
        row("j1", "km", 0.55, 0.30, 0.72),
        row("j2", "km", 0.60, 0.41, 0.75),  # km: j2, but not clearly
        row("j2", "km", 0.99, 0.9, 1.0, category="safety"),
        row("j1", "th", 0.1, 0.0, 0.2, kind="judge-judge"),
    ]
    choice = {c.lang: c for c in judge_choice(rows)}
    assert (choice["th"].judge, choice["th"].clearly, choice["th"].runner_up) == ("j1", True, "j2")
    assert (choice["km"].judge, choice["km"].clearly, choice["km"].runner_up_kappa) == ("j2", False, 0.55)


def _single(judge: str, model: str, i: int, score: float) -> Judgment:
    return Judgment(
        key=f"{judge}-{model}-{i}",
        kind="single",
        judge=judge,
        prompt="p",
        bench="b",
        question_id=f"q{i}",
        turn=1,
        model=model,
        score=score,
        judgment="",
    )


def test_self_preference_compares_the_same_answers():
    from seabench.aggregate import self_preference

    questions = {("b", f"q{i}"): _q(i) for i in range(8)}
    # the gpt judge scored all eight answers; the claude judge only the first four, where gpt's own scores are low
    judgments = [_single("gpt-judge", "gpt-4o", i, 3.0 if i < 4 else 9.0) for i in range(8)]
    judgments += [_single("claude-judge", "gpt-4o", i, 3.0) for i in range(4)]
    (row,) = [
        r
        for r in self_preference(
            judgments, {"gpt-judge": "gpt", "claude-judge": "claude"}, {"gpt-4o": "gpt"}, questions
        )
        if r.judge == "gpt-judge"
    ]
    assert row.own == pytest.approx(3.0) and row.others == pytest.approx(3.0) and row.n == 4  # no preference, paired


def test_position_bias_counts_the_orders_it_could_not_use():
    questions = {("b", f"q{i}"): _q(i) for i in range(3)}
    judgments = []
    for i in range(3):
        for first, second, winner in (("a", "b", "A"), ("b", "a", None if i == 0 else "B")):
            judgments.append(
                Judgment(
                    key=f"{i}{first}",
                    kind="pairwise",
                    judge="j",
                    prompt="p",
                    bench="b",
                    question_id=f"q{i}",
                    turn=1,
                    model=first,
                    model_b=second,
                    winner=winner,
                    judgment="",
                )
            )
    row = next(r for r in position_bias(judgments, questions) if r.lang == "all")
    assert row.unscored == 1 and row.pairs == 2


def test_a_model_that_never_won_shows_only_the_bound_the_data_give():
    from seabench.records import RatingRow
    from seabench.report.pairwise_tables import bt_cell

    never = RatingRow(model="m", judge="j", rating=850.0, ci_low=790.0, ci_high=900.0, games=6, note="never won")
    assert bt_cell(never) == "≤ 900 (never won)"
    assert bt_cell(never.model_copy(update={"note": None})) == "850 [790, 900]"


def test_style_features_follow_arena_hard_code_blocks_out_densities_and_its_normalisation():
    from fractions import Fraction as F

    from seabench.aggregate import answer_styles, normalised, style_of

    code = "```python\n# load data\nx = [\n- 1\n]\nprint(2**3 + 2**3)\n```"
    text = f"Here is the code:\n{code}\n## Result\n1. first\n- second\n**done** and __also__"
    assert style_of(text) == (len(text), 1, 2, 2)  # nothing inside the fence counts
    assert style_of(code) == (len(code), 0, 0, 0)
    # By hand: 500 tokens with 20 headers and 3 bold against 520 with 40 headers and no bold. Length (500 − 520) /
    # 1020; header densities 20/501 and 40/521, compared as (d₁ − d₂) / (d₁ + d₂ + 1); no lists on either side: 0;
    # bold 3/501 against 0: (3/501) / (3/501 + 1) = 3/504.
    h1, h2 = F(20, 501), F(40, 521)
    assert normalised(np.array([500.0, 20.0, 0.0, 3.0]), np.array([520.0, 40.0, 0.0, 0.0])) == pytest.approx(
        [-20 / 1020, float((h1 - h2) / (h1 + h2 + 1)), 0.0, 3 / 504], abs=1e-12
    )
    # three headers weigh more in a short answer than in a long one: densities, not counts
    short, long = (normalised(np.array([n, 3.0, 0, 0]), np.array([n, 0.0, 0, 0]))[1] for n in (50.0, 2000.0))
    assert short > long > 0
    assert list(normalised(np.zeros(4), np.zeros(4))) == [0.0, 0.0, 0.0, 0.0]  # two empty answers: even
    answers = [
        Answer(
            key=f"k{i}",
            bench="b",
            question_id="q",
            turn=1,
            model=m,
            spec="openai:m",
            text="**x**",
            usage=Usage(output_tokens=t),
        )
        for i, (m, t) in enumerate((("a", 7), ("b", 9)))
    ]
    styles, unit = answer_styles(answers)
    assert unit == "tokens" and styles[("a", "b", "q", 1)] == (7, 0, 0, 1)
    styles, unit = answer_styles([*answers, answers[0].model_copy(update={"model": "c", "usage": Usage()})])
    assert unit == "characters" and styles[("a", "b", "q", 1)][0] == len("**x**")  # one unit within a fit


def test_the_length_weight_has_an_interval_and_small_cells_are_flagged_noisy():
    from seabench.aggregate import length_controlled
    from seabench.records import PairOutcome

    rng = np.random.default_rng(5)
    questions = {("b", f"q{i}"): _q(i, lang=["th", "km"][i % 2]) for i in range(80)}
    lengths, outcomes = {}, []
    for i in range(80):
        la, lb = int(rng.normal(800, 200)), int(rng.normal(600, 200))
        lengths[("a", "b", f"q{i}", 1)], lengths[("b", "b", f"q{i}", 1)] = la, lb
        p = 1 / (1 + np.exp(-np.tanh((la - lb) / 280)))  # the judge likes length, nothing else
        outcomes.append(
            PairOutcome(
                judge="j",
                bench="b",
                question_id=f"q{i}",
                turn=1,
                model_a="a",
                model_b="b",
                winner="A" if rng.random() < p else "B",
            )
        )
    rows = {(r.model, r.lang): r for r in length_controlled(outcomes, lengths, questions)}
    overall, thai = rows["a", "all"], rows["a", "th"]
    assert (
        overall.length_coef_low is not None and overall.length_coef_low < overall.length_coef < overall.length_coef_high
    )
    assert not overall.noisy and thai.noisy and thai.questions == 40  # 80 questions overall, 40 in Thai
