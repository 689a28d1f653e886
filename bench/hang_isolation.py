"""Benchmark: a hang in one system does not stall another, with functions in worker processes.

    python -m bench.hang_isolation [--seconds 10]   # prints the table and rewrites its section of BENCHMARKS.md

All three systems run with functions in worker processes. Retail's ``GET /stock`` is sent at a steady rate (RATE
requests a second from 8 connections, a client in its own process) in three phases: alone; while moves come in at a
steady rate; and while the same moves come in and the moving company's bus is blackholed (its functions' EventBridge
endpoint is a socket that accepts and never answers, so each move waits on its publish). Goal (local runtime issue):
the hang moves retail's p99 by no more than 20%: the third phase against the second.

The rates are steady, not as fast as possible: at full speed the two CPUs are the limit, and any work elsewhere (the
moves' own) moves retail's p99, hang or no hang; the question is whether the hang does.
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
MOVES_PER_SECOND = 5
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


def post_moves(runtime: LocalRuntime, seconds: float) -> threading.Thread:
    """Keep MOVES_PER_SECOND moves coming from 16 connections for ``seconds`` (each connection one every 16 /
    MOVES_PER_SECOND seconds, or at once when its last one took longer: a hung request holds its connection)."""
    customer = Api(runtime_target(runtime), "moving").as_("customers")
    stop_at = time.monotonic() + seconds
    interval = 16 / MOVES_PER_SECOND

    def post(n: int) -> None:
        due = time.monotonic() + n * interval / 16
        while due < stop_at:
            time.sleep(max(0.0, due - time.monotonic()))
            with contextlib.suppress(httpx.HTTPError):  # a hung request is the point
                customer.post("/moves", json=MOVE, timeout=30)
            due = max(due + interval, time.monotonic())

    def run() -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(post, range(16)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def blackhole_bus(runtime: LocalRuntime) -> socket.socket:
    """Point the moving company's functions at a bus that never answers (their next invocations start cold)."""
    server, url = blackhole()
    for functions in runtime.systems["moving"].functions.values():
        functions.restart(AWS_ENDPOINT_URL_EVENTBRIDGE=url)
    return server


def retail_while_moving(runtime: LocalRuntime, url: str, token: str, seconds: float) -> tuple[float, float]:
    """Retail's load while moves keep coming (they are under way 2 s before it starts)."""
    moving = post_moves(runtime, seconds + 5)
    time.sleep(2)
    try:
        return retail_load(url, token, seconds)
    finally:
        moving.join()


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
        print("… while moves come in…", flush=True)
        healthy = retail_while_moving(runtime, url, token, args.seconds)
        print("… while moves come in and the moving bus hangs…", flush=True)
        server = blackhole_bus(runtime)
        try:
            hung = retail_while_moving(runtime, url, token, args.seconds)
        finally:
            server.close()
    change = 100 * (hung[1] / healthy[1] - 1)
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs: all three systems with functions in worker "
        f"processes; {args.seconds:g} s of retail `GET /stock` at {RATE} requests a second from {CONNECTIONS} "
        f"connections per phase; moves posted at {MOVES_PER_SECOND} a second from 16 connections.", "",
        "| retail `GET /stock` | throughput | p99 |", "|---|---:|---:|",
        f"| alone | {alone[0]:.0f} req/s | {alone[1]:.0f} ms |",
        f"| while moves come in | {healthy[0]:.0f} req/s | {healthy[1]:.0f} ms |",
        f"| while moves come in and the moving bus hangs | {hung[0]:.0f} req/s | {hung[1]:.0f} ms |",
        f"| **p99 change the hang causes (goal ≤ +20%)** | | **{change:+.0f}%** |",
    ])  # fmt: skip
    print(table)
    sections.rewrite("hang-isolation", table, heading="Local runtime: a hang in one system",
                     intro="`python -m bench.hang_isolation`. The hang's effect is the third row against the second: "
                     "the same moves, the same retail load, the bus answering or not.")  # fmt: skip


if __name__ == "__main__":
    main()
