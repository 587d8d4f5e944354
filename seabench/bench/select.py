"""Which questions a run takes: by language, category and tag, the first N of each language, a shard of them.

One path for a bench's questions and a store's, so `generate`, `judge` and `eval` take the same selection.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import SpecError
from ..records import Question


def select_questions(
    pool: Sequence[Question],
    where: str,
    langs: list[str] | None = None,
    categories: list[str] | None = None,
    limit: int | None = None,
    limit_total: int | None = None,
    tags: list[str] | None = None,
) -> list[Question]:
    """The questions of `pool` (a bench's, or the store's, which `where` names) in these languages and categories
    and carrying any of these tags (matched ignoring case), the first `limit` of each language, the first
    `limit_total` of those. A value the pool does not have is an error naming the ones it has, never a quietly
    smaller (or empty) run."""
    langs = _known("lang", langs, [q.lang for q in pool], where)
    categories = _known("category", categories, [q.category for q in pool], where)
    tags = _known("tag", tags, [t for q in pool for t in q.tags], where)
    picked = [
        q
        for q in pool
        if (not langs or q.lang in langs)
        and (not categories or q.category in categories)
        and (not tags or any(t in tags for t in q.tags))
    ]
    if limit is not None:
        # Per language, so `--limit 8 --lang en,th` is eight of each, not eight English questions.
        taken: dict[str, int] = {}
        kept = []
        for q in picked:
            taken[q.lang] = taken.get(q.lang, 0) + 1
            if taken[q.lang] <= limit:
                kept.append(q)
        picked = kept
    return picked[:limit_total] if limit_total is not None else picked


def in_shard(questions: list[Question], shard: str) -> list[Question]:
    """The `I/N`-th slice (1-based): a question's slice comes from a hash of its id and first turn, so it is the same
    on every machine, in any order, from a bench or from a store; every question is in exactly one slice."""
    import hashlib

    index, count = (int(part) for part in shard.split("/"))
    if not 1 <= index <= count:
        raise SpecError("{shard} {given}: I must be 1 to N", given=shard)

    def slice_of(q: Question) -> int:
        digest = hashlib.sha256(f"{q.id}\0{q.turns[0]}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % count + 1

    return [q for q in questions if slice_of(q) == index]


def _known(option: str, wanted: list[str] | None, have: list[str], where: str) -> list[str] | None:
    if wanted is None:
        return None
    by_folded = {h.casefold(): h for h in have}
    unknown = [w for w in wanted if w.casefold() not in by_folded]
    if not wanted or unknown:
        if not have:  # a bench without tags (every bench but ours): say so, not "it has: " and nothing
            raise SpecError(
                "{" + option + "} '{given}': {where} has no tagged questions", given=", ".join(wanted), where=where
            )
        what = f"'{', '.join(unknown)}' is not in" if unknown else "needs a value from"
        raise SpecError(
            "{" + option + "} {what} {where}; it has: {have}",
            what=what,
            where=where,
            have=", ".join(sorted(by_folded.values())),
        )
    return [by_folded[w.casefold()] for w in wanted]
