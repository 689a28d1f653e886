"""Local AWS (moto in server mode) in a process of its own, so that the runtime's gateways, consumers and in-process
functions do not share an interpreter lock with it, and a hang in one system's handler cannot stall its answers.

Everything reaches it over HTTP, as the cloud's clients reach AWS, except the few things moto's API cannot do that the
runtime needs from its model: refusing sign-ups on admin-only pools, and saving and putting back each pool's users
(``local/cognito.py``). Those run inside the server's process, asked for through a pipe by name.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Mapping
from multiprocessing.connection import Connection
from typing import Any

START_SECONDS = 30.0


class AwsServerError(RuntimeError):
    """Local AWS did not start, or a call into its model failed; the message says which."""


def serve(conn: Connection, port: int, environment: Mapping[str, str]) -> None:
    """The server process: moto on 127.0.0.1:``port``, then the model calls the runtime sends, until it hangs up."""
    # Ctrl-C reaches every process of the terminal's group; the runtime stops this one itself, once it has saved the
    # users through it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(environment)  # moto's own settings (id strategies) are read from its environment
    from moto.server import ThreadedMotoServer

    from local import moto_speedups
    from local.cognito import MODEL_CALLS

    moto_speedups.apply()

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per AWS call would drown the output
    conn.send(("ready", None))
    while True:
        try:
            name, args = conn.recv()
        except EOFError:
            break
        try:
            conn.send(("ok", MODEL_CALLS[name](*args)))
        except Exception as e:
            conn.send(("error", f"{name}: {type(e).__name__}: {e}"))
    server.stop()


class AwsServer:
    """The server process, seen from the runtime: started ready, asked for model calls, stopped."""

    def __init__(self, port: int, environment: Mapping[str, str]) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: none of the runtime's threads
        self._conn, child = context.Pipe()
        self._lock = threading.Lock()
        self.process = context.Process(target=serve, args=(child, port, dict(environment)), name="local AWS",
                                       daemon=True)  # fmt: skip
        self.process.start()
        child.close()
        if not self._conn.poll(START_SECONDS):
            self.stop()
            raise AwsServerError(f"local AWS did not start on 127.0.0.1:{port} within {START_SECONDS:g} s")
        try:
            self._conn.recv()
        except EOFError:
            raise AwsServerError(
                f"local AWS exited at start (code {self.process.exitcode}); is the port free?"
            ) from None

    def call(self, name: str, *args: Any) -> Any:
        """Run one of ``local/cognito.py``'s model functions in the server's process."""
        with self._lock:
            self._conn.send((name, args))
            kind, value = self._conn.recv()
        if kind == "error":
            raise AwsServerError(value)
        return value

    def stop(self) -> None:
        self._conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
