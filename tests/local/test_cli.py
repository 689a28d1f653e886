"""`python -m local`'s options for how functions run: in worker processes by default, as Lambda runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from local.__main__ import parse_args
from local.runtime import ROOT, free_base_port
from local.workers import DEFAULT_CONCURRENCY


def test_functions_run_in_workers_by_default(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("LOCAL_WORKERS", raising=False)
    options = parse_args([])
    assert options.workers is not None and options.workers.concurrency == DEFAULT_CONCURRENCY
    assert parse_args(["--concurrency", "3"]).workers.concurrency == 3  # type: ignore[union-attr]


def test_in_process_is_chosen_by_flag_or_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("LOCAL_WORKERS", raising=False)
    assert parse_args(["--in-process"]).workers is None
    monkeypatch.setenv("LOCAL_WORKERS", "0")
    assert parse_args([]).workers is None
    assert parse_args(["--workers"]).workers is not None  # the flag wins over the environment


def test_both_modes_at_once_is_a_usage_error(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit:
        parse_args(["--workers", "--in-process"])
    assert exit.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_ctrl_c_in_a_terminal_stops_every_process_cleanly_and_keeps_the_users(tmp_path: Path):
    """Ctrl-C reaches the whole process group (local AWS and the workers too); the runtime still saves the users
    through local AWS, then stops everything, with no traceback."""
    command = [sys.executable, "-m", "local", "--systems", "retail", "--state-dir", str(tmp_path),
               "--base-port", str(free_base_port(("retail",)))]  # fmt: skip
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,  # noqa: S603
                          start_new_session=True) as runtime:  # fmt: skip
        deadline = time.monotonic() + 60
        while not (tmp_path / "endpoints.json").exists():
            assert runtime.poll() is None and time.monotonic() < deadline, "the runtime did not come up"
            time.sleep(0.2)
        os.killpg(runtime.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
        out, err = runtime.communicate(timeout=60)
    assert runtime.returncode == 0, err
    assert "stopping" in out and "Traceback" not in err
    assert (tmp_path / "cognito" / "retail.json").exists()
    assert not (tmp_path / "endpoints.json").exists()
