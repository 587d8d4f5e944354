"""Our judge prompts in the user's language: `--judge-language en|native` and `--rationale-language en|native`.

Each language's sentences live in judges/lang/CODE.json, written for that language rather than translated word for
word; this module only puts them in order. Every language gets the same eight prompts (single or pairwise × turn 1
or 2 × with or without a reference) with the same markers and the same verdict format, so parsing, fencing and
defusing never depend on the language. English composed with an English rationale is our default prompt set.
"""

from __future__ import annotations

import dataclasses
import json
from functools import cache
from pathlib import Path

from ..errors import SpecError
from ..languages import NAMES
from ..resources import resource_dir
from ..textio import read_jsonl
from .prompts import PromptSet, load_prompts, prompts_from_records, role_of

CHOICES = ("en", "native")


def compose(pieces: dict[str, str], kind: str, turn: int, reference: bool, rationale: str) -> str:
    """One system prompt from a language's sentences; `rationale` names the language the explanation is asked in."""
    side = "single" if kind == "single" else "pair"
    order = [
        "judge",
        f"task.{side}.{turn}",
        f"language.{side}",
        f"main.{side}",
        f"switching.{side}",
        "fluency",
        "weight",
    ]
    if reference:
        order += ["reference", f"compare.{side}"]
    order += ["scale" if side == "single" else "decide", f"fence.{side}.{turn}", "data", "explain", f"verdict.{side}"]
    return " ".join(pieces[k] for k in order).replace("{rationale}", rationale)


def prompt_set(judge_language: str = "en", rationale_language: str | None = None) -> PromptSet:
    """The prompts for every bench language: English ones, or each language's own (`native`); the rationale in
    English or in the prompt's language, `native` meaning the user's language."""
    rationale_language = rationale_language or judge_language
    for option, value in (("judge_language", judge_language), ("rationale_language", rationale_language)):
        if value not in CHOICES:
            raise SpecError("{" + option + "} must be en or native, not '{value}'", value=value)
    base = _english("en")
    if judge_language == "en" and rationale_language == "en":
        return base
    variants = {}
    for code in NAMES:
        if code == "en":
            continue
        if judge_language == "native" and _has_own(code):
            variants[code] = _native(code, None if rationale_language == "native" else "en")
        else:  # no prompts of its own (yet): English ones, asking for the explanation as told
            variants[code] = _english(code if rationale_language == "native" else "en")
    return dataclasses.replace(
        base, source=f"{base.source} ({judge_language} prompts, {rationale_language} rationale)", by_lang=variants
    )


def _folder() -> Path:
    return resource_dir("judges")


def _has_own(code: str) -> bool:
    return (_folder() / "lang" / f"{code}.json").is_file()


@cache
def _english(rationale: str) -> PromptSet:
    """English prompts asking for the explanation in `rationale` (a language code)."""
    folder = _folder()
    pieces = _read(folder / "lang" / "en.json")["pieces"]
    prompts = _build(
        pieces,
        NAMES.get(rationale, rationale),
        "" if rationale == "en" else f":en/{rationale}",
        f"{folder / 'lang' / 'en.json'}",
        aspects_file=folder / "priority-aspects.json",
    )
    criteria = _read(folder / "criteria.json")
    return dataclasses.replace(prompts, criteria={k: v for k, v in criteria.items() if not k.startswith("_")})


@cache
def _native(code: str, rationale: str | None = None) -> PromptSet:
    """Prompts written in `code`, asking for the explanation in that language, or in English (`rationale="en"`)."""
    path = _folder() / "lang" / f"{code}.json"
    data = _read(path)
    suffix = f":{code}" if rationale is None else f":{code}/{rationale}"
    prompts = _build(data["pieces"], data["names"][rationale or code], suffix, str(path))
    return dataclasses.replace(
        prompts, aspects=data["aspects"], criteria=data["criteria"], names=data["names"], country=data["country"]
    )


def _build(
    pieces: dict[str, str], rationale: str, suffix: str, source: str, aspects_file: Path | None = None
) -> PromptSet:
    templates = _folder() / "templates.jsonl"
    records = []
    for line, rec in read_jsonl(templates):
        role = role_of(rec["type"], rec["prompt_template"])  # the template's placeholders tell turn and reference
        system = compose(pieces, role.kind, role.turn, role.reference, rationale) if role else ""
        records.append((line, {**rec, "name": rec["name"] + suffix, "system_prompt": system}))
    return prompts_from_records(records, source, aspects_file)


def _read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def default_prompts(judge_language: str = "en", rationale_language: str | None = None) -> PromptSet:
    """Our prompts (judges/lang/), in English or in each question's language."""
    return prompt_set(judge_language, rationale_language)


def choose_prompts(path: Path | None, judge_language: str = "en", rationale_language: str | None = None) -> PromptSet:
    """A --prompts file as written, or ours in the languages asked for; asking both is a mistake, said before any
    call."""
    if path and (judge_language != "en" or rationale_language):
        raise SpecError(
            "{judge_language} and {rationale_language} choose among our prompts; a {prompts} file is used as written"
        )
    return load_prompts(path) if path else default_prompts(judge_language, rationale_language)
