"""Local checkpoints through vLLM: seabench starts `vllm serve` on a free local port, waits for it to be healthy,
sends every request through the OpenAI backend (so the runner, the store and resuming are the ones hosted APIs use),
and stops it when the command ends — normally, on an error, on Ctrl-C, and when seabench itself is killed.

Scaling out is vLLM's own: `--vllm-args "--tensor-parallel-size 4"`, `--data-parallel-size`, or Ray across nodes
(`--distributed-executor-backend ray --pipeline-parallel-size 2`). `SEABENCH_VLLM_COMMAND` names another command to
start instead of `vllm` (it gets the same arguments), for tests and wrappers.
"""

from __future__ import annotations

import os
import shlex

from .base import BackendOptions
from .server import ManagedServer, ServedBackend


class VLLMServer(ManagedServer):
    """One `vllm serve` child process and its log."""

    def __init__(self, model: str, options: BackendOptions):
        command = shlex.split(os.environ.get("SEABENCH_VLLM_COMMAND", "vllm"))
        extra = ["--chat-template", str(options.chat_template)] if options.chat_template else []

        def argv(port: int) -> list[str]:
            args = ["serve", model, "--host", "127.0.0.1", "--port", str(port), "--served-model-name", model]
            return [*command, *args, "--seed", "0", *extra, *shlex.split(options.vllm_args or "")]

        super().__init__(
            f"vllm:{model}",
            argv,
            health="/health",
            start_timeout=options.start_timeout,
            missing="install vLLM (pip install 'seabench[vllm]') or name the command with SEABENCH_VLLM_COMMAND",
        )


def create(model: str, options: BackendOptions) -> ServedBackend:
    # The engine batches continuously: 256 requests in flight keep it fed.
    return ServedBackend(VLLMServer(model, options), model, options, default_concurrency=256)
