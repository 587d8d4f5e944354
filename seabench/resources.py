"""Where the packaged `data/`, `judges/` and `reports/` folders are, installed or in a checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir(name: str) -> Path:
    """`data`, `judges` or `reports`: inside the wheel (`seabench/_resources/NAME`) or beside the package."""
    packaged = resources.files("seabench").joinpath("_resources").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged))
    # An editable install or a plain checkout: the folders live at the repository root.
    return Path(__file__).resolve().parent.parent / name
