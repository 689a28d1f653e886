"""The messages alone: what each event tells the customer, and the attributes subscriptions filter on."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.moving.contracts import (
    MoveCompleted,
    MoveRegistered,
    MoveUnassignable,
    Place,
    PositionRecorded,
    TruckAssigned,
)
from handlers.moving.notifications import logic

REGISTERED = MoveRegistered(
    move_id="m-1", customer_id="c-ana", customer_email="ana@example.com", move_date=date(2026, 12, 1), volume_m3=12,
    origin=Place(address="Av. Arequipa 100", city="Lima"), destination=Place(address="Calle Plateros 3", city="Cusco"),
)  # fmt: skip
MOVE = logic.move_info(REGISTERED)


def test_what_is_learnt_from_move_registered():
    expected = logic.MoveInfo("m-1", "c-ana", "ana@example.com", date(2026, 12, 1), "Lima", "Cusco")
    assert expected == MOVE


def test_registered():
    message = logic.compose(REGISTERED, MOVE)
    assert message.subject == "Your move on 2026-12-01 is registered"
    assert message.text.startswith("Your move on 2026-12-01 from Lima to Cusco is registered.")
    assert (message.kind, message.event_id, message.customer_email) == ("MoveRegistered", REGISTERED.event_id,
                                                                        "ana@example.com")  # fmt: skip


def test_truck_assigned():
    message = logic.compose(TruckAssigned(move_id="m-1", truck_id="t-1", plate="ABC-123", assigned_by="auto"), MOVE)
    assert message.subject == "A truck is assigned to your move on 2026-12-01"
    assert message.text == "Truck ABC-123 will do your move on 2026-12-01 from Lima to Cusco."
    assert message.kind == "TruckAssigned"


def test_unassignable():
    message = logic.compose(MoveUnassignable(move_id="m-1", reason="no truck holds 40 m3"), MOVE)
    assert message.subject == "We have no truck yet for your move on 2026-12-01"
    assert message.text == (
        "We could not find a truck for your move on 2026-12-01 from Lima to Cusco (no truck holds 40 m3). "
        "Our team will contact you to arrange it."
    )


def test_completed():
    message = logic.compose(MoveCompleted(move_id="m-1", truck_id="t-1"), MOVE)
    assert message.subject == "Your move on 2026-12-01 is complete"
    assert message.text == "Your move on 2026-12-01 from Lima to Cusco is complete. Thank you for moving with us."


def test_subjects_stay_ascii_and_short_whatever_the_cities():
    move = logic.MoveInfo("m-1", "c-1", "zoe@example.com", date(2026, 12, 1), "Bogotá" * 16, "São Paulo" * 11)
    for event in (REGISTERED, TruckAssigned(move_id="m-1", truck_id="t", plate="ÑU-1", assigned_by="manual"),
                  MoveUnassignable(move_id="m-1", reason="—"), MoveCompleted(move_id="m-1", truck_id="t")):  # fmt: skip
        message = logic.compose(event, move)
        assert message.subject.isascii() and len(message.subject) <= logic.SUBJECT_MAX
        assert "Bogotá" in message.text


def test_the_attributes_let_subscriptions_filter_and_leave_out_empty_values():
    message = logic.compose(REGISTERED, MOVE)
    assert message.attributes() == {"customer_email": "ana@example.com", "event_type": "MoveRegistered",
                                    "move_id": "m-1", "notification_id": REGISTERED.event_id}  # fmt: skip
    no_email = logic.compose(REGISTERED, logic.MoveInfo("m-1", "c", "", date(2026, 12, 1), "Lima", "Cusco"))
    assert "customer_email" not in no_email.attributes()


def test_events_that_are_not_for_customers_are_refused():
    with pytest.raises(TypeError, match="PositionRecorded"):
        logic.compose(PositionRecorded(move_id="m-1", lat=0, lon=0, recorded_at="2026-03-10T10:00:00Z"), MOVE)


def test_emails_are_masked_in_logs():
    assert logic.masked("ana@example.com") == "a***@example.com"
    assert logic.masked("") == "***"
