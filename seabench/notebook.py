"""For researchers who live in Jupyter: one store as pandas DataFrames, with the same columns as the CSV files.

    import seabench
    run = seabench.open("seabench.db")
    run.scores().query("lang == 'km' and turn == 'all'")
    run.pairwise(), run.answers(), run.judgments(), run.agreement()

The store is opened read-only; the statistics are computed once, on first use, exactly as `seabench report` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

import io
from pathlib import Path
from typing import Any

from .records import Report, Settings
from .store import Store


class Run:
    def __init__(
        self,
        path: str | Path,
        *,
        judge: str | None = None,
        models: list[str] | None = None,
        settings: Settings = Settings(),
    ):
        self.path = Path(path)
        self.judge, self.models, self.settings = judge, models, settings
        self._report: Report | None = None

    def report(self) -> Report:
        """The same Report every format of `seabench report` draws from."""
        if self._report is None:
            from .summarize import build

            with Store(self.path, readonly=True) as store:
                self._report = build(store, models=self.models, judge=self.judge, settings=self.settings)
        return self._report

    def scores(self) -> pd.DataFrame:
        """`report --format csv`: model, judge, lang, category, turn, n, mean, ci_low, ci_high, … per cell and
        margin."""
        return self._csv("scores")

    def pairwise(self) -> pd.DataFrame:
        """`report --format csv --table pairwise`: win / tie / loss and the win rate per model, opponent and cell."""
        return self._csv("pairwise")

    def agreement(self) -> pd.DataFrame:
        """`report --format csv --table agreement`: judge vs human and annotator vs annotator."""
        return self._csv("agreement")

    def answers(self) -> pd.DataFrame:
        """`answers --format csv`: every stored answer with its question's language and category."""
        from .report.answers import answer_rows

        with Store(self.path, readonly=True) as store:
            rows = answer_rows(store.answers(), store.questions())
        return _frame(rows)

    def judgments(self) -> pd.DataFrame:
        """Every stored judgment, one row each (flags joined by `;`)."""
        with Store(self.path, readonly=True) as store:
            rows = [_flat(j.model_dump()) for j in store.judgments()]
        return _frame(rows)

    def _csv(self, table: str) -> pd.DataFrame:
        import pandas as pd

        from .report.formats import table_csv

        return pd.read_csv(io.StringIO(table_csv(self.report(), table)), keep_default_na=False, na_values=[""])


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    usage = row.pop("usage", {}) or {}
    row["flags"] = ";".join(row.get("flags") or ())
    row["answer_keys"] = ";".join(",".join(chain) for chain in row.get("answer_keys") or ())
    return {**row, "input_tokens": usage.get("input_tokens"), "output_tokens": usage.get("output_tokens")}


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(rows)


def open(path: str | Path, **options: Any) -> Run:  # noqa: A001 - `seabench.open(...)` reads like the file it opens
    """A store, to read as DataFrames: `seabench.open("seabench.db").scores()`."""
    return Run(path, **options)
