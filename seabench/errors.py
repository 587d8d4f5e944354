"""Errors a user can fix. The CLI prints each as one `error: …` line and exits with code 2."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# `validate` lists every problem, but a file with thousands of broken lines is better told in part.
MAX_REPORTED = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in an input file."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class SeabenchError(Exception):
    """A problem the user can fix; the message is shown without a traceback."""

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(SeabenchError):
    """One or more problems in an input file, each naming its file and line."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems[:MAX_REPORTED]
        self.total = total if total is not None else len(problems)
        super().__init__(str(self.problems[0]) if self.problems else "invalid input")

    @classmethod
    def at(cls, path: str | Path, line: int | None, message: str) -> InputError:
        return cls([Problem(str(path), line, message)])

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            out.append(f"… and {self.total - len(self.problems)} more problems")
        return out


class ConfigError(SeabenchError):
    """A bad option, spec or missing setting (an API key, an unknown provider)."""


class NoStore(ConfigError):
    """There is no store at the path given."""


class OldStore(ConfigError):
    """A store from an older seabench, opened read-only: it cannot be upgraded in place."""


class StoreDamaged(ConfigError):
    """SQLite found the store's file damaged (or not a database at all)."""


class StoreReadOnly(ConfigError):
    """A command that must write met a store it cannot write."""


class NameTaken(ConfigError):
    """A model name already holds answers from another spec or other settings."""


class SpecError(ConfigError):
    """A setting that cannot hold, told without naming how it was given: `{field}` placeholders stand for the run
    spec's settings, which the CLI writes as its options (`--judge-base-url`) and a config file as its keys
    (`judge_base_url`). Other placeholders are filled from `values`.

        raise SpecError("give one {names} per {models} ({have} names for {need} models), or none", have=1, need=3)
    """

    def __init__(self, template: str, **values: object):
        import string

        self.template, self.values = template, values
        self.fields = tuple(f for _, f, _, _ in string.Formatter().parse(template) if f and f not in values)
        super().__init__(self.render({}))

    def render(self, names: dict[str, str]) -> str:
        """The message with each setting written as `names` spells it (a setting it lacks keeps its own name)."""
        return self.template.format(**{f: names.get(f, f) for f in self.fields}, **self.values)
