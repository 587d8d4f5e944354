"""Words for counts, for status lines and reports alike (no imports, so `--help` stays fast)."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 answer`, `2 answers`, `1 category`, `3 categories`."""
    return f"{n} {word if n == 1 else many or word + 's'}"
