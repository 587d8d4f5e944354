"""The report's sections in reading order, as plain data: every format follows it, and the CLI's --section reads it
without loading the report code."""

SECTIONS = [
    ("overview", "Overview"),
    ("checkpoints", "Checkpoints"),
    ("language", "By language"),
    ("category", "By category"),
    ("baseline", "Against the baseline"),
    ("head-to-head", "Head to head"),
    ("judges", "Judges"),
    ("safety", "Safety"),
    ("fidelity", "Language fidelity and script health"),
    ("cost", "Tokens and cost"),
    ("answers", "Answers"),
    ("facts", "Run facts"),
]
TABLE_SECTIONS = [s for s, _ in SECTIONS if s not in ("answers", "facts")]
"""The sections that hold tables: what `report --section` can show."""
