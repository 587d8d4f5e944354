"""One self-contained HTML page that reads top-down: the headline first, then fixed sections with a table of contents,
each judge's view once behind a judge menu, SVG charts (`svg.py`, no JavaScript library), and an answer browser whose
data travels compressed and is drawn one page at a time.

Every string from models, judges and users goes through Jinja's autoescaping, `svg.py` escapes what it writes, and
the answer browser sets text with `textContent`, so no answer can open a tag.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Iterator

from ..languages import lang_sort_key
from ..records import Report
from ..resources import resource_dir
from . import svg
from .bias_charts import bias_charts
from .charts import Block, baseline_charts, model_colors, pairwise_charts, safety_charts, score_charts
from .checkpoints import checkpoint_charts, checkpoint_summary
from .fonts import font_faces
from .order import SECTIONS
from .overview import headline
from .sections import all_tables

# Tables the page draws another way: the headline on top, grids as heatmaps, the baseline grids as the seed's figure.
DRAWN = ("headline", "grid", "baseline-grid")


def to_html(report: Report) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("reports")),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html.j2")
    blocks = charts(report) + [
        Block(t.section, t.title, t.judge, table=t) for t in all_tables(report) if t.id not in DRAWN
    ]
    sections = []
    for sid, heading in SECTIONS:
        mine = [b for b in blocks if b.section == sid]
        judges = list(dict.fromkeys(b.judge for b in mine if b.judge is not None))
        shown = report.primary_judge if report.primary_judge in judges else (judges[0] if judges else None)
        if mine or sid in ("overview", "facts") or (sid == "answers" and report.browser):
            sections.append({"id": sid, "heading": heading, "blocks": mine, "shown": shown, "judges": judges})
    judges = sorted(report.judges, key=lambda j: (j != report.primary_judge, j))
    data = pack_browser(report)
    args = dict(
        report=report,
        headline=headline(report),
        series=checkpoint_summary(report),
        sections=sections,
        judges=judges,
        browser_data=data,
        langs=sorted({q.lang for q in report.browser}, key=lang_sort_key),
        categories=sorted({q.category for q in report.browser}),
        models=report.models,
        colors=model_colors(report),
        ramp=lambda v, lo, hi: svg._ramp((v - lo) / (hi - lo)),
    )
    # Fonts for the characters the report uses: the page's own text and every string in the answer browser.
    used = template.render(**args, font_css="", font_notes=[]) + "".join(_texts(report))
    faces, font_notes = font_faces(used)
    return template.render(**args, font_css=faces, font_notes=font_notes)


def _texts(report: Report) -> Iterator[str]:
    for q in report.browser:
        yield from q.turns
        yield from (r or "" for r in q.references or ())
        for a in q.answers:
            yield a.text
            yield from (j.text for j in a.judgments)
            yield from (r.comment or "" for r in a.ratings)


def natural_key(text: str) -> list:
    """`q2` before `q10`: digit runs compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]


def pack_browser(report: Report) -> str:
    """The answer browser's data as gzip-compressed JSON in base64, questions in natural id order; the page inflates it
    and draws one page of questions at a time."""
    if not report.browser:
        return ""
    models = list(report.models)
    rows = []
    for q in sorted(report.browser, key=lambda q: (q.bench, natural_key(q.question_id))):
        scores = [j.score for a in q.answers for j in a.judgments if j.score is not None]
        rows.append(
            [
                q.bench,
                q.question_id,
                q.lang,
                q.category,
                list(q.turns),
                list(q.references or ()),
                min(scores) if scores else None,
                [
                    [
                        models.index(a.model) if a.model in models else a.model,
                        a.turn,
                        a.text,
                        a.chars,
                        a.language,
                        list(a.health),
                        int(a.injection),
                        [[j.judge, j.verdict, j.text, list(j.flags)] for j in a.judgments],
                        [[r.annotator, r.score, r.comment] for r in a.ratings],
                    ]
                    for a in q.answers
                ],
            ]
        )
    raw = json.dumps({"models": models, "questions": rows}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode("ascii")


def charts(report: Report) -> list[Block]:
    """Every chart as a block of its section: scores by language and category, radars, heatmaps, the seed's figure,
    pairwise and Bradley–Terry, and what sways a judge."""
    return [
        *checkpoint_charts(report),
        *score_charts(report),
        *baseline_charts(report),
        *pairwise_charts(report),
        *safety_charts(report),
        *bias_charts(report),
    ]
