"""Options for models that run here, or on a server seabench starts: how `hf:` loads and batches, what `vllm:` and
`llamacpp:` servers are started with, and which tokenizer counts tokens where a model's own is not at hand. Apart from
`options`, which holds what every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import defaults as D

BatchSize = Annotated[
    int | None,
    typer.Option(
        "--batch-size",
        metavar="N",
        min=1,
        help=(f"Conversations per batch for hf: models (default {D.HF_BATCH_SIZE})."),
    ),
]
ChatTemplate = Annotated[
    Path | None,
    typer.Option("--chat-template", metavar="FILE", help="Jinja chat template for hf: models that ship none."),
]
Dtype = Annotated[
    str | None,
    typer.Option(
        "--dtype",
        metavar="auto|float32|bfloat16|float16",
        help="Weights' dtype for hf: models (default auto: bf16 or fp16 on a GPU, fp32 on a CPU).",
    ),
]
Device = Annotated[
    str | None,
    typer.Option(
        "--device",
        metavar="auto|cpu|mps|cuda[:N]",
        help="Where hf: models run (default auto: the GPUs, else MPS, else the CPU).",
    ),
]
VllmArgs = Annotated[
    str | None,
    typer.Option(
        "--vllm-args",
        metavar="ARGS",
        help=('More arguments for `vllm serve`, quoted as one: "--tensor-parallel-size 4 --max-model-len 8192".'),
    ),
]
LlamacppArgs = Annotated[
    str | None,
    typer.Option(
        "--llamacpp-args",
        metavar="ARGS",
        help='More arguments for llama-cpp-python\'s server (llamacpp: models), quoted as one: "--n_gpu_layers -1".',
    ),
]
VllmStartTimeout = Annotated[
    float | None,
    typer.Option(
        "--vllm-start-timeout",
        metavar="SECONDS",
        min=1,
        help=(
            f"How long a vllm: or llamacpp: server may take to load and become healthy (default "
            f"{D.VLLM_START_TIMEOUT_S:g})."
        ),
    ),
]
Tokenizer = Annotated[
    str | None,
    typer.Option(
        "--tokenizer",
        metavar="ID_OR_PATH",
        help=(
            "Count tokens with this tokenizer (a hub id or a folder), for models whose own is not at hand: a "
            "checkpoint served behind openai: --base-url."
        ),
    ),
]
