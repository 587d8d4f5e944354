"""Fonts inside the report, so Thai and Khmer read without system fonts; Lao and Burmese are named where no package
ships their font.

Each font comes from a fontpkg package (OFL Noto fonts on PyPI), pinned to its regular instance and cut down with
fontTools to the characters the report uses, then embedded as a data: URL.
"""

from __future__ import annotations

import base64
import io
from importlib import import_module

# language code → (package, family, the script's code-point ranges)
PACKAGED = {
    "th": ("fontpkg_noto_sans_thai", "Noto Sans Thai", [(0x0E00, 0x0E7F)]),
    "km": ("fontpkg_noto_sans_khmer", "Noto Sans Khmer", [(0x1780, 0x17FF), (0x19E0, 0x19FF)]),
}
# Scripts no font package covers: the report says what to install.
UNPACKAGED = {"Lao": ("Noto Sans Lao", [(0x0E80, 0x0EFF)]), "Burmese": ("Noto Sans Myanmar", [(0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)])}


def font_faces(text: str) -> tuple[str, list[str]]:
    """(@font-face CSS for the packaged scripts `text` uses, notes naming the fonts the other scripts it uses need)."""
    css, notes = [], []
    for lang, (package, family, ranges) in PACKAGED.items():
        chars = _chars(text, ranges)
        if not chars:
            continue
        data = _subset(package, chars)
        if data is None:
            notes.append(f"{family} is not installed: install seabench's font extra, or the font, to read this script")
            continue
        css.append(f'@font-face {{ font-family: "seabench {family}"; src: url(data:font/ttf;base64,{data}) format("truetype"); }}\n'
                   f':lang({lang}) {{ font-family: "seabench {family}", "{family}", sans-serif; }}')
    for language, (family, ranges) in UNPACKAGED.items():
        if _chars(text, ranges):
            notes.append(f"this report's {language} text needs a font such as {family} installed "
                         "(no font package exists to embed one)")
    return "\n".join(css), notes


def _chars(text: str, ranges: list[tuple[int, int]]) -> str:
    return "".join(sorted({ch for ch in text if any(lo <= ord(ch) <= hi for lo, hi in ranges)}))


def _subset(package: str, chars: str) -> str | None:
    try:
        root = import_module(package).ROOT
        from fontTools import subset
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer
    except ImportError:
        return None
    path = next((root / "files").glob("*.ttf"))
    font = TTFont(path)
    if "fvar" in font:  # a variable font: the regular instance is all a report needs, and far smaller
        font = instancer.instantiateVariableFont(font, {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes})
    options = subset.Options()
    options.layout_features = ["*"]  # Thai and Khmer shaping lives in GSUB/GPOS: keep every feature
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars + " ")
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")
