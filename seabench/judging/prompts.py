"""Judge prompts are data: FastChat's judge_prompts.jsonl schema, ours in judges/, or any file given with --prompts.

Each prompt fills one role — single or pairwise × turn 1 or 2 × with or without a reference — told by its
placeholders, so FastChat's and SeaBench v2's files are read unchanged. When a file offers several prompts for a
role, the last one wins (SeaBench v2's `-ref-updated` prompts come after FastChat's). Every placeholder is checked
when the file is loaded, before any call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem
from ..languages import COUNTRIES, NAMES
from ..records import Question
from ..textio import read_jsonl

PER_ITEM = {"language", "expected_language", "country", "category", "priority_aspect", "criteria", "reference_rubric"}
SINGLE_1 = {"question", "answer"}
SINGLE_2 = {"question_1", "answer_1", "question_2", "answer_2"}
PAIR_1 = {"question", "answer_a", "answer_b"}
PAIR_2 = {"question_1", "question_2", "answer_a_1", "answer_b_1", "answer_a_2", "answer_b_2"}
REFS = {"ref_answer_1", "ref_answer_2", "reference"}
KNOWN = PER_ITEM | SINGLE_1 | SINGLE_2 | PAIR_1 | PAIR_2 | REFS
ANSWER_FIELDS = {
    "answer",
    "answer_1",
    "answer_2",
    "answer_a",
    "answer_b",
    "answer_a_1",
    "answer_b_1",
    "answer_a_2",
    "answer_b_2",
}


@dataclass(frozen=True)
class Role:
    kind: str  # "single" | "pairwise"
    turn: int  # 1, or 2 for the multi-turn prompts
    reference: bool

    def __str__(self) -> str:
        return f"{self.kind} turn {self.turn}" + (" with reference" if self.reference else "")


@dataclass(frozen=True)
class JudgePrompt:
    name: str
    role: Role
    system: str
    template: str
    fields: frozenset[str]

    def render(self, values: dict[str, str]) -> tuple[str, str]:
        """(system, user) with every placeholder filled; answers have this template's delimiters defused."""
        delimiters = _delimiters(self.template)
        filled = {k: (defuse(v, delimiters) if k in ANSWER_FIELDS else v) for k, v in values.items()}
        return self.system.format(**filled), self.template.format(**filled)


@dataclass(frozen=True)
class PromptSet:
    source: str
    prompts: dict[Role, JudgePrompt]
    aspects: dict[str, str]
    criteria: dict[str, dict[str, str]] | None = None
    """For our prompts: what to weigh per category, and the reference rubrics (judges/criteria.json)."""
    names: dict[str, str] | None = None
    """Language names as the prompts' own language writes them (None: English)."""
    country: str | None = None
    """The country a native prompt set's questions come from, in its own language."""
    by_lang: dict[str, PromptSet] | None = None
    """Prompts per question language (`--judge-language native`); a language without its own uses this set."""

    def for_lang(self, lang: str) -> PromptSet:
        return (self.by_lang or {}).get(lang, self)

    @property
    def names_used(self) -> set[str]:
        """Every prompt name this set can judge with, its languages' included."""
        return {p.name for s in (self, *(self.by_lang or {}).values()) for p in s.prompts.values()}

    def pick(self, kind: str, turn: int, with_reference: bool) -> JudgePrompt | None:
        """The prompt for this role; a question with a reference falls back to the plain prompt if there is none."""
        role_turn = 1 if turn == 1 else 2
        return self.prompts.get(Role(kind, role_turn, with_reference)) or self.prompts.get(Role(kind, role_turn, False))

    @property
    def digest(self) -> str:
        """A hash of every prompt's wording and the aspects: what a report shows so a reader knows which prompts
        judged."""
        parts = sorted(f"{p.name}\x00{p.system}\x00{p.template}" for p in self.prompts.values())
        parts += sorted(f"{k}\x00{v}" for k, v in self.aspects.items())
        parts += sorted(f"{g}\x00{k}\x00{v}" for g, texts in (self.criteria or {}).items() for k, v in texts.items())
        parts += [f"{lang}\x00{s.digest}" for lang, s in sorted((self.by_lang or {}).items())]
        return hashlib.sha256("\x01".join(parts).encode("utf-8")).hexdigest()[:12]

    def require(self, kind: str) -> None:
        missing = [t for t in (1, 2) if self.pick(kind, t, False) is None and self.pick(kind, t, True) is None]
        if missing:
            raise InputError.at(self.source, None, f"no {kind} prompt for turn {missing[0]} in this file")


def load_prompts(path: Path, aspects_file: Path | None = None) -> PromptSet:
    """Read a judge_prompts.jsonl; a SeaBench v2 `priority-aspects.jsonl` beside it is picked up."""
    problems: list[Problem] = []
    records = read_jsonl(path, problems)  # bad lines are reported together with the records' own problems
    found = prompts_from_records(records, str(path), aspects_file or _beside(path), problems)
    criteria, languages = path.parent / "criteria.json", path.parent / "languages.json"
    if criteria.is_file():
        found = dataclasses.replace(found, criteria=_criteria(criteria))
    if languages.is_file():  # prompts in another language than English name languages and the country in it
        names = json.loads(languages.read_text(encoding="utf-8-sig"))
        found = dataclasses.replace(found, names=names.get("names"), country=names.get("country"))
    needing = sorted(p.name for p in found.prompts.values() if {"criteria", "reference_rubric"} & p.fields)
    if needing and found.criteria is None:
        raise InputError.at(
            path,
            None,
            f"prompt '{needing[0]}' uses {{criteria}} or {{reference_rubric}}, which come from a "
            "criteria.json beside the file (seabench export prompts writes one)",
        )
    return found


def write_prompts(prompts: PromptSet, folder: Path) -> list[Path]:
    """A prompt set as FastChat's judge_prompts.jsonl, with our criteria.json and priority-aspects.json beside it (and
    languages.json for prompts in another language than English)."""
    lines = [
        json.dumps(
            {
                "name": p.name,
                "type": p.role.kind,
                "category": "reference" if p.role.reference else "general",
                "system_prompt": p.system,
                "prompt_template": p.template,
                "output_format": "[[rating]]" if p.role.kind == "single" else "[[A]]",
            },
            ensure_ascii=False,
        )
        for p in prompts.prompts.values()
    ]
    files = {"judge_prompts.jsonl": "\n".join(lines), "priority-aspects.json": _json(prompts.aspects)}
    if prompts.criteria is not None:
        files["criteria.json"] = _json(prompts.criteria)
    if prompts.names:
        files["languages.json"] = _json({"names": prompts.names, "country": prompts.country})
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return [folder / name for name in files]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def prompts_from_records(
    records: Iterable[tuple[int, dict]],
    source: str,
    aspects_file: Path | None = None,
    problems: list[Problem] | None = None,
) -> PromptSet:
    """(line, record) pairs in FastChat's schema, each checked for its fields and placeholders."""
    problems = problems if problems is not None else []
    prompts: dict[Role, JudgePrompt] = {}
    path = source
    for line, rec in records:
        missing = [k for k in ("name", "type", "system_prompt", "prompt_template") if not isinstance(rec.get(k), str)]
        if missing:
            problems.append(Problem(str(path), line, f"missing or non-string field(s): {', '.join(missing)}"))
            continue
        try:
            fields = _fields(rec["system_prompt"]) | _fields(rec["prompt_template"])
        except ValueError as e:
            problems.append(Problem(str(path), line, f"prompt '{rec['name']}': bad placeholder syntax ({e})"))
            continue
        unknown = sorted(fields - KNOWN)
        if unknown:
            names = ", ".join("{" + u + "}" for u in unknown)
            problems.append(
                Problem(
                    str(path),
                    line,
                    f"prompt '{rec['name']}' uses unknown placeholder(s) {names}; known: {', '.join(sorted(KNOWN))}",
                )
            )
            continue
        role = _role(rec["type"], fields)
        required = {("single", 1): SINGLE_1, ("single", 2): SINGLE_2, ("pairwise", 1): PAIR_1, ("pairwise", 2): PAIR_2}
        needed = required.get((role.kind, role.turn)) if role else None
        if role is None or not needed or not (needed - {"question"}) <= fields:
            problems.append(
                Problem(
                    str(path),
                    line,
                    f"prompt '{rec['name']}' ({rec['type']}) lacks the answer placeholders of any judging role",
                )
            )
            continue
        prompts[role] = JudgePrompt(rec["name"], role, rec["system_prompt"], rec["prompt_template"], frozenset(fields))
    if problems:
        raise InputError(problems)
    return PromptSet(source, prompts, _aspects(aspects_file))


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def role_of(kind: str, template: str) -> Role | None:
    """The role a template fills, told by its placeholders."""
    return _role(kind, _fields(template))


def _role(kind: str, fields: set[str]) -> Role | None:
    if kind not in ("single", "pairwise"):
        return None
    turn = 2 if {"question_2", "answer_2", "answer_a_2"} & fields else 1
    return Role(kind, turn, bool(REFS & fields))


def _beside(path: Path) -> Path | None:
    for name in ("priority-aspects.jsonl", "priority-aspects.json"):
        if (path.parent / name).is_file():
            return path.parent / name
    return None


def _criteria(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError.at(path, getattr(e, "lineno", None), f"cannot read criteria: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), dict) for k in ("categories", "reference")):
        raise InputError.at(path, 1, "criteria must be one JSON object with 'categories' and 'reference' objects")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _aspects(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as e:
        raise InputError.at(path, getattr(e, "lineno", None), f"cannot read priority aspects: {e}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError.at(path, 1, "priority aspects must be one JSON object mapping category to text")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def item_values(prompt: JudgePrompt, prompts: PromptSet, question: Question, turn: int) -> dict[str, str]:
    """Per-question placeholder values (language, country, aspects, references); answers are added by the caller."""
    names = prompts.names or NAMES
    values = {
        "language": names.get(question.lang, question.lang),
        "expected_language": names.get(question.expected_lang, question.expected_lang),
        "country": prompts.country or COUNTRIES.get(question.lang, "the user's country"),
        "category": question.category,
        "question": question.turns[0],
        "question_1": question.turns[0],
    }
    if len(question.turns) > 1:
        values["question_2"] = question.turns[1]
    if "priority_aspect" in prompt.fields:
        values["priority_aspect"] = prompts.aspects.get(question.category, "helpfulness, accuracy and appropriateness")
    if prompts.criteria and "criteria" in prompt.fields:
        by_category = prompts.criteria["categories"]
        values["criteria"] = by_category.get(question.category, by_category["_default"]).format(**values)
    if prompts.criteria and "reference_rubric" in prompt.fields:
        kind = "translation" if question.expected_lang != question.lang else "computed"
        values["reference_rubric"] = prompts.criteria["reference"][kind].format(**values)
    refs = question.references or ()
    for i, ref in enumerate(refs[:2], start=1):
        values[f"ref_answer_{i}"] = ref or ""
    values["reference"] = question.reference(turn) or ""
    return values


# -- keeping answers in their place ----------------------------------------------------------------------------

_VERDICT = re.compile(r"\[\[\s*([0-9]+(?:\.[0-9]+)?|[ABC])\s*\]\]")
_FULLWIDTH = str.maketrans({"[": "［", "]": "］", "<": "‹", ">": "›", "|": "¦", "#": "＃"})


def _delimiters(template: str) -> list[str]:
    """The template's own marker lines (`[The End of Assistant's Answer]`, `<|end of answer|>`, `### User:`)."""
    lines = {line.strip() for line in template.splitlines()}
    return sorted(
        (l for l in lines if len(l) >= 5 and "{" not in l and any(c in l for c in "[<#|")), key=len, reverse=True
    )


def defuse(text: str, delimiters: list[str]) -> str:
    """An answer cannot close its own fence or plant a verdict: copies of the markers are made visibly inert."""
    for marker in delimiters:
        if marker in text:
            text = text.replace(marker, marker.translate(_FULLWIDTH))
    return _VERDICT.sub(lambda m: "[ [" + m.group(1) + "] ]", text)
