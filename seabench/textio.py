"""Reading user files strictly: UTF-8 (a BOM and CRLF are fine), every problem tied to a file and line."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

from .errors import InputError, Problem


def read_lines(path: Path, problems: list[Problem] | None = None) -> list[tuple[int, str]]:
    """The file's lines as (1-based line number, text), CR stripped.

    Whole-file problems (missing, UTF-16, empty) raise at once. Lines that are not UTF-8 are skipped and
    reported: added to `problems` when the caller collects them, raised otherwise.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError.at(path, None, "no such file") from None
    except IsADirectoryError:
        raise InputError.at(path, None, "is a directory, expected a file") from None
    except OSError as e:
        raise InputError.at(path, None, f"cannot read: {e.strerror}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_pattern(raw[:4096]):
        raise InputError.at(path, 1, "the file is UTF-16 encoded; save it as UTF-8")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    lines: list[tuple[int, str]] = []
    collect = problems is not None
    found: list[Problem] = problems if problems is not None else []
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            text = chunk.decode("utf-8")
        except UnicodeDecodeError as e:
            found.append(
                Problem(
                    str(path),
                    number,
                    f"not valid UTF-8 (byte 0x{chunk[e.start]:02x} at column {e.start + 1}); save the file as UTF-8",
                )
            )
            continue
        lines.append((number, text.removesuffix("\r")))
    if found and not collect:
        raise InputError(found)
    if not found and not any(text.strip() for _, text in lines):
        raise InputError.at(path, 1, "the file is empty")
    return lines


def read_jsonl(path: Path, problems: list[Problem] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """JSON objects, one per non-blank line, with their line numbers.

    Bad lines are skipped and added to `problems` when given (so later checks can report theirs too), else raised.
    """
    records: list[tuple[int, dict[str, Any]]] = []
    collect = problems is not None
    found: list[Problem] = problems if problems is not None else []
    for number, text in read_lines(path, found):
        if not text.strip():
            continue
        try:
            value = json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as e:
            found.append(Problem(str(path), number, f"invalid JSON: {e.msg} at column {e.colno}"))
            continue
        except (ValueError, RecursionError) as e:
            found.append(
                Problem(str(path), number, str(e) if isinstance(e, ValueError) else f"nested deeper than {MAX_DEPTH}")
            )
            continue
        problem = not_text(value)
        if problem:
            found.append(Problem(str(path), number, problem))
            continue
        if not isinstance(value, dict):
            found.append(Problem(str(path), number, f"expected a JSON object, got {json_type(value)}"))
            continue
        records.append((number, value))
    if found and not collect:
        raise InputError(found)
    return records


MAX_DEPTH = 32
"""Nesting a bench or a prompt file never needs; deeper is an attack or a mistake, refused before it costs a stack."""


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows (write a number, or null)")


def not_text(value: Any) -> str | None:
    """Why a parsed JSON value is not plain data: nesting past MAX_DEPTH, or a lone surrogate escape (\\ud800) that
    no UTF-8 text can hold. None when it is fine. Walked with a stack, so depth itself cannot overflow it."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH}"
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as e:
                return f"a lone surrogate escape (\\u{ord(item[e.start]):04x}) is not text"
        elif isinstance(item, dict):
            stack += [(k, depth + 1) for k in item] + [(v, depth + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, depth + 1) for v in item]
    return None


def _utf16_pattern(head: bytes) -> bool:
    """UTF-16 without a BOM: mostly-ASCII text has a NUL in every other byte (one NUL in an answer is not that)."""
    if len(head) < 4:
        return False
    half = len(head) // 2
    return max(head[0::2].count(0), head[1::2].count(0)) > 0.3 * half


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each data row (keyed by column) with the line it starts on. Ragged rows are errors.

    Commas or semicolons (Excel writes `;` in many locales), whichever the header line uses more of."""
    lines = read_lines(path)
    text = "\n".join(line for _, line in lines)
    first = next((line for _, line in lines if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    problems: list[Problem] = []
    try:
        header = [h.strip() for h in next(reader)]
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if len(fields) != len(header):
                problems.append(Problem(str(path), line, f"row has {len(fields)} fields, the header has {len(header)}"))
                continue
            rows.append((line, dict(zip(header, fields))))
    except csv.Error as e:
        raise InputError.at(path, reader.line_num, f"malformed CSV: {e}") from None
    if problems:
        raise InputError(problems)
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise InputError.at(path, 1, f"duplicate column(s) in the header: {', '.join(dupes)}")
    return header, rows


def json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


# What a spreadsheet runs as a formula when a cell starts with it (=HYPERLINK(…), @SUM(…), +1+1, -1+1, DDE payloads).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> object:
    """A CSV cell no spreadsheet runs: text starting like a formula gets a leading apostrophe, the mark Excel,
    LibreOffice and Google Sheets read as "this is text" (OWASP's advice). Numbers, negative ones included, stay
    numbers; everything a model or a user wrote goes through this before a CSV holds it."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def inert_row(row: dict) -> dict:
    return {k: inert(v) for k, v in row.items()}


def restore(value: str) -> str:
    """A cell as it was before `inert`: what a sheet we wrote says, read back."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def write_whole(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all: into a temporary file beside it, then renamed over it. A full disk
    or a Ctrl-C leaves the old file (or none), never a truncated one. OSError goes to the caller."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_folder(path: Path) -> None:
    """Refuse a file to write whose folder does not exist or cannot be written, before any work is done for it."""
    import os

    from .errors import ConfigError

    if not path.parent.is_dir():
        raise ConfigError(f"{path}: its folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise ConfigError(f"{path}: its folder {path.parent} is not writable")
