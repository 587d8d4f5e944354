"""GGUF files through llama.cpp: seabench starts llama-cpp-python's OpenAI-compatible server on a free local port with
the file, its own chat template (from the GGUF), its trained context length and seed 0; waits until it lists the
model; sends every request through the OpenAI backend; and stops it when the command ends (see `server`).

This is the way people run GGUF files, quantised kernels included, where `hf:FILE.gguf` dequantises into
transformers. The server answers one request at a time, so one is sent at a time unless --concurrency says otherwise.
`SEABENCH_LLAMACPP_COMMAND` names another command to start (it gets the same arguments), for tests and wrappers;
`--llamacpp-args` passes anything else (`--n_gpu_layers -1`, `--n_ctx 4096`, `--n_threads 8`).
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from pathlib import Path

from ..errors import ConfigError
from .base import BackendOptions
from .server import ManagedServer, ServedBackend

INSTALL = "pip install 'seabench[llamacpp]' (llama-cpp-python builds from source: about half an hour on two cores)"


class LlamaCppServer(ManagedServer):
    """One llama-cpp-python server child process and its log."""

    def __init__(self, model: str, options: BackendOptions):
        path = Path(model).expanduser()
        if not path.is_file():
            raise ConfigError(f"llamacpp:{model}: no such file (give the path of a .gguf file)")
        if options.chat_template:
            raise ConfigError(
                f"llamacpp:{model}: the server uses the chat template inside the GGUF; a template file is for hf: "
                "and vllm: models"
            )
        given = os.environ.get("SEABENCH_LLAMACPP_COMMAND", "").strip()
        if not given and importlib.util.find_spec("llama_cpp") is None:
            raise ConfigError(f"llamacpp:{model}: llama-cpp-python is not installed: {INSTALL}")
        command = shlex.split(given) if given else [sys.executable, "-m", "llama_cpp.server"]

        def argv(port: int) -> list[str]:
            # --n_ctx 0: the context the model was trained with (the server's default is 2,048 whatever the model).
            serve = ["--model", str(path), "--model_alias", model, "--host", "127.0.0.1", "--port", str(port)]
            return [*command, *serve, "--seed", "0", "--n_ctx", "0", *shlex.split(options.llamacpp_args or "")]

        super().__init__(
            f"llamacpp:{model}",
            argv,
            health="/v1/models",
            start_timeout=options.start_timeout,
            missing=f"{INSTALL}, or name the command with SEABENCH_LLAMACPP_COMMAND",
        )


def create(model: str, options: BackendOptions) -> ServedBackend:
    return ServedBackend(LlamaCppServer(model, options), model, options, default_concurrency=1)
