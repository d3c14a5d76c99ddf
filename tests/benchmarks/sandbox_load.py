"""Load on the sandbox: many concurrent keep-alive connections on loopback.

    python tests/benchmarks/sandbox_load.py [--connections 500] [--requests 20000]

starts `harvest-tui sandbox` in a process of its own, opens every connection first
(all at once, as a crowd of clients would), then sends the requests spread evenly
over them, one at a time per connection, and reports requests/second, latency
percentiles, error answers, and connections reset or closed early. The client is
one asyncio loop, so it measures the server, not a thread pool. Everything is
bounded in time: what has not finished by `timeout` counts as timed out.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REQUEST = b"GET /channelGroup?maxResults=1 HTTP/1.1\r\nHost: sandbox\r\n\r\n"


@dataclass
class LoadResult:
    connections: int
    requests: int
    answered: int = 0
    errors: int = 0  # answered with a status other than 200
    resets: int = 0  # connections refused, reset or closed before the answer
    timed_out: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list, repr=False)

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return math.nan
        return ordered[min(len(ordered) - 1, math.ceil(p * len(ordered)) - 1)]

    @property
    def clean(self) -> bool:
        return self.answered == self.requests and not (self.errors or self.resets)

    def summary(self) -> str:
        return (
            f"{self.answered:,}/{self.requests:,} answered over {self.connections} connections "
            f"in {self.seconds:.1f} s: {self.rps:,.0f} req/s, p50 {self.percentile(0.5):.1f} ms, "
            f"p99 {self.percentile(0.99):.1f} ms; {self.errors} errors, {self.resets} resets, "
            f"{self.timed_out} timed out"
        )

    def figures(self) -> dict[str, float | int]:
        kept = {k: v for k, v in asdict(self).items() if k != "latencies_ms"}
        return {**kept, "rps": self.rps, "p99_ms": self.percentile(0.99)}


async def _read_answer(reader: asyncio.StreamReader) -> int:
    """One HTTP/1.1 response's status; its body read and dropped."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("closed before the answer")
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def _load(url: str, connections: int, requests: int, timeout: float) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    result = LoadResult(connections, requests)
    reader, writer = await asyncio.open_connection(host, port)  # warm-up: loads the model
    writer.write(REQUEST)
    await _read_answer(reader)
    writer.close()
    shares = [requests // connections + (i < requests % connections) for i in range(connections)]

    async def client(share: int) -> None:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            result.resets += share
            return
        await ready.wait()
        try:
            for done in range(share):
                began = time.perf_counter()
                writer.write(REQUEST)
                try:
                    status = await _read_answer(reader)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    result.resets += share - done
                    return
                result.latencies_ms.append((time.perf_counter() - began) * 1000)
                result.answered += 1
                result.errors += status != 200
        finally:
            writer.close()

    ready = asyncio.Event()
    tasks = [asyncio.create_task(client(share)) for share in shares]
    await asyncio.sleep(0)  # let every client start connecting
    began = time.perf_counter()
    ready.set()
    _, pending = await asyncio.wait(tasks, timeout=timeout)
    result.seconds = time.perf_counter() - began
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    result.timed_out = requests - result.answered - result.resets
    return result


def run_load(url: str, connections: int, requests: int, timeout: float = 300.0) -> LoadResult:
    """Open `connections` to the sandbox at `url` and send `requests` in all over them."""
    return asyncio.run(_load(url, connections, requests, timeout))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds in all")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from harness import SandboxProcess

    with SandboxProcess() as sandbox:
        result = run_load(sandbox.url, args.connections, args.requests, args.timeout)
    print(result.summary())
    print(json.dumps(result.figures()))
    return 0 if result.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
