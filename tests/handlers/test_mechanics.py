"""The shared mechanics every service uses: the cursor codec, the status machine, and records to views and rows."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest

from handlers.shared.clock import timestamp_ms, timestamp_us
from handlers.shared.paging import InvalidCursor, NewestFirstQuery, PageQuery, decode_cursor, encode_cursor, page_of
from handlers.shared.records import columns_of, record_of, row_of, view_of
from handlers.shared.status import StatusMachine, TransitionRefused


def old_style(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_cursor_round_trips_any_sort_key():
    for key in [("ABC-123",), ("2026-03-10T10:00:00.000000+00:00", "o1"), ("a|b", "c\x1fd", "é")]:
        assert decode_cursor(encode_cursor(*key), len(key)) == key


@pytest.mark.parametrize(
    "text",
    [
        "not-a-cursor",
        old_style("ABC-123"),  # a plate, as fleet's cursors were
        old_style("2026-03-10T10:00:00.000|s1"),  # a sale's, with a bar
        encode_cursor("only-one"),  # another listing's key
        old_style('{"a": 1}'),
        old_style("[1, 2]"),
    ],
)
def test_anything_but_a_cursor_of_this_listing_is_refused(text):
    with pytest.raises(InvalidCursor, match="ask for the first page again") as refused:
        decode_cursor(text, 2)
    assert refused.value.http_status == 400
    with pytest.raises(InvalidCursor):
        NewestFirstQuery(cursor=text)


def test_a_page_query_gives_the_key_after_which_the_page_starts():
    class ByPlate(PageQuery):
        pass

    assert ByPlate().after_key is None
    assert ByPlate(cursor=encode_cursor("ABC-123")).after_key == ("ABC-123",)
    page = page_of(["a", "b", "c"], 2, str.upper, lambda item: (item,))
    assert page == {"items": ["A", "B"], "next_cursor": encode_cursor("b")}
    assert page_of(["a"], 2, str.upper, lambda item: (item,))["next_cursor"] is None


class Status(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"


class Action(StrEnum):
    FINISH = "finish it"
    REOPEN = "reopen it"


MACHINE = StatusMachine("task", {(Status.OPEN, Action.FINISH): Status.DONE, (Status.DONE, Action.REOPEN): Status.OPEN})


def test_the_machine_allows_only_its_transitions_and_names_the_status_when_it_refuses():
    assert MACHINE.next("t1", Status.OPEN, Action.FINISH) is Status.DONE
    assert MACHINE.allows(Status.DONE, Action.REOPEN) and not MACHINE.allows(Status.DONE, Action.FINISH)
    assert MACHINE.actions_from(Status.OPEN) == {Action.FINISH}
    with pytest.raises(TransitionRefused, match="^task t1 is DONE; cannot finish it$") as refused:
        MACHINE.next("t1", Status.DONE, Action.FINISH)
    assert refused.value.http_status == 409


class Colour(StrEnum):
    RED = "RED"


@dataclass(frozen=True)
class Sample:
    id: str
    price: Decimal
    active: bool
    colour: Colour
    day: date
    count: int
    weight: float
    note: str | None
    closed_at: datetime | None
    created_at: datetime


SAMPLE = Sample("s-1", Decimal("9.9"), True, Colour.RED, date(2026, 3, 10), 3, 1.5, None, None,
                datetime(2026, 3, 10, 10, 0, 0, 123456, tzinfo=UTC))  # fmt: skip


def test_a_record_shows_times_in_the_systems_precision_money_as_text_and_dates_as_iso():
    assert view_of(SAMPLE, timestamp_ms) == {
        "id": "s-1", "price": "9.90", "active": True, "colour": "RED", "day": "2026-03-10", "count": 3,
        "weight": 1.5, "note": None, "closed_at": None, "created_at": "2026-03-10T10:00:00.123+00:00",
    }  # fmt: skip


def test_a_row_keeps_booleans_as_numbers_and_enums_as_values_and_comes_back_equal():
    row = row_of(SAMPLE, timestamp_us)
    assert row["active"] == 1 and type(row["colour"]) is str and row["created_at"].endswith(".123456+00:00")
    assert record_of(Sample, row) == SAMPLE
    back = record_of(Sample, row | {"active": 0, "note": "n", "price": "0.5", "closed_at": row["created_at"]})
    assert back.active is False and back.note == "n" and back.price == Decimal("0.50")
    assert back.closed_at == SAMPLE.created_at


def test_a_date_column_read_as_a_date_by_the_driver_is_kept():
    assert record_of(Sample, row_of(SAMPLE, timestamp_us) | {"day": date(2026, 1, 2)}).day == date(2026, 1, 2)


def test_the_columns_are_the_fields():
    assert columns_of(Sample).split(", ")[:3] == ["id", "price", "active"]
