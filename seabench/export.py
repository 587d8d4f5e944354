"""Results that travel: every number of a store in one versioned JSON file, which `site` and `compare` read back without
the store.

`seabench export results FILE.json` writes it; its JSON Schema ships in the package
(`seabench/schemas/results-v1.schema.json`, the `Results` record's own schema, checked against it by a test). The file
holds the report (every table, as `report --format json` gives it), the run's facts (benches with their content hashes,
judges with their prompts' hashes, models with their settings and checkpoints) and every score observation with its
question, so a paired comparison can be made again from the file alone. A later seabench adds fields, never renames
one; a reader refuses a file of a newer `version` rather than misread it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from . import __version__
from .aggregate.scores import Obs, observations
from .errors import ConfigError
from .records import Question, Record, Report, Settings
from .store import Store
from .summarize import build

VERSION = 1
SCHEMA = "schemas/results-v1.schema.json"


class StoredModel(Record):
    """A model as the store knows it."""

    name: str
    """Its stored name."""
    spec: str
    """PROVIDER:MODEL."""
    settings: dict
    """Its generation settings (temperature, max tokens, system prompt, sampling)."""
    checkpoint: str | None = None
    """Its identity beyond the spec: a local checkpoint's files, an API server's endpoint or served model."""


class BenchQuestion(Record):
    """A question with the bench it belongs to (a store may hold several benches)."""

    bench: str
    """The bench's name."""
    question: Question
    """The question itself: id, language, category, turns, references, tags."""


class Results(Record):
    """Every number of a store, versioned: the report, the facts behind it and every score observation."""

    format: Literal["seabench-results"] = "seabench-results"
    """What this file is."""
    version: int = VERSION
    """The format's version: a reader refuses a newer one."""
    exported_at: str
    """When it was written (UTC, ISO 8601)."""
    seabench: str
    """The seabench version that wrote it."""
    store: str
    """The store's file name."""
    models: tuple[StoredModel, ...]
    """Every model of the store, with its settings and identity."""
    questions: tuple[BenchQuestion, ...]
    """Every question of the store."""
    observations: tuple[Obs, ...]
    """Every single score: a judgment's or an annotator's, by model, judge, question, turn and sample; unscored ones
    with score null."""
    report: Report
    """The report, as `report --format json` gives it (without the HTML answer browser)."""


def export_results(store: Store, settings: Settings = Settings()) -> Results:
    report = build(store, settings=settings)
    questions = store.questions()
    models = [
        StoredModel(name=name, spec=spec, settings=json.loads(raw), checkpoint=checkpoint)
        for name, spec, raw, checkpoint in store.db.execute(
            "SELECT name, spec, settings, checkpoint FROM models ORDER BY name"
        )
    ]
    return Results(
        exported_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        seabench=__version__,
        store=store.path.name,
        models=tuple(models),
        questions=tuple(BenchQuestion(bench=b, question=q) for (b, _), q in sorted(questions.items())),
        observations=tuple(observations(store.judgments(kind="single"), store.ratings())),
        report=report,
    )


def load_results(path: Path) -> Results:
    """A results file, or one line saying why it is not one this seabench can read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it ({e.strerror})") from None
    except ValueError as e:
        raise ConfigError(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or data.get("format") != "seabench-results":
        raise ConfigError(f"{path}: not a seabench results file (write one with `seabench export results`)")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise ConfigError(
            f"{path}: results version {data.get('version')} is newer than this seabench reads ({VERSION})"
        )
    try:
        return Results.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"{path}: {where}: {err['msg'].lower()}") from None


def schema() -> dict:
    """The JSON Schema of a results file, as the package ships it."""
    return Results.model_json_schema()
