"""A stand-in for `vllm serve`, started by the real vllm: backend through SEABENCH_VLLM_COMMAND: the same arguments,
the same HTTP API (/health, /v1/chat/completions), scripted by the environment.

    FAKE_VLLM_MODE     ok (default) | never (never healthy) | exit (dies while loading)
    FAKE_VLLM_RECORD   a file to append {"pid", "argv", "port"} to, one JSON line per start
    FAKE_VLLM_LATENCY  seconds per request (default 0.01)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes import FakeServer  # noqa: E402


def main() -> None:
    argv = sys.argv[1:]
    if not argv or argv[0] != "serve":
        sys.exit("usage: fake_vllm.py serve MODEL --port N …")
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args, _ = parser.parse_known_args(argv[1:])
    if os.environ.get("FAKE_VLLM_RECORD"):
        with open(os.environ["FAKE_VLLM_RECORD"], "a", encoding="utf-8") as f:
            f.write(json.dumps({"pid": os.getpid(), "argv": argv, "port": args.port}) + "\n")
    print(f"INFO fake vllm: loading {args.model}", flush=True)
    mode = os.environ.get("FAKE_VLLM_MODE", "ok")
    if mode == "exit":
        print("ERROR torch.OutOfMemoryError: CUDA out of memory (fake)", flush=True)
        sys.exit(3)
    if mode == "never":
        time.sleep(3600)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = FakeServer(port=args.port, latency=float(os.environ.get("FAKE_VLLM_LATENCY", "0.01")))
    print(f"INFO fake vllm: serving on {args.host}:{args.port}", flush=True)
    asyncio.run(server._main(None))


if __name__ == "__main__":
    main()
