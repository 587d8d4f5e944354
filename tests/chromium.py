"""Drive headless Chromium over the DevTools protocol (with aiohttp, already a dependency): open a page at a given
width and read what a person would see: the page's width, its load time, and any console error or exception."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import subprocess
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
]


def measure(page: Path, width: int, profile: Path, timeout: float = 60, height: int = 800, probe: str = "null") -> dict:
    """{"scroll_width", "client_width", "height", "load_ms", "errors", "probe"} for `page` opened in a `width` × `height`
    viewport; `probe` is a JavaScript expression evaluated once the page has loaded, its JSON value returned."""
    proc = subprocess.Popen(
        ["chromium", *FLAGS, f"--user-data-dir={profile}", "about:blank"], stderr=subprocess.PIPE, text=True
    )
    try:
        url = None
        for line in proc.stderr:  # type: ignore[union-attr]
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                url = found.group(1)
                break
        assert url, "chromium did not start its DevTools endpoint"
        return asyncio.run(asyncio.wait_for(_measure(url, page, width, height, probe), timeout))
    finally:
        proc.kill()
        proc.wait()


async def _measure(url: str, page: Path, width: int, height: int, probe: str) -> dict:
    import aiohttp

    ids = itertools.count(1)
    errors: list[str] = []
    async with aiohttp.ClientSession() as http, http.ws_connect(url, max_msg_size=0) as ws:
        pending: dict[int, asyncio.Future] = {}
        loaded = asyncio.Event()

        async def reader() -> None:
            async for msg in ws:
                data = json.loads(msg.data)
                if "id" in data and data["id"] in pending:
                    pending.pop(data["id"]).set_result(data.get("result", data.get("error")))
                method = data.get("method", "")
                if method == "Page.loadEventFired":
                    loaded.set()
                elif method == "Runtime.exceptionThrown":
                    errors.append(data["params"]["exceptionDetails"].get("text", "exception"))
                elif method == "Runtime.consoleAPICalled" and data["params"]["type"] == "error":
                    errors.append(str(data["params"]["args"]))
                elif method == "Log.entryAdded" and data["params"]["entry"]["level"] == "error":
                    errors.append(data["params"]["entry"]["text"])

        async def send(method: str, params: dict | None = None, session: str | None = None):
            n = next(ids)
            pending[n] = asyncio.get_running_loop().create_future()
            await ws.send_str(
                json.dumps(
                    {"id": n, "method": method, "params": params or {}, **({"sessionId": session} if session else {})}
                )
            )
            return await pending[n]

        task = asyncio.create_task(reader())
        target = (await send("Target.createTarget", {"url": "about:blank"}))["targetId"]
        session = (await send("Target.attachToTarget", {"targetId": target, "flatten": True}))["sessionId"]
        for domain in ("Page.enable", "Runtime.enable", "Log.enable"):
            await send(domain, session=session)
        await send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
            session=session,
        )
        await send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
        await loaded.wait()
        await asyncio.sleep(0.5)  # let the page's scripts run (the answer browser inflates its data)
        expr = (
            "JSON.stringify({sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, "
            "h: document.documentElement.scrollHeight, "
            f"load: performance.timing.loadEventEnd - performance.timing.navigationStart, probe: ({probe})}})"
        )
        result = await send("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=session)
        task.cancel()
    values = json.loads(result["result"]["value"])
    return {
        "scroll_width": values["sw"],
        "client_width": values["cw"],
        "height": values["h"],
        "load_ms": values["load"],
        "errors": errors,
        "probe": values["probe"],
    }
