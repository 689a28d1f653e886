"""`python -m local`'s options for how functions run: in worker processes by default, as Lambda runs them."""

from __future__ import annotations

import pytest

from local.__main__ import parse_args
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
