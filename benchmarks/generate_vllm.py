"""On a GPU: output tokens/s of `seabench generate` through `vllm:` against vLLM's own offline `LLM.generate`, and
against seabench's `hf:` backend, on the same prompts (every turn of the bundled bench, each asked on its own) and the
same small open instruct model. Needs `pip install -e '.[vllm,hf]'` and the model in the local Hugging Face cache.

    python benchmarks/generate_vllm.py --model Qwen/Qwen2.5-0.5B-Instruct

Goals: vllm: ÷ offline ≥ 0.9; vllm: ÷ hf: ≥ 10. Each path runs in its own process, so GPU memory is free between them;
server start-up and model loading are left out of every figure (seabench's is its generation phase).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

OFFLINE = """
import json, sys, time
from vllm import LLM, SamplingParams
prompts = json.load(open(sys.argv[1]))
llm = LLM(model=sys.argv[2], seed=0)
params = SamplingParams(temperature=0.0, max_tokens=int(sys.argv[3]))
started = time.perf_counter()
outputs = llm.chat([[{"role": "user", "content": p}] for p in prompts], params, use_tqdm=False)
seconds = time.perf_counter() - started
print(json.dumps({"tokens": sum(len(o.outputs[0].token_ids) for o in outputs), "seconds": seconds}))
"""


def prompts_and_bench(folder: Path) -> tuple[list[str], Path]:
    """Every turn of the bundled bench as a question of its own, so all three paths send exactly these prompts."""
    sys.path.insert(0, str(ROOT))
    from seabench.bench import load_bench

    questions = load_bench(None).questions
    prompts = [turn for q in questions for turn in q.turns]
    bench = folder / "turns.jsonl"
    bench.write_text(
        "\n".join(
            json.dumps(
                {"question_id": f"p{i}", "category": "task-solving", "lang": "en", "turns": [p]}, ensure_ascii=False
            )
            for i, p in enumerate(prompts)
        ),
        encoding="utf-8",
    )
    return prompts, bench


def seabench_run(spec: str, bench: Path, db: Path, max_tokens: int, *extra: str) -> tuple[int, float]:
    cmd = [
        sys.executable,
        "-m",
        "seabench",
        "generate",
        "--model",
        spec,
        "--bench",
        str(bench),
        "--db",
        str(db),
        "--max-tokens",
        str(max_tokens),
        *extra,
    ]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{spec} failed:\n{result.stderr[-3000:]}")
    seconds = float(re.search(r"requests? in ([0-9.]+)s", result.stderr).group(1))  # type: ignore[union-attr]
    tokens = sqlite3.connect(db).execute("SELECT SUM(output_tokens) FROM answers").fetchone()[0]
    return tokens, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="Qwen/Qwen2.5-0.5B-Instruct")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--hf-batch-size", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        prompts, bench = prompts_and_bench(folder)
        (folder / "prompts.json").write_text(json.dumps(prompts, ensure_ascii=False), encoding="utf-8")
        started = time.perf_counter()
        offline = subprocess.run(
            [sys.executable, "-c", OFFLINE, str(folder / "prompts.json"), args.model, str(args.max_tokens)],
            capture_output=True,
            text=True,
        )
        if offline.returncode != 0:
            sys.exit(f"vLLM offline failed:\n{offline.stderr[-3000:]}")
        off = json.loads(offline.stdout.strip().splitlines()[-1])
        print(f"offline run took {time.perf_counter() - started:.0f}s with loading")
        via_vllm = seabench_run(f"vllm:{args.model}", bench, folder / "vllm.db", args.max_tokens)
        via_hf = seabench_run(
            f"hf:{args.model}", bench, folder / "hf.db", args.max_tokens, "--batch-size", str(args.hf_batch_size)
        )
    rates = {
        "offline LLM.generate": off["tokens"] / off["seconds"],
        "seabench vllm:": via_vllm[0] / via_vllm[1],
        "seabench hf:": via_hf[0] / via_hf[1],
    }
    print(f"{len(prompts)} prompts, {args.model}, greedy, --max-tokens {args.max_tokens}")
    for name, (tokens, seconds) in {
        "offline LLM.generate": (off["tokens"], off["seconds"]),
        "seabench vllm:": via_vllm,
        "seabench hf:": via_hf,
    }.items():
        print(f"  {name:>22}: {tokens:,} tokens in {seconds:.1f}s = {rates[name]:,.0f} tokens/s")
    print(f"vllm: ÷ offline = {rates['seabench vllm:'] / rates['offline LLM.generate']:.3f} (goal ≥ 0.9)")
    print(f"vllm: ÷ hf:     = {rates['seabench vllm:'] / rates['seabench hf:']:.1f} (expect ≥ 10)")


if __name__ == "__main__":
    main()
