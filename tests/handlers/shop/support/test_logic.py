"""The support rules alone: the status machine, taking, who sees and comments, validation and pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from handlers.shared.paging import Cursor, InvalidCursor, OwnerScope, newest_first_key
from handlers.shared.status import TransitionRefused
from handlers.shop.support import logic
from handlers.shop.support.logic import (
    Actor,
    HeldByAnotherAgent,
    ListQuery,
    NewComment,
    NewTicket,
    Role,
    Status,
    Ticket,
    TicketNotFound,
)

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)

ANA = Actor("c-ana", frozenset({"customers"}))
BOB = Actor("c-bob", frozenset({"customers"}))
EVE = Actor("a-eve", frozenset({"agents"}))
MAX = Actor("a-max", frozenset({"agents", "admins"}))
ADMIN = Actor("ad-joe", frozenset({"admins"}))


def ticket(status: Status = Status.OPEN, assignee: str | None = None, **changes: object) -> Ticket:
    new = NewTicket(subject="Broken mug", description="It arrived in pieces.", order_id=None)
    opened = logic.open_ticket(new, ticket_id="t1", customer_id="c-ana", customer_email="ana@example.com", now=NOW)
    return replace(opened, status=status, assignee_id=assignee, **changes)  # type: ignore[arg-type]


# --- the status machine -------------------------------------------------------------------------------------------

ALLOWED = {
    (Status.OPEN, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Status.RESOLVED),
    (Status.RESOLVED, Status.CLOSED),
    (Status.RESOLVED, Status.IN_PROGRESS),
}


@pytest.mark.parametrize("source", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_one_step_forward_or_the_reopen_is_allowed(source, target):
    current = ticket(source, assignee=None if source is Status.OPEN else "a-eve")
    if (source, target) in ALLOWED:
        moved = logic.move(current, target, EVE, LATER)
        assert (moved.status, moved.updated_at) == (target, LATER)
    else:
        with pytest.raises(TransitionRefused) as refused:
            logic.move(current, target, EVE, LATER)
        assert str(refused.value) == f"ticket t1 is {source.value}; cannot move it to {target.value}"
        assert refused.value.http_status == 409


def test_moving_an_open_ticket_in_progress_assigns_the_agent():
    assert logic.move(ticket(), Status.IN_PROGRESS, EVE, LATER).assignee_id == "a-eve"


def test_the_reopen_and_later_steps_keep_the_holder():
    reopened = logic.move(ticket(Status.RESOLVED, "a-eve"), Status.IN_PROGRESS, MAX, LATER)
    assert reopened.assignee_id == "a-eve"
    assert logic.move(ticket(Status.IN_PROGRESS, "a-eve"), Status.RESOLVED, MAX, LATER).assignee_id == "a-eve"


# --- taking ----------------------------------------------------------------------------------------------------------


def test_taking_an_open_ticket_puts_it_in_progress_with_the_agent():
    taken = logic.take(ticket(), EVE, LATER)
    assert (taken.status, taken.assignee_id, taken.updated_at) == (Status.IN_PROGRESS, "a-eve", LATER)


def test_taking_a_ticket_one_already_holds_changes_nothing():
    held = ticket(Status.IN_PROGRESS, "a-eve")
    assert logic.take(held, EVE, LATER) is held


def test_taking_a_ticket_another_agent_holds_names_the_holder_unless_reassigning():
    held = ticket(Status.IN_PROGRESS, "a-eve")
    with pytest.raises(HeldByAnotherAgent, match="held by agent a-eve") as refused:
        logic.take(held, MAX, LATER)
    assert refused.value.http_status == 409
    taken = logic.take(held, MAX, LATER, reassign=True)
    assert (taken.status, taken.assignee_id) == (Status.IN_PROGRESS, "a-max")


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_resolved_and_closed_tickets_cannot_be_taken(status):
    with pytest.raises(TransitionRefused, match=f"is {status.value}; cannot take it"):
        logic.take(ticket(status, "a-eve"), MAX, LATER, reassign=True)


# --- who sees and comments ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "sees"), [(ANA, True), (BOB, False), (EVE, True), (MAX, True), (ADMIN, False)])
def test_the_owner_and_agents_see_a_ticket_nobody_else(who, sees):
    assert logic.can_see(ticket(), who) is sees
    if not sees:
        with pytest.raises(TicketNotFound, match="no ticket t1"):
            logic.visible(ticket(), who)


@pytest.mark.parametrize(("who", "role"), [(ANA, Role.CUSTOMER), (EVE, Role.AGENT), (MAX, Role.AGENT)])
def test_the_owner_and_agents_comment_with_their_role(who, role):
    changed, note = logic.comment(ticket(), who, NewComment(body="Any news?"), comment_id="k1", now=LATER)
    assert (note.id, note.ticket_id, note.author_id, note.author_role, note.body, note.created_at) == (
        "k1", "t1", who.user_id, role, "Any news?", LATER,
    )  # fmt: skip
    assert changed.updated_at == LATER and changed.status is Status.OPEN


@pytest.mark.parametrize("who", [BOB, ADMIN])
def test_others_cannot_comment_and_learn_nothing(who):
    with pytest.raises(TicketNotFound):
        logic.comment(ticket(), who, NewComment(body="hi"), comment_id="k1", now=LATER)


def test_a_closed_ticket_takes_no_comments():
    with pytest.raises(TransitionRefused, match="is CLOSED; cannot comment on it"):
        logic.comment(ticket(Status.CLOSED, "a-eve"), ANA, NewComment(body="hi"), comment_id="k1", now=LATER)


def test_agents_list_every_ticket_and_customers_their_own():
    query = ListQuery(status=Status.OPEN)
    assert logic.listing_scope(query, EVE) == OwnerScope(None, Status.OPEN)
    assert logic.listing_scope(query, ANA) == OwnerScope("c-ana", Status.OPEN)
    assert logic.listing_scope(ListQuery(), ADMIN) == OwnerScope("ad-joe", None)


# --- validation ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "", "description": "x"}, "subject"),
        ({"subject": "   ", "description": "x"}, "subject"),
        ({"subject": "s" * 201, "description": "x"}, "subject"),
        ({"subject": "s", "description": ""}, "description"),
        ({"subject": "s", "description": " \n "}, "description"),
        ({"subject": "s", "description": "d" * 5001}, "description"),
        ({"subject": "s", "description": "d", "order_id": ""}, "order_id"),
        ({"subject": "s", "description": "d", "customer_id": "c-bob"}, "customer_id"),
        ({"description": "d"}, "subject"),
    ],
)
def test_a_bad_ticket_names_the_field(body, field):
    with pytest.raises(ValidationError) as invalid:
        NewTicket.model_validate(body)
    assert [".".join(map(str, e["loc"])) for e in invalid.value.errors()] == [field]


def test_the_limits_are_inclusive_and_the_subject_is_trimmed():
    new = NewTicket(subject="  " + "s" * 200 + " ", description="d" * 5000, order_id=None)
    assert new.subject == "s" * 200 and len(new.description) == 5000
    assert NewComment(body="b" * 5000).body == "b" * 5000
    with pytest.raises(ValidationError):
        NewComment(body="b" * 5001)


def test_views_show_utc_timestamps_and_comments_in_the_given_order():
    _, first = logic.comment(ticket(), ANA, NewComment(body="one"), comment_id="k1", now=LATER)
    shown = logic.detail(ticket(), [first])
    assert shown["created_at"] == "2026-03-10T10:00:00.000000+00:00"
    assert shown["comments"] == [{"id": "k1", "ticket_id": "t1", "author_id": "c-ana", "author_role": "customer",
                                  "body": "one", "created_at": "2026-03-10T10:05:00.000000+00:00"}]  # fmt: skip
    assert shown["status"] == "OPEN" and shown["assignee_id"] is None


# --- pages -----------------------------------------------------------------------------------------------------


def test_a_cursor_round_trips_and_garbage_is_refused():
    cursor = Cursor(*newest_first_key(ticket()))
    assert Cursor.decode(cursor.encode()) == cursor == Cursor("2026-03-10T10:00:00.000000+00:00", "t1")
    for bad in ["not-a-cursor", "W10", "WzEsMl0", "eyJhIjoxfQ"]:  # garbage, [], [1,2], an old-format object
        with pytest.raises(InvalidCursor):
            Cursor.decode(bad)
    with pytest.raises(InvalidCursor):
        ListQuery(cursor="not-a-cursor")


@pytest.mark.parametrize("limit", [0, 101])
def test_the_page_size_is_1_to_100(limit):
    with pytest.raises(ValidationError):
        ListQuery(limit=limit)
    assert ListQuery().limit == 20


def test_a_page_says_whether_there_is_more():
    tickets = [replace(ticket(), id=f"t{i}") for i in range(3)]
    full = logic.page(tickets, 2)
    assert [t["id"] for t in full["items"]] == ["t0", "t1"] and full["next_cursor"] == Cursor(
        *newest_first_key(tickets[1])
    ).encode()
    assert logic.page(tickets[:2], 2)["next_cursor"] is None
    assert logic.page([], 2) == {"items": [], "next_cursor": None}
