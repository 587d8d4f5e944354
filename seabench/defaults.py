"""Every run setting's default, written once. Plain constants, importing only typing: the run spec builds on them, and
the CLI's help quotes them without loading pydantic (so `seabench --help` stays fast)."""

from typing import Literal

TEMPERATURE = 0.0
"""Candidates' sampling temperature: greedy."""
MAX_TOKENS = 1024
"""Candidates' answer length limit, in tokens."""
JUDGE_TEMPERATURE = 0.0
"""Judges' sampling temperature."""
JUDGE_MAX_TOKENS = 2048
"""Judges' reply length limit: room for a rationale and the verdict."""
SAMPLES = 1
"""Judgments per item."""
TIMEOUT_S = 120.0
"""Seconds before a request is abandoned and retried (the runner learns a tighter one from what it sees)."""
MAX_ATTEMPTS = 6
"""Tries per request before it is stored as a failure."""
BATCH_POLL_S = 30.0
"""Seconds between looks at a running provider batch."""
HF_BATCH_SIZE = 8
"""Conversations per forward pass for hf: models."""
HfDtype = Literal["auto", "float32", "bfloat16", "float16"]
HF_DTYPE: HfDtype = "auto"
"""hf: weights' dtype: bf16 (fp16 where the GPU lacks it) on a GPU, fp32 on a CPU, which is slow and inexact in half."""
HF_DEVICE = "auto"
"""hf: the GPUs (weights spread over them), else Apple's MPS, else the CPU."""
HF_DEVICE_PATTERN = r"^(auto|cpu|mps|cuda(:\d+)?)$"
HF_DEVICES = "auto, cpu, mps, cuda or cuda:N"
"""What --device takes, in words: the settings' errors say this instead of the pattern."""
VLLM_START_TIMEOUT_S = 600.0
"""Seconds a vllm: server may take to load and become healthy."""
REPORT = "report.html"
"""The report `eval` writes."""

CONNECTIONS_PER_HOST = 256
"""The most requests in flight to one server, whatever --concurrency says: past a few hundred, opening connections
costs more than it gains (a storm of handshakes), so the rest wait their turn."""
