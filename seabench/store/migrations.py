"""Named, append-only schema migrations. Never edit one that has shipped: add the next."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

M001_INITIAL = """
        CREATE TABLE questions (
            bench TEXT NOT NULL,
            id TEXT NOT NULL,
            lang TEXT NOT NULL,
            category TEXT NOT NULL,
            turns TEXT NOT NULL,          -- JSON list of user messages
            refs TEXT,                    -- JSON list (per turn) or NULL
            answer_lang TEXT,
            baseline TEXT,
            PRIMARY KEY (bench, id)
        );
        CREATE TABLE models (
            name TEXT PRIMARY KEY,        -- what reports call it
            spec TEXT NOT NULL,           -- provider:model
            settings TEXT NOT NULL        -- JSON GenerationSettings
        );
        CREATE TABLE answers (
            key TEXT PRIMARY KEY,
            bench TEXT NOT NULL,
            question_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            model TEXT NOT NULL,
            spec TEXT NOT NULL,
            text TEXT NOT NULL,
            input_tokens INTEGER,
            output_tokens INTEGER,
            latency_s REAL,
            cost_usd REAL,
            finish_reason TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX answers_by_model ON answers (model, bench, question_id, turn);
        CREATE TABLE failures (
            key TEXT PRIMARY KEY,
            bench TEXT NOT NULL,
            question_id TEXT NOT NULL,
            turn INTEGER NOT NULL,
            model TEXT NOT NULL,
            error TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            updated_at TEXT NOT NULL
        );
"""

M002_JUDGING = """
CREATE TABLE judgments (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,               -- single | pairwise
    judge TEXT NOT NULL,              -- the judge's name (its spec, or the name an import gave it)
    prompt TEXT NOT NULL,             -- judge prompt name
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model TEXT NOT NULL,              -- single: the model judged; pairwise: the model shown as A
    model_b TEXT,                     -- pairwise: the model shown as B
    sample INTEGER NOT NULL DEFAULT 0,
    score REAL,                       -- single, NULL when unscored
    winner TEXT,                      -- pairwise, positional A | B | tie, NULL when unscored
    judgment TEXT NOT NULL,           -- the judge's full text: rationale and verdict
    problem TEXT,                     -- why it is unscored
    flags TEXT NOT NULL DEFAULT '[]', -- JSON list: injection flags of the judged answers
    attempts INTEGER NOT NULL DEFAULT 1,
    input_tokens INTEGER,
    output_tokens INTEGER,
    cost_usd REAL,
    source TEXT NOT NULL DEFAULT 'seabench',
    created_at TEXT NOT NULL
);
CREATE INDEX judgments_by_item ON judgments (judge, kind, bench, question_id, turn);
CREATE TABLE checks (
    answer_key TEXT NOT NULL,
    kind TEXT NOT NULL,               -- language, script-health, …
    result TEXT NOT NULL,             -- JSON of the check's record
    PRIMARY KEY (answer_key, kind)
);
CREATE TABLE human_items (
    item_id TEXT PRIMARY KEY,         -- opaque id on a blind sheet
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (bench, question_id, turn, model)
);
CREATE TABLE ratings (
    annotator TEXT NOT NULL,
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model TEXT NOT NULL,
    score REAL NOT NULL,
    comment TEXT,
    source_file TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (annotator, bench, question_id, turn, model)
);
CREATE TABLE human_pairwise (
    annotator TEXT NOT NULL,
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model_a TEXT NOT NULL,
    model_b TEXT NOT NULL,
    winner TEXT NOT NULL,             -- A | B | tie
    comment TEXT,
    source_file TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (annotator, bench, question_id, turn, model_a, model_b)
);
"""

M003_TOKENS = """
CREATE TABLE token_stats (
    model TEXT NOT NULL,              -- the tokenizer's model spec
    lang TEXT NOT NULL,
    result TEXT NOT NULL,             -- JSON of the FertilityRow
    computed_at TEXT NOT NULL,
    PRIMARY KEY (model, lang)
);
"""

M004_PAIR_SHEETS = """
CREATE TABLE human_pair_items (
    item_id TEXT PRIMARY KEY,         -- opaque id on a blind pairwise sheet
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    model_a TEXT NOT NULL,            -- the model shown as answer A on the sheet
    model_b TEXT NOT NULL,
    created_at TEXT NOT NULL
);
"""


def m005_judgment_identity(db: sqlite3.Connection) -> None:
    """Judgment keys now name the judged models and their answers (they hashed only the request before, so two models
    that answered alike shared one key and the second judgment was dropped). Re-key what is stored the way `judge`
    keys it now, so nothing is sent twice and exactly the dropped judgments are sent on the next run."""
    from .keys import judgment_key

    db.execute("ALTER TABLE judgments ADD COLUMN request_key TEXT")
    db.execute("ALTER TABLE judgments ADD COLUMN answer_keys TEXT NOT NULL DEFAULT '[]'")
    latest: dict[tuple, str] = {}  # the answer `judge` showed: the most recent for (model, bench, question, turn)
    for key, model, bench, qid, turn in db.execute(
        "SELECT key, model, bench, question_id, turn FROM answers ORDER BY created_at, rowid"
    ):
        latest[model, bench, qid, turn] = key
    rows = db.execute(
        "SELECT key, model, model_b, bench, question_id, turn FROM judgments WHERE source = 'seabench'"
    ).fetchall()
    for old, model, model_b, bench, qid, turn in rows:
        group = (model,) if model_b is None else (model, model_b)
        chains = [[latest.get((m, bench, qid, t)) for t in range(1, turn + 1)] for m in group]
        if any(k is None for chain in chains for k in chain):
            continue  # its answers are gone: it keeps its old key and is simply never matched again
        db.execute(
            "UPDATE judgments SET key = ?, request_key = ?, answer_keys = ? WHERE key = ?",
            (judgment_key(old, group, chains), old, json.dumps(chains), old),
        )


M006_CLAIMS = """
CREATE TABLE claims (
    key TEXT PRIMARY KEY,             -- an answer's or a judgment's key, being worked on
    owner TEXT NOT NULL,              -- the process that claimed it
    expires_at REAL NOT NULL          -- unix time; a killed process's claims lapse
);
ALTER TABLE failures ADD COLUMN role TEXT NOT NULL DEFAULT 'candidate';  -- candidate | judge
"""

M007_HUMAN_CORRECTIONS = """
CREATE TABLE human_corrections (
    annotator TEXT NOT NULL,
    bench TEXT NOT NULL,
    question_id TEXT NOT NULL,
    turn INTEGER NOT NULL,
    item TEXT NOT NULL,               -- the model rated, or "model_a vs model_b"
    old_value TEXT NOT NULL,          -- the score or winner replaced
    new_value TEXT NOT NULL,
    source_file TEXT NOT NULL,        -- the sheet that corrected it
    corrected_at TEXT NOT NULL
);
"""

M008_JUDGES = """
CREATE TABLE judges (
    name TEXT NOT NULL,               -- the judge's stored name
    spec TEXT NOT NULL,               -- provider:model
    settings TEXT NOT NULL,           -- JSON GenerationSettings
    prompts TEXT NOT NULL,            -- where its prompts came from (a file, or ours)
    prompts_hash TEXT NOT NULL,       -- a hash of their wording
    last_run TEXT NOT NULL,
    PRIMARY KEY (name, spec, settings, prompts_hash)
);
"""

M009_BATCHES = """
CREATE TABLE batches (
    id TEXT PRIMARY KEY,              -- the provider's batch id
    spec TEXT NOT NULL,               -- provider:model it was sent to
    name TEXT NOT NULL,               -- the model's or judge's stored name
    role TEXT NOT NULL,               -- answers or judgments
    created_at TEXT NOT NULL,
    collected_at TEXT,                -- NULL until its results are in the store
    requests INTEGER NOT NULL,
    status TEXT                       -- the provider's last word on it, once collected
);
CREATE TABLE batch_items (
    batch_id TEXT NOT NULL REFERENCES batches(id),
    custom_id TEXT NOT NULL,          -- the key of the answer or judgment it will become
    PRIMARY KEY (batch_id, custom_id)
);
"""

M010_CHECKPOINTS = """
ALTER TABLE models ADD COLUMN checkpoint TEXT;     -- what the files of a local model (hf:, vllm:) were when it answered
ALTER TABLE answers ADD COLUMN checkpoint TEXT;
"""

M011_QUESTION_TAGS = """
ALTER TABLE questions ADD COLUMN tags TEXT;       -- JSON list of the bench's labels (ours: "harmless"), or NULL
"""

Migration = str | Callable[[sqlite3.Connection], None]

MIGRATIONS: list[tuple[str, Migration]] = [
    ("m001_initial", M001_INITIAL),
    ("m002_judging", M002_JUDGING),
    ("m003_tokens", M003_TOKENS),
    ("m004_pair_sheets", M004_PAIR_SHEETS),
    ("m005_judgment_identity", m005_judgment_identity),
    ("m006_claims", M006_CLAIMS),
    ("m007_human_corrections", M007_HUMAN_CORRECTIONS),
    ("m008_judges", M008_JUDGES),
    ("m009_batches", M009_BATCHES),
    ("m010_checkpoints", M010_CHECKPOINTS),
    ("m011_question_tags", M011_QUESTION_TAGS),
]


def _statements(script: str) -> list[str]:
    """Split a script into statements (executescript would commit our transaction; comments may hold `;`)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current)
            current = ""
    return out


class NewerStore(Exception):
    """The store was written by a newer seabench: it has migrations this one does not know."""


def check_version(db: sqlite3.Connection) -> list[str]:
    """For a read-only store: the migrations it lacks (it must not be written); NewerStore if it has unknown ones."""
    known = [name for name, _ in MIGRATIONS]
    done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
    if done - set(known):
        raise NewerStore(", ".join(sorted(done - set(known))))
    return [name for name in known if name not in done]


def migrate(db: sqlite3.Connection) -> None:
    """Apply what is missing, all in one immediate transaction: a second process waits, then finds nothing to do."""
    known = {name for name, _ in MIGRATIONS}
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        done = {row[0] for row in db.execute("SELECT name FROM _migrations")}
        if done - known:
            raise NewerStore(", ".join(sorted(done - known)))
        applied = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for name, step in MIGRATIONS:
            if name in done:
                continue
            if callable(step):
                step(db)
            else:
                for statement in _statements(step):
                    db.execute(statement)
            db.execute("INSERT INTO _migrations VALUES (?, ?)", (name, applied))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
