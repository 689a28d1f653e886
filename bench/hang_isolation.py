"""Benchmark: a hang in one system does not stall another, with functions in worker processes.

    python -m bench.hang_isolation [--seconds 10]   # prints the table and rewrites its section of BENCHMARKS.md

All three systems run with ``--workers``. Retail's ``GET /stock`` is sent at a steady rate (RATE requests a second
from 8 connections, a client in its own process), first alone, then while the moving company's bus is blackholed
(its functions' EventBridge endpoint is a socket that accepts and never answers) and 16 connections keep posting
moves, each of which waits on its publish. Goal (local runtime issue): retail's p99 moves by no more than 20%.

The rate is steady, not as fast as possible: at full speed the two CPUs are the limit, and any work elsewhere (the
moving requests' own) moves retail's p99, hang or no hang; the question is whether the hang does.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx

from bench import sections
from local.demo import Api, runtime_target
from local.runtime import LocalRuntime, throwaway_runtime
from local.workers import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
RATE = 100
CONNECTIONS = 8
MOVE = {"origin": {"address": "A 1", "city": "Lima"}, "destination": {"address": "B 2", "city": "Ica"},
        "move_date": (date.today() + timedelta(days=3)).isoformat(), "volume_m3": 5}  # fmt: skip


def blackhole() -> tuple[socket.socket, str]:
    """A listening socket that accepts connections and never answers; its URL."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True, name="blackhole").start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}"


def client_load(url: str, token: str, seconds: float) -> None:
    """The load client (run in a subprocess): prints requests per second and p99 in ms of CONNECTIONS connections'
    GETs, each connection sending one every CONNECTIONS / RATE seconds (at once if the last one took longer)."""
    latencies: list[float] = []
    stop_at = time.perf_counter() + seconds
    interval = CONNECTIONS / RATE

    def connection(n: int) -> None:
        with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
            due = time.perf_counter() + n * interval / CONNECTIONS  # spread over the interval
            while due < stop_at:
                time.sleep(max(0.0, due - time.perf_counter()))
                started = time.perf_counter()
                assert client.get(url).status_code == 200
                latencies.append(time.perf_counter() - started)
                due = max(due + interval, time.perf_counter())

    started = time.perf_counter()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(connection, range(CONNECTIONS)))
    latencies.sort()
    print(len(latencies) / (time.perf_counter() - started), 1000 * latencies[int(len(latencies) * 0.99) - 1])


def retail_load(url: str, token: str, seconds: float) -> tuple[float, float]:
    code = f"from bench.hang_isolation import client_load; client_load({url!r}, {token!r}, {seconds})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)  # noqa: S603
    rps, p99 = done.stdout.split()
    return float(rps), float(p99)


def hang_moving(runtime: LocalRuntime, seconds: float) -> threading.Thread:
    """Blackhole the moving company's bus and keep 16 connections posting moves for ``seconds``."""
    server, url = blackhole()
    for functions in runtime.systems["moving"].functions.values():
        functions.restart(AWS_ENDPOINT_URL_EVENTBRIDGE=url)
    customer = Api(runtime_target(runtime), "moving").as_("customers")
    stop_at = time.monotonic() + seconds

    def post(_: int) -> None:
        while time.monotonic() < stop_at:
            with contextlib.suppress(httpx.HTTPError):  # a hung request is the point
                customer.post("/moves", json=MOVE, timeout=30)

    def run() -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(post, range(16)))
        server.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="load time per phase (default 10)")
    args = parser.parse_args()
    with throwaway_runtime(workers=WorkerSettings()) as runtime:
        with Api(runtime_target(runtime), "retail").as_("sellers") as seller:
            token = seller.headers["Authorization"].removeprefix("Bearer ")
        url = f"{runtime.systems['retail'].api_url}/stock"
        print("retail GET /stock alone…", flush=True)
        alone = retail_load(url, token, args.seconds)
        print("retail GET /stock while the moving bus hangs…", flush=True)
        hanging = hang_moving(runtime, args.seconds + 5)
        time.sleep(2)  # the moving requests are hanging by now
        during = retail_load(url, token, args.seconds)
        hanging.join()
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs: all three systems with `--workers`; "
        f"{args.seconds:g} s of retail `GET /stock` at {RATE} requests a second from {CONNECTIONS} connections per "
        "phase.", "",
        "| retail `GET /stock` | throughput | p99 |", "|---|---:|---:|",
        f"| alone | {alone[0]:.0f} req/s | {alone[1]:.0f} ms |",
        f"| while the moving bus hangs (16 connections posting moves) | {during[0]:.0f} req/s | {during[1]:.0f} ms |",
        f"| **p99 change (goal ≤ +20%)** | | **{100 * (during[1] / alone[1] - 1):+.0f}%** |",
    ])  # fmt: skip
    print(table)
    sections.rewrite("hang-isolation", table, heading="Local runtime: a hang in one system, with workers",
                     intro="`python -m bench.hang_isolation`.")  # fmt: skip


if __name__ == "__main__":
    main()
