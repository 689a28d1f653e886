"""The fake API server, started for one test and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.components.kube_apply.fake_kube import FakeKubernetes


@pytest.fixture
def kube_api(tmp_path: Path) -> Iterator[FakeKubernetes]:
    fake = FakeKubernetes(tmp_path).start()
    try:
        yield fake
    finally:
        fake.stop()
