"""Read the answer browser's data back out of a report page (gzip-compressed JSON in base64)."""

from __future__ import annotations

import base64
import gzip
import json
import re


def browser_data(html: str) -> dict:
    """{"models": [...], "questions": [[bench, id, lang, category, turns, references, lowest score, answers], ...]}."""
    found = re.search(r'<script type="application/octet-stream" id="browser-data">([^<]*)</script>', html)
    assert found, "no answer browser data in the page"
    return json.loads(gzip.decompress(base64.b64decode(found.group(1))))


def answers(html: str) -> list[dict]:
    """Every answer in the browser as a dict: model, turn, text, language, health, injection, judgments, ratings."""
    data = browser_data(html)
    out = []
    for q in data["questions"]:
        for a in q[7]:
            out.append(
                {
                    "question": q[1],
                    "lang": q[2],
                    "model": data["models"][a[0]] if isinstance(a[0], int) else a[0],
                    "turn": a[1],
                    "text": a[2],
                    "language": a[4],
                    "health": a[5],
                    "injection": bool(a[6]),
                    "judgments": [{"judge": j[0], "verdict": j[1], "text": j[2], "flags": j[3]} for j in a[7]],
                    "ratings": [{"annotator": r[0], "score": r[1], "comment": r[2]} for r in a[8]],
                }
            )
    return out
