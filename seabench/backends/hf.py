"""Local transformers models: the model's own chat template, left-padded batches, greedy at temperature 0.

A model is a hub id, a folder of weights, or a GGUF file (or a folder holding one): transformers reads a GGUF's
tokenizer and chat template from the file and dequantises its weights (to fp32 on a CPU), so llama.cpp's files run
here unchanged. torch and transformers are imported here and nowhere else.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import ConfigError, SpecError
from ..records import Completion, GenerationSettings, Message, Usage
from .base import BackendOptions, Fatal


def pick_device_and_dtype(torch: Any, device: str = "auto", dtype: str = "auto") -> tuple[str, Any]:
    """`auto`: a GPU with bf16 where it has it (fp16 otherwise), Apple's MPS, else the CPU in fp32 (CPUs are slow and
    inexact in half). A device or dtype given wins; the other one still follows the device."""
    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    if dtype != "auto":
        return device, getattr(torch, dtype)
    if device.startswith("cuda"):
        return device, torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return device, torch.float16 if device == "mps" else torch.float32


def locate(model: str) -> tuple[str, str | None]:
    """Where transformers reads the model from, and the GGUF file in it: `FILE.gguf` is its folder and its name; a
    folder with no config.json but one GGUF file holds that file; anything else (a hub id, a folder of safetensors) is
    itself."""
    path = Path(model).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return str(path.parent), path.name
    if path.is_dir() and not (path / "config.json").is_file():
        found = sorted(f.name for f in path.iterdir() if f.suffix.lower() == ".gguf")
        if len(found) == 1:
            return str(path), found[0]
        if len(found) > 1:
            raise ConfigError(
                f"hf:{model}: the folder holds {len(found)} GGUF files ({', '.join(found[:4])}); name one: "
                f"hf:{path / found[0]}"
            )
    return model, None


def _transformers(gguf: str | None) -> Any:
    try:
        import transformers
    except ImportError:
        raise ConfigError("hf: models need the hf extra: pip install 'seabench[hf]'") from None
    if gguf and importlib.util.find_spec("gguf") is None:
        raise ConfigError(f"{gguf}: GGUF files need the gguf package (in the hf extra): pip install 'seabench[hf]'")
    return transformers


def load_tokenizer(model: str, chat_template: str | None = None) -> Any:
    """The model's tokenizer (with `chat_template` read from a file when given); a clear error if it cannot load."""
    source, gguf = locate(model)
    transformers = _transformers(gguf)
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(source, **({"gguf_file": gguf} if gguf else {}))
    except (OSError, ValueError) as e:
        raise ConfigError(f"hf:{model}: cannot load a tokenizer ({str(e).splitlines()[0][:200]})") from None
    if chat_template:
        try:
            tokenizer.chat_template = Path(chat_template).read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(f"{chat_template}: cannot read the chat template ({e.strerror})") from None
    return tokenizer


class HFBackend:
    max_concurrency = 1  # one batch on the device at a time; --batch-size is the parallelism

    def __init__(self, model: str, options: BackendOptions):
        with _gguf_read_once():
            self._load(model, options)

    def _load(self, model: str, options: BackendOptions) -> None:
        self.tokenizer = load_tokenizer(model, options.chat_template)
        import torch
        import transformers

        transformers.utils.logging.disable_progress_bar()  # our own progress bar is the one to watch
        self.torch = torch
        self.name = model
        self.batch_size = max(1, options.batch_size)
        if not self.tokenizer.chat_template:
            raise SpecError(
                "hf:{model}: the tokenizer has no chat template; pass one with {chat_template} FILE (a Jinja template)",
                model=model,
            )
        self.tokenizer.padding_side = "left"  # decoder-only models continue from the right edge
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.device, dtype = pick_device_and_dtype(torch, options.device, options.dtype)
        source, gguf = locate(model)
        load: dict[str, Any] = {"dtype": dtype, **({"gguf_file": gguf} if gguf else {})}
        # Attention is transformers' default, SDPA wherever the model supports it. On GPUs the weights are placed by
        # accelerate (device_map="auto": spread over every visible GPU when one cannot hold them), unless the user
        # named one device.
        spread = self.device == "cuda" and importlib.util.find_spec("accelerate") is not None
        try:
            if spread:
                self.model = transformers.AutoModelForCausalLM.from_pretrained(source, device_map="auto", **load).eval()
                self.device = self.model.device
            else:
                self.model = transformers.AutoModelForCausalLM.from_pretrained(source, **load).to(self.device).eval()  # type: ignore[arg-type]
        except (OSError, ValueError, RuntimeError) as e:
            raise ConfigError(f"hf:{model}: cannot load the model ({str(e).splitlines()[0][:200]})") from None
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        self.eos_ids = set(eos if isinstance(eos, list) else [eos])

    def prompt(self, messages: Sequence[Message]) -> str:
        try:
            return self.tokenizer.apply_chat_template(
                [{"role": m.role, "content": m.content} for m in messages], add_generation_prompt=True, tokenize=False
            )
        except Exception as e:  # jinja raises for roles a template refuses (e.g. no system role)
            raise Fatal(f"chat template failed: {e}") from None

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        prompts = [self.prompt(c) for c in conversations]
        # Generation runs on the calling thread and blocks the loop, on purpose: the runner gives a local model one
        # call at a time, and torch used from a second thread starts a second OpenMP team whose idle spinning
        # halved throughput on a 2-core machine (measured: 6.9 s on the main thread against 11.4 s in a worker).
        return self._generate(prompts, settings)

    def _generate(self, prompts: list[str], settings: GenerationSettings) -> list[Completion]:
        torch = self.torch
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False).to(self.device)
        sampling: dict[str, Any] = (
            {"do_sample": True, "temperature": settings.temperature}
            if settings.temperature > 0
            else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        )
        sampling |= dict(settings.sampling)
        with torch.inference_mode():
            out = self.model.generate(
                **enc, max_new_tokens=settings.max_tokens, pad_token_id=self.tokenizer.pad_token_id, **sampling
            )
        new_tokens = out[:, enc["input_ids"].shape[1] :].tolist()
        results = []
        for ids, mask in zip(new_tokens, enc["attention_mask"].sum(dim=1).tolist()):
            end = next((i for i, t in enumerate(ids) if t in self.eos_ids), None)
            kept = ids if end is None else ids[: end + 1]
            results.append(
                Completion(
                    text=decode(self.tokenizer, kept, cut=end is None),
                    usage=Usage(input_tokens=int(mask), output_tokens=len(kept)),
                    finish_reason="length" if end is None else "stop",
                )
            )
        return results

    async def aclose(self) -> None:
        return None


@contextmanager
def _gguf_read_once() -> Iterator[None]:
    """transformers opens a GGUF file three times to load one model (tokenizer, config, weights), and gguf-py parses
    its whole header each time: 4–5 s for a 49k-token vocabulary on a CPU. While a model loads, the file's reader is
    made once and shared (it is read-only)."""
    try:
        import gguf as module
    except ImportError:  # no GGUF support installed: nothing to share
        yield
        return
    gguf: Any = module
    made = gguf.GGUFReader
    readers: dict[tuple, Any] = {}

    def reader(path: Any, *args: Any, **kwargs: Any) -> Any:
        key = (str(path), args, tuple(sorted(kwargs.items())))
        if key not in readers:
            readers[key] = made(path, *args, **kwargs)
        return readers[key]

    gguf.GGUFReader = reader
    try:
        yield
    finally:
        gguf.GGUFReader = made


def check_sampling(model: str, sampling: Sequence[tuple[str, object]]) -> None:
    """--sampling for an hf: model must name generate()'s own options: checked before the model is registered or
    loaded, naming the nearest one it has (llama.cpp's repeat_penalty is transformers' repetition_penalty)."""
    if not sampling:
        return
    import difflib

    known = list(_transformers(None).GenerationConfig().to_dict())
    for key, _ in sampling:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            raise ConfigError(
                f"hf:{model}: transformers' generate() has no option {key}"
                + (f" (did you mean {near[0]}?)" if near else "")
            )


def decode(tokenizer: Any, ids: list[int], *, cut: bool) -> str:
    """The text of generated ids. A reply cut at --max-tokens may stop inside a character (a Thai or Khmer letter is
    three bytes, a byte-level token can hold one of them): its missing bytes decode as U+FFFD, which is dropped, so a
    stored answer never ends in a broken character (that the script-health check would then count)."""
    text = tokenizer.decode(ids, skip_special_tokens=True)
    return text.rstrip("\ufffd") if cut else text


def create(model: str, options: BackendOptions) -> HFBackend:
    return HFBackend(model, options)
