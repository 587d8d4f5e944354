"""Fonts inside the report, so Thai, Khmer, Lao and Burmese read on a machine that has none of their fonts.

Each font is found at build time — a fontpkg package (OFL Noto fonts on PyPI, for Thai and Khmer), else an installed
Noto file (fontconfig's `fc-match`, or the usual font folders: Debian's fonts-noto-core ships Noto Sans Lao and Noto
Sans Myanmar) — pinned to its regular instance, cut down with fontTools to the characters the report uses, and
embedded as a data: URL. A script with no font found gets one note naming what to install.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from importlib import import_module
from pathlib import Path

# language code → (family, fontpkg package or None, the script's code-point ranges)
FONTS = {
    "th": ("Noto Sans Thai", "fontpkg_noto_sans_thai", [(0x0E00, 0x0E7F)]),
    "km": ("Noto Sans Khmer", "fontpkg_noto_sans_khmer", [(0x1780, 0x17FF), (0x19E0, 0x19FF)]),
    "lo": ("Noto Sans Lao", None, [(0x0E80, 0x0EFF)]),
    "my": ("Noto Sans Myanmar", None, [(0x1000, 0x109F), (0xA9E0, 0xA9FF), (0xAA60, 0xAA7F)]),
}
FONT_DIRS = [
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
]


def font_faces(text: str) -> tuple[str, list[str]]:
    """(@font-face CSS for the scripts `text` uses, notes naming the fonts to install for scripts with none found)."""
    css, notes = [], []
    for lang, (family, package, ranges) in FONTS.items():
        chars = _chars(text, ranges)
        if not chars:
            continue
        path = find_font(family, package)
        data = _subset(path, chars) if path is not None else None
        if data is None:
            notes.append(
                f"no {family} font was found when this report was built, so its text relies on the reader's fonts; "
                f"install {family} (Debian: fonts-noto-core) and build the report again"
            )
            continue
        css.append(
            f'@font-face {{ font-family: "seabench {family}"; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}\n'
            f':lang({lang}) {{ font-family: "seabench {family}", "{family}", sans-serif; }}'
        )
    return "\n".join(css), notes


def find_font(family: str, package: str | None) -> Path | None:
    """The regular font file for `family`: its fontpkg package, else fontconfig's match, else a file in the font
    folders."""
    if package is not None:
        try:
            root = import_module(package).ROOT
            return next((root / "files").glob("*.ttf"))
        except (ImportError, StopIteration):
            pass
    stem = family.replace(" ", "")
    if shutil.which("fc-match"):
        found = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style=Regular"], capture_output=True, text=True, check=False
        )
        path = Path(found.stdout.strip())
        if (
            found.returncode == 0
            and path.name.startswith(stem)
            and path.suffix.lower() in (".ttf", ".otf")
            and path.is_file()
        ):
            return path
    for folder in FONT_DIRS:
        if folder.is_dir():
            for name in (f"{stem}-Regular.ttf", f"{stem}[wdth,wght].ttf", f"{stem}.ttf"):
                hit = next(folder.rglob(name), None)
                if hit is not None:
                    return hit
    return None


def _chars(text: str, ranges: list[tuple[int, int]]) -> str:
    return "".join(sorted({ch for ch in text if any(lo <= ord(ch) <= hi for lo, hi in ranges)}))


def _subset(path: Path, chars: str) -> str | None:
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
        from fontTools.varLib import instancer
    except ImportError:
        return None
    font = TTFont(path, recalcTimestamp=False)  # the same characters give the same bytes: reports compare equal
    if "fvar" in font:  # a variable font: the regular instance is all a report needs, and far smaller
        font = instancer.instantiateVariableFont(font, {axis.axisTag: axis.defaultValue for axis in font["fvar"].axes})
    options = subset.Options()
    options.layout_features = ["*"]  # Thai, Khmer, Lao and Burmese shaping lives in GSUB/GPOS: keep every feature
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars + " ")
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")
