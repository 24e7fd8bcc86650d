"""What a tool call costs against the same action through `run`: Get User on the embedded fake
org, through `okta-connector mcp` (one server, many calls, each a round trip of the MCP Python
SDK over stdio) and through `okta-connector run` (a process per call, as a script would).

Usage: .venv/bin/python overhead.py [CALLS] (OKTA_CONNECTOR names the binary; `make mcp-overhead`).
Prints a markdown table of medians. Timings, not a test: nothing here fails on a number.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from mcp import Client, StdioServerParameters

ROOT = Path(os.environ.get("OKTA_REPO") or Path(__file__).resolve().parents[4])
CLI = os.environ.get("OKTA_CONNECTOR") or str(ROOT / "target/debug/okta-connector")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def run_once(arguments: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run([CLI, "run", "users.get", "--input", json.dumps(arguments)], capture_output=True, text=True)
    took = time.perf_counter() - started
    assert done.returncode == 0 and json.loads(done.stdout)["id"], done.stderr
    return took


async def mcp_calls(calls: int) -> tuple[float, float, list[float], str]:
    started = time.perf_counter()
    async with Client(StdioServerParameters(command=CLI, args=["mcp"]), mode="legacy") as c:
        ready = time.perf_counter() - started
        page = await c.call_tool("users_list", {"limit": 1})
        user = page.structured_content["items"][0]["id"]
        first_started = time.perf_counter()
        first = await c.call_tool("users_get", {"id": user})
        first_took = time.perf_counter() - first_started
        assert not first.is_error
        times = []
        for _ in range(calls):
            t = time.perf_counter()
            r = await c.call_tool("users_get", {"id": user})
            times.append(time.perf_counter() - t)
            assert not r.is_error
    return ready, first_took, times, user


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    ready, first, times, user = asyncio.run(mcp_calls(calls))
    runs = [run_once({"id": user}) for _ in range(max(5, calls // 20))]
    tool, process = statistics.median(times), statistics.median(runs)
    print(f"Get User on the embedded fake org, {os.path.basename(os.path.dirname(CLI))} build of {CLI}\n")
    print("| | median per call | calls |")
    print("|---|---|---|")
    print(f"| `mcp`: start to initialized | {ms(ready)} | 1 |")
    print(f"| `mcp`: first `users_get` (instance made) | {ms(first)} | 1 |")
    print(f"| `mcp`: `users_get` tool call, warm | {ms(tool)} (p90 {ms(statistics.quantiles(times, n=10)[-1])}) | {calls} |")
    print(f"| `run users.get`: a process per call | {ms(process)} | {len(runs)} |")
    print(f"\nA warm tool call costs {tool / process:.3f} of a `run` ({ms(process - tool)} less per call).")


if __name__ == "__main__":
    main()
