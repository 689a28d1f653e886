"""`python -m local`: run the systems offline until Ctrl-C. `--help` lists the options.

`python -m local token <system> <user>` prints a demo user's token for a runtime that is running (``local/tokens.py``).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from architectures import SYSTEMS
from local import demo
from local.aws import LOCAL_VISIBILITY_SECONDS
from local.runtime import LocalRuntime, Options, StartError
from local.workers import DEFAULT_CONCURRENCY, WorkerSettings


def parse_args(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m local",
        description="Run the systems offline.",
        epilog="python -m local token <system> <user> prints a fresh token for a demo user of the runtime running "
        "(python -m local token --help).",
    )
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument(
        "--base-port",
        type=int,
        default=int(os.environ.get("LOCAL_BASE_PORT", "8700")),
        help="local AWS listens here; each system's API on the next ports (default 8700)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOCAL_DATABASE_URL"),
        help="mysql://user:pass@host:port/ to use MariaDB/MySQL instead of SQLite files; its databases are named "
        "local_<hash of the state folder>_<system>_<schema>",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Options.state_dir,
        help="where sign-in, SQLite data and endpoints.json are kept; names the server's databases (default .local)",
    )
    parser.add_argument(
        "--reset",
        action="store_true",
        help="start from empty data and sign-in: remove the runtime's files in the state folder and drop its databases",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run the smoke flows over HTTP, print each step, stop; exit 0 only if all passed",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no line per request and per event delivery (the console still shows them; --demo is quiet anyway)",
    )
    parser.add_argument(
        "--no-console",
        dest="console",
        action="store_false",
        help="no local console, and no trail of requests and events for it (nor their lines)",
    )
    add_function_options(parser)
    args = parser.parse_args(argv)
    if not 0 <= args.visibility_timeout <= 43200:
        parser.error("--visibility-timeout: must be 0 to 43200 seconds, as SQS allows")
    if args.concurrency < 1:
        parser.error("--concurrency: must be 1 or more")
    workers = WorkerSettings(concurrency=args.concurrency) if args.workers else None
    return Options(systems=tuple(args.systems), state_dir=args.state_dir, base_port=args.base_port,
                   database_url=args.database_url, reset=args.reset, demo=args.demo, workers=workers,
                   visibility_seconds=args.visibility_timeout, console=args.console,
                   quiet=args.quiet or args.demo)  # fmt: skip


def add_function_options(parser: argparse.ArgumentParser) -> None:
    """How functions and consumers run: in workers or in this process, and how soon failed events come back."""
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--workers",
        dest="workers",
        action="store_true",
        default=os.environ.get("LOCAL_WORKERS", "1") != "0",
        help="run each function in worker processes of its own, as Lambda does: invocations in parallel up to its "
        "concurrency, cold starts, timeouts (the default; LOCAL_WORKERS=0 changes it)",
    )
    modes.add_argument(
        "--in-process",
        dest="workers",
        action="store_false",
        help="run every function in this process instead, one invocation at a time (less memory, no cold starts)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help=f"with workers, the concurrency limit of each function whose service declares no reserved_concurrency; "
        f"above it the API answers 429 (default {DEFAULT_CONCURRENCY})",
    )
    parser.add_argument(
        "--visibility-timeout",
        type=int,
        default=LOCAL_VISIBILITY_SECONDS,
        help=f"seconds a received event stays hidden: a failed one is delivered again after it, whether the consumer "
        f"reported it or its whole batch failed (default {LOCAL_VISIBILITY_SECONDS}; the cloud's is 6x the consumer's "
        f"timeout)",
    )


def print_ready(runtime: LocalRuntime, seeded: list[str]) -> None:
    if runtime.console_url:
        views = "architecture, API explorer, event trail, queues, messages, schedules, logs"
        print(f"\nConsole: {runtime.console_url}   ({views})")
    print(f"\nLocal AWS: {runtime.aws_endpoint}")
    for name, running in runtime.systems.items():
        print(f"\n{running.system.title} ({name})")
        print(f"  API:   {running.api_url}   (GET {running.api_url}/health)")
        if running.site_url:
            print(f"  web:   {running.site_url}")
        for user in running.users:
            print(f"  user:  {user.email:<28} password {user.password}   groups {', '.join(user.groups)}")
    print("\nDemo data:")
    for line in seeded:
        print(f"  {line}")
    print("\nPress Ctrl-C to stop.")


def main(argv: list[str]) -> int:
    if argv[:1] == ["token"]:  # the one subcommand; every other invocation is the runtime's options alone
        from local import tokens

        return tokens.main(argv[1:])
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("local").setLevel(logging.INFO)  # the runtime's own news: cold starts, schedules run
    runtime = LocalRuntime(parse_args(argv))
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        runtime.start()
    except StartError as e:
        print(f"error: {e}", file=sys.stderr)
        runtime.stop()
        return 2
    try:
        target = demo.runtime_target(runtime)
        seeded = demo.seed(target)
        runtime.write_endpoints()
        if runtime.options.demo:
            print("\nSmoke run:")
            passed = demo.run(target)
            print("\nall steps passed" if passed else "\nsome steps FAILED")
            return 0 if passed else 1
        print_ready(runtime, seeded)
        stop.wait()
        print("\nstopping…")
        return 0
    except demo.StepFailed as e:
        print(f"error: demo data: {e}", file=sys.stderr)
        return 1
    finally:
        runtime.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
