"""Accuracy of the language check on text whose language we know.

Sensitivity: texts checked against their own language should pass (`ok`).
Specificity: the same texts checked against another bench language should not pass.
Corpora: the bundled bench (questions, and references in their answer language) and, when ../shared is present,
the SeaBench v2 reference answers (id, vi, th).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seabench.bench import load_bench  # noqa: E402
from seabench.checks.language import check_language  # noqa: E402

LANGS = ["en", "vi", "id", "ms", "tl", "th", "km", "lo", "my"]


def corpora() -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    bench = load_bench(None)
    texts = [(q.lang, t) for q in bench.questions for t in q.turns]
    texts += [(q.expected_lang, r) for q in bench.questions for r in (q.references or ()) if r]
    out["bundled bench"] = texts
    v2 = ROOT.parent / "shared" / "data" / "seabench-v2" / "public-questions.jsonl"
    if v2.exists():
        rows = [json.loads(l) for l in v2.read_text(encoding="utf-8").splitlines()]
        out["SeaBench v2 references"] = [(r["lang"], r[k]) for r in rows for k in ("reference_1", "reference_2")]
    return out


def measure(texts: list[tuple[str, str]]) -> dict:
    verdicts: dict[str, Counter] = defaultdict(Counter)
    wrong_passed = wrong_total = 0
    for lang, text in texts:
        verdicts[lang][check_language(text, lang).verdict] += 1
        for other in LANGS:
            if other == lang or {lang, other} == {"id", "ms"}:
                continue  # id and ms are reported as one
            wrong_total += 1
            wrong_passed += check_language(text, other).verdict == "ok"
    ok = sum(c["ok"] for c in verdicts.values())
    return {"n": len(texts), "ok": ok, "by_lang": verdicts, "specificity": 1 - wrong_passed / wrong_total}


def main() -> None:
    for name, texts in corpora().items():
        m = measure(texts)
        print(
            f"{name}: {m['ok']}/{m['n']} = {m['ok'] / m['n']:.1%} pass in their own language; "
            f"{m['specificity']:.1%} rejected against each other bench language"
        )
        for lang in LANGS:
            if lang in m["by_lang"]:
                c = m["by_lang"][lang]
                total = sum(c.values())
                print(f"  {lang}: {c['ok']}/{total} ok" + "".join(f", {v} {k}" for k, v in c.items() if k != "ok"))


if __name__ == "__main__":
    main()
