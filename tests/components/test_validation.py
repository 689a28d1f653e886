"""The shared argument checks: one line naming the argument, what is allowed and what was given."""

from __future__ import annotations

import pytest

from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of


@pytest.mark.parametrize(
    ("value", "high", "message"),
    [
        (0, 10, "size: must be an integer between 1 and 10 (got 0)"),
        (11, 10, "size: must be an integer between 1 and 10 (got 11)"),
        (True, 10, "size: must be an integer between 1 and 10 (got True)"),
        ("3", None, "size: must be an integer at least 1 (got '3')"),
    ],
)
def test_check_int_names_the_argument_the_range_and_the_value(value, high, message):
    with pytest.raises(ValueError) as error:
        check_int("size", value, 1, high)
    assert str(error.value) == message


def test_check_int_accepts_the_bounds():
    check_int("size", 1, 1, 10)
    check_int("size", 10, 1, 10)
    check_int("size", 10**9, 1)


def test_check_one_of_lists_the_choices_and_refuses_a_bool_for_a_number():
    check_one_of("mode", "a", ("a", "b"))
    check_one_of("days", 14, CLOUDWATCH_RETENTION_DAYS)
    with pytest.raises(ValueError, match=r"^mode: must be one of a, b \(got 'c'\)$"):
        check_one_of("mode", "c", ("a", "b"))
    with pytest.raises(ValueError, match=r"^days: must be one of 1, 3, 5, .*, 3653 \(got True\)$"):
        check_one_of("days", True, CLOUDWATCH_RETENTION_DAYS)
