"""The shared mechanics every service uses: the cursor codec and the status machine."""

from __future__ import annotations

import base64
from enum import StrEnum

import pytest
from pydantic import ValidationError

from handlers.shared.paging import NewestFirstQuery, PageQuery, decode_cursor, encode_cursor, page_of
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
    with pytest.raises(ValueError, match="is not a cursor returned by this API"):
        decode_cursor(text, 2)
    with pytest.raises(ValidationError):
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
