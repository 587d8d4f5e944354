"""A local server seabench starts for a model and stops when the command ends — normally, on an error, on Ctrl-C, and
when seabench itself is killed: vLLM for `vllm:`, llama.cpp for `llamacpp:`. Requests then go through the OpenAI
backend, so the runner, the store and resuming are the ones hosted APIs use.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import ConfigError, SpecError
from ..records import Completion, GenerationSettings, Message
from .base import BackendOptions
from .openai import OpenAIBackend

LOG_LINES = 15
"""Lines of the server's log an error shows."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _parent_death_signal() -> Callable[[], None] | None:
    """A function for the child to call between fork and exec, asking for SIGTERM when seabench dies however it dies
    (Linux's PR_SET_PDEATHSIG). Resolved here, in the parent: the child must not load libraries before it execs.
    Elsewhere None, and the atexit handler and `stop` are all there is."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)


class ManagedServer:
    """One server child process seabench started, and its log. `argv(port)` is its command line; it is ready when
    GET `health` answers 200."""

    def __init__(
        self, label: str, argv: Callable[[int], list[str]], *, health: str, start_timeout: float, missing: str
    ):
        self.label = label
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.health = health
        self.argv = argv(self.port)
        self.start_timeout = start_timeout
        self.keep_log = False
        """Set when an error names the log: it stays for the user to read; otherwise it goes with the server."""
        prefix = f"seabench-{label.partition(':')[0]}-{self.port}-"
        log = tempfile.NamedTemporaryFile("wb", prefix=prefix, suffix=".log", delete=False)
        self.log_path = Path(log.name)
        try:
            # Its own process group, so that stopping it stops the workers it starts too.
            self.process = subprocess.Popen(
                self.argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_parent_death_signal(),
            )
        except FileNotFoundError:
            raise ConfigError(f"{label}: cannot start '{self.argv[0]}': {missing}") from None
        finally:
            log.close()
        atexit.register(self.stop)

    def wait_healthy(self) -> None:
        """Until GET `health` answers 200; a clear error with the log's last lines if it exits or takes too long."""
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.keep_log = True
                self.stop()
                raise ConfigError(
                    f"{self.label}: the server exited with code {self.process.returncode} before it was ready; "
                    f"its log ({self.log_path}) ends: {self.tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + self.health, timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        self.keep_log = True
        self.stop()
        raise SpecError(
            "{label}: the server was not healthy within {seconds:.0f}s ({vllm_start_timeout}); its log ({log}) "
            "ends: {tail}",
            label=self.label,
            seconds=self.start_timeout,
            log=self.log_path,
            tail=self.tail(),
        )

    def tail(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(line.strip() for line in lines[-LOG_LINES:] if line.strip()) or "(empty)"

    def stop(self) -> None:
        """SIGTERM to the server's whole process group, SIGKILL if it lingers; safe to call twice."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass
        if not self.keep_log:
            self.log_path.unlink(missing_ok=True)
        atexit.unregister(self.stop)


class ServedBackend:
    """The OpenAI backend in front of a server this backend started (and stops)."""

    batch_size = 1
    local = True
    """A local engine: its latency is its own queue, not a straggling server (nothing to hedge)."""

    def __init__(self, server: ManagedServer, model: str, options: BackendOptions, *, default_concurrency: int):
        self.server = server
        self.default_concurrency = default_concurrency
        try:
            self.server.wait_healthy()
        except BaseException:
            self.server.stop()
            raise
        self.inner = OpenAIBackend(model, BackendOptions(base_url=f"{self.server.url}/v1", timeout=options.timeout))
        self._key = ""

    async def complete(
        self, conversations: Sequence[Sequence[Message]], settings: GenerationSettings
    ) -> list[Completion]:
        return await self.inner.complete(conversations, settings)

    async def aclose(self) -> None:
        try:
            await self.inner.aclose()
        finally:
            self.server.stop()
