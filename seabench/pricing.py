"""Cost from a price table: built in (data/prices.json), overridable by a user file. Unknown models cost None."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .records import Usage
from .resources import resource_dir


@dataclass(frozen=True)
class Price:
    input_per_mtok: float
    output_per_mtok: float
    batch: tuple[float, float] | None = None
    """Input and output prices through the provider's batch API, when the table gives them."""

    def cost(self, usage: Usage) -> float | None:
        if usage.input_tokens is None and usage.output_tokens is None:
            return None
        return self.cost_of(usage.input_tokens or 0, usage.output_tokens or 0)

    def cost_of(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.input_per_mtok + output_tokens * self.output_per_mtok) / 1e6

    def at_batch(self) -> Price:
        """The price through the provider's batch API: the table's, or half (OpenAI's and Anthropic's discount)."""
        return Price(*(self.batch or (self.input_per_mtok * BATCH_DISCOUNT, self.output_per_mtok * BATCH_DISCOUNT)))


BATCH_DISCOUNT = 0.5
SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|latest)")
"""What a provider appends to a model's name for a dated snapshot of it."""


class PriceTable:
    def __init__(self, user_file: str | os.PathLike[str] | None = None):
        self.prices = _read(resource_dir("data") / "prices.json")
        user_file = user_file or os.environ.get("SEABENCH_PRICES")
        if user_file:
            self.prices.update(_read(Path(user_file)))

    def lookup(self, spec: str) -> Price | None:
        """Exact spec, else a dated snapshot of a listed one (`gpt-4o-2024-08-06`, `claude-sonnet-4-5-20250929`)
        at its family's price. Anything else is unknown: `gpt-4o-mni` is not a gpt-4o."""
        if spec in self.prices:
            return self.prices[spec]
        matches = [k for k in self.prices if spec.startswith(k + "-") and SNAPSHOT.fullmatch(spec[len(k) :])]
        return self.prices[max(matches, key=len)] if matches else None


def _read(path: Path) -> dict[str, Price]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.at(path, None, "no such price file") from None
    except json.JSONDecodeError as e:
        raise InputError.at(path, e.lineno, f"invalid JSON: {e.msg}") from None
    if not isinstance(data, dict):
        raise InputError.at(
            path, 1, 'expected an object: {"provider:model": [input_usd_per_mtok, output_usd_per_mtok]}'
        )
    out = {}
    for spec, value in data.items():
        if spec.startswith("_"):
            continue
        if not (isinstance(value, list) and len(value) in (2, 4) and all(isinstance(v, (int, float)) for v in value)):
            raise InputError.at(
                path,
                None,
                f"'{spec}': expected [input_usd_per_mtok, output_usd_per_mtok] "
                "(and, if the batch API's differ from half, [..., batch_input, batch_output])",
            )
        out[spec] = Price(
            float(value[0]), float(value[1]), (float(value[2]), float(value[3])) if len(value) == 4 else None
        )
    return out
