"""seabench's HF backend ÷ a hand-written batched `model.generate` loop, on the same prompts, in the same run."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--model", help="an HF model path; default: a small random Llama built here")
    parser.add_argument("--hidden", type=int, default=512, help="hidden size of the random model built here")
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()

    import torch

    from seabench.backends import BackendOptions
    from seabench.bench import load_bench
    from seabench.generate import ModelRun, generate
    from seabench.records import GenerationSettings, Question
    from seabench.store import Store
    from tests.tiny_hf import build_model

    torch.set_num_threads(max(1, torch.get_num_threads()))
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = (
            Path(args.model) if args.model else build_model(Path(tmp) / "model", hidden=args.hidden, layers=args.layers)
        )
        bench = load_bench(None)
        # First turns only, so both sides generate for exactly the same prompts.
        questions = [Question(**{**q.model_dump(), "turns": q.turns[:1], "references": None}) for q in bench.questions][
            : args.questions
        ]
        bench = bench.model_copy(update={"questions": tuple(questions)})
        settings = GenerationSettings(max_tokens=args.max_tokens)

        def seabench_run(batch: int) -> tuple[float, float, int]:
            """(generation seconds, whole call seconds with model load, output tokens)."""
            with Store(Path(tmp) / f"b{batch}.db") as store:
                started = time.perf_counter()
                (result,) = generate(
                    store,
                    bench,
                    [ModelRun(name=f"b{batch}", spec=f"hf:{model_dir}", settings=settings)],
                    questions,
                    BackendOptions(batch_size=batch),
                    show_progress=False,
                )
                return result.stats.wall_s, time.perf_counter() - started, result.stats.output_tokens

        # The baseline: what a user would write by hand with the same model, tokenizer and batch size.
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(model_dir)
        tok.padding_side = "left"
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
        prompts = [
            tok.apply_chat_template(
                [{"role": "user", "content": q.turns[0]}], add_generation_prompt=True, tokenize=False
            )
            for q in questions
        ]
        prompts.sort(key=len, reverse=True)

        def baseline() -> tuple[float, int]:
            started, produced = time.perf_counter(), 0
            for i in range(0, len(prompts), args.batch_size):
                enc = tok(prompts[i : i + args.batch_size], return_tensors="pt", padding=True, add_special_tokens=False)
                with torch.inference_mode():
                    out = model.generate(
                        **enc, max_new_tokens=args.max_tokens, do_sample=False, pad_token_id=tok.pad_token_id
                    )
                new = out[:, enc["input_ids"].shape[1] :]
                for row in new.tolist():
                    end = next((j for j, t in enumerate(row) if t == tok.eos_token_id), None)
                    produced += len(row) if end is None else end + 1
            return time.perf_counter() - started, produced

        baseline()  # warm-up: first-call allocations should not count against either side
        base_s, base_tok = baseline()
        ours_s, ours_all_s, ours_tok = seabench_run(args.batch_size)
        one_s, _, one_tok = seabench_run(1)

    base_rate, ours_rate, one_rate = base_tok / base_s, ours_tok / ours_s, one_tok / one_s
    params = sum(p.numel() for p in model.parameters())
    print(
        f"model: {params / 1e6:.1f}M parameters on {next(model.parameters()).device}; prompts: {len(questions)}, "
        f"max tokens {args.max_tokens}, batch {args.batch_size}"
    )
    print(f"hand-written batched generate: {base_rate:,.0f} tokens/s ({base_tok} tokens in {base_s:.2f}s)")
    print(
        f"seabench generate (batch {args.batch_size}): {ours_rate:,.0f} tokens/s ({ours_tok} tokens in {ours_s:.2f}s; "
        f"{ours_tok / ours_all_s:,.0f} tokens/s counting the model load)"
    )
    print(f"seabench generate (batch 1): {one_rate:,.0f} tokens/s")
    print(f"seabench / hand-written = {ours_rate / base_rate:.3f}  (goal ≥ 0.9)")
    print(f"batch {args.batch_size} / batch 1 = {ours_rate / one_rate:.2f}x")


if __name__ == "__main__":
    main()
