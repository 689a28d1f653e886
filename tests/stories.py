"""What the trail tells of a registered move, under its request's correlation id: each step as (kind, the start of its
summary), each cause before its effects. The runtime's end-to-end test and the console's browser test both expect it."""

from __future__ import annotations

REGISTRATION_STORY = (
    ("request", "POST /moves → 201"),
    ("publish", "MoveRegistered from moving.moves → "),
    ("delivery", "MoveRegistered → fleet/bookings: done"),
    ("publish", "TruckAssigned from moving.fleet → "),
    ("delivery", "TruckAssigned → moves/progress: done"),
    ("delivery", "TruckAssigned → notifications/customer-updates: done"),
)
