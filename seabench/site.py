"""A leaderboard over many stores: `seabench site A.db B.db … --out site/` writes a static folder that opens from disk
or any static host — an index with one row per model, and each store's full report beside it.

Models are ranked together only when the same bench (its name and the hash of its questions) was judged by the same
judge with the same prompts: every other combination is a group of its own, because a score means nothing outside
them. Within a group the rank is the report's own rule: 1 + the models whose interval lies wholly above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .records import Report, Settings
from .report.overview import Strip, headline, ranks
from .store import Store
from .summarize import build


@dataclass
class SiteRow:
    model: str
    store: str
    """The store's folder in the site (its file name, made unique)."""
    rank: int | None
    score: str
    value: float | None
    low: float | None
    high: float | None
    questions: int
    vs_baseline: str
    strip: list[Strip]


@dataclass
class SiteGroup:
    bench: str
    """The bench (or benches) in words: name, question count and content hash."""
    judge: str
    """The judge in words: its name and a hash of its prompts."""
    measure: str
    scale: tuple[float, float]
    """The measure's range, for the language chips' shading."""
    langs: list[str]
    rows: list[SiteRow] = field(default_factory=list)


def _slug(path: Path, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-.") or "store"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def _identity(report: Report, judge: str | None) -> tuple[str, str]:
    """What makes scores comparable: the benches (name, count, hash) and the judge (name, its prompts' hash)."""
    facts = report.facts
    benches = " + ".join(f"{name} ({n} questions, {digest})" for name, digest, n in facts.benches) if facts else "?"
    prompts = sorted({run[3][:12] for run in (facts.judge_runs if facts else ()) if run[0] == judge})
    judged = f"{judge} (prompts {', '.join(prompts)})" if prompts else str(judge)
    return benches, judged


def build_site(
    sources: list[Path], out: Path, settings: Settings = Settings(), unscored: list[str] | None = None
) -> list[SiteGroup]:
    """Each store's report to `out/STORE/report.html`, and the index's groups (not yet written); the stores with no
    scored model are added to `unscored`."""
    from .report.html import to_html

    groups: dict[tuple[str, str, str], SiteGroup] = {}
    taken: set[str] = set()
    for path in sources:
        if path.suffix.lower() == ".json":  # a results file (export results): its report, without the store
            from .export import load_results

            report = load_results(path).report
        else:
            with Store(path, readonly=True) as store:
                report = build(store, settings=settings, browser=True)
        slug = _slug(path, taken)
        (out / slug).mkdir(parents=True, exist_ok=True)
        (out / slug / "report.html").write_text(to_html(report), encoding="utf-8")
        h = headline(report)
        if not h.rows:
            if unscored is not None:
                unscored.append(slug)
            continue
        bench, judge = _identity(report, h.judge)
        group = groups.setdefault((bench, judge, h.measure), SiteGroup(bench, judge, h.measure, h.scale, []))
        group.langs = sorted(set(group.langs) | set(h.langs))
        for row in h.rows:
            group.rows.append(
                SiteRow(
                    row.model,
                    slug,
                    row.rank,
                    row.score,
                    row.value,
                    row.low,
                    row.high,
                    row.questions,
                    row.vs_baseline,
                    row.strip,
                )  # fmt: skip
            )
    for group in groups.values():
        labels = {id(r): f"{r.model}\0{r.store}" for r in group.rows}
        ranked = ranks([(labels[id(r)], r.value, r.low, r.high) for r in group.rows if r.value is not None])
        for r in group.rows:
            r.rank = ranked.get(labels[id(r)])
            by_lang = {s.lang: s for s in r.strip}
            r.strip = [by_lang.get(lang, Strip(lang, None, "")) for lang in group.langs]
        group.rows.sort(
            key=lambda r: (
                r.rank is None,
                0 if r.rank is None else r.rank,
                0.0 if r.value is None else -r.value,
                r.model,
            )
        )
    return sorted(groups.values(), key=lambda g: (g.bench, g.judge, g.measure))


def write_site(sources: list[Path], out: Path, settings: Settings = Settings()) -> list[SiteGroup]:
    """The whole site: every store's report, then `index.html` over them."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from .resources import resource_dir

    out.mkdir(parents=True, exist_ok=True)
    unscored: list[str] = []
    groups = build_site(sources, out, settings, unscored)
    env = Environment(loader=FileSystemLoader(resource_dir("reports")), autoescape=select_autoescape(default=True))
    page = env.get_template("site.html.j2").render(groups=groups, stores=len(sources), unscored=unscored)
    (out / "index.html").write_text(page, encoding="utf-8")
    return groups
