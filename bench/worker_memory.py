"""Benchmark: the local runtime's memory with functions in worker processes: idle, with every function the demo flows
reach warm, and after the idle workers are reaped.

    python -m bench.worker_memory    # prints the table and rewrites its section of BENCHMARKS.md

Memory is the proportional set size (PSS, from /proc) of the runtime's process and every process under it: local AWS,
the worker server and the workers; a page forked workers share is split among them, so the sum is what they take.
"""

from __future__ import annotations

import os
import time

from bench import sections
from bench.processes import resident_mib, tree
from local.demo import run, runtime_target
from local.runtime import throwaway_runtime
from local.workers import WorkerSettings


def main() -> None:
    rows = []
    with throwaway_runtime(workers=WorkerSettings()) as runtime:
        time.sleep(1)
        rows.append(("idle: started and seeded", *resident_mib(tree(os.getpid()))))
        assert run(runtime_target(runtime), say=lambda line: None), "the demo flows failed"
        warm = sum(f.warm for running in runtime.systems.values() for f in running.functions.values())
        rows.append((f"all warm: after the demo flows ({warm} workers)", *resident_mib(tree(os.getpid()))))
        for running in runtime.systems.values():
            for functions in running.functions.values():
                functions.reap(idle_seconds=0)
        time.sleep(1)
        rows.append(("after the idle workers are reaped", *resident_mib(tree(os.getpid()))))
    table = "\n".join([
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs: all three systems, `--workers`.", "",
        "| moment | memory (PSS) | processes |", "|---|---:|---:|",
        *(f"| {moment} | {mib:.0f} MiB | {count} |" for moment, mib, count in rows),
    ])  # fmt: skip
    print(table)
    intro = ("`python -m bench.worker_memory`: memory (PSS, shared pages split among their sharers) of the runtime "
             "and every process under it.")  # fmt: skip
    sections.rewrite("worker-memory", table, heading="Local runtime: memory with functions in worker processes",
                     intro=intro)  # fmt: skip


if __name__ == "__main__":
    main()
