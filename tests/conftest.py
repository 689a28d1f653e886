"""Shared fixtures: strict recording Pulumi mocks for infrastructure tests."""

from __future__ import annotations

import sys
from pathlib import Path

import pulumi
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from tests import harness  # noqa: E402
from tests.jwks import new_key  # noqa: E402


@pytest.fixture
def mocks() -> harness.RecordingMocks:
    """Fresh strict mocks for the test (stack ``dev``)."""
    return harness.install()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every message the code under test passes to ``pulumi.log.warn``, in order."""
    messages: list[str] = []
    monkeypatch.setattr(pulumi.log, "warn", lambda message, *args, **kwargs: messages.append(message))
    return messages


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    """The key that signs the tokens a test's JWKS vouches for."""
    return new_key()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    """A key nobody's JWKS has."""
    return new_key()
