"""Checks of plain component arguments, each refusal one line that names the argument, what is allowed and what was
given. Every component validates its args with these, so the same mistake reads the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable

CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The only retention periods CloudWatch Logs accepts, in days (a platform limit, not a security choice)."""


def check_int(argument: str, value: object, low: int, high: int | None = None) -> None:
    """An integer (not a bool) from ``low`` to ``high`` (no upper bound when None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{argument}: must be an integer {allowed} (got {value!r})")


def check_one_of(argument: str, value: object, allowed: Iterable[object]) -> None:
    """One of ``allowed`` (a bool never stands for 1 or 0)."""
    choices = tuple(allowed)
    if isinstance(value, bool) and not any(isinstance(c, bool) for c in choices) or value not in choices:
        raise ValueError(f"{argument}: must be one of {', '.join(map(str, choices))} (got {value!r})")


def check_not_blank(argument: str, value: object) -> None:
    """A plain string must not be blank (an Output is checked by the provider when it resolves)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{argument}: must be a non-empty string or Output (got {value!r})")
