"""Checks of plain component arguments, each refusal one line that names the argument, what is allowed and what was
given. Every component validates its args with these, so the same mistake reads the same everywhere."""

from __future__ import annotations


def check_int(argument: str, value: object, low: int, high: int | None = None) -> None:
    """An integer (not a bool) from ``low`` to ``high`` (no upper bound when None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{argument}: must be an integer {allowed} (got {value!r})")


def check_not_blank(argument: str, value: object) -> None:
    """A plain string must not be blank (an Output is checked by the provider when it resolves)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{argument}: must be a non-empty string or Output (got {value!r})")
