"""What the fleet service does: register and list trucks, assign a truck to a move by hand, and book a truck for
each registered move (freeing it when the move completes). Each use case is one transaction
(``handlers/shared/usecases.py``); fleet adds running a MySQL deadlock victim again.

Concurrency, so that a truck is never booked twice on one date:

- Automatic selection locks the active trucks that fit (``SELECT ... FOR UPDATE`` on MySQL, always in id order;
  SQLite's ``BEGIN IMMEDIATE`` serializes writers anyway), then reads that date's bookings with a locking read, which
  sees what a transaction it waited for has committed. Concurrent selections therefore take turns.
- The ``bookings`` table's unique (truck_id, move_date) constraint is the last word: if an insert still conflicts,
  the next candidate is tried (or, for a manual assignment, the request is refused with a 409).
- The move row of a new move is inserted, not looked up with a locking read first: locking a row that does not exist
  takes a gap lock on MySQL, and two such gap locks followed by two inserts deadlock.
- Should MySQL still choose a transaction as a deadlock victim, the use case runs again (a few times).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Self, TypeVar

from handlers.moving.contracts import MoveCompleted, MoveRegistered, MoveUnassignable, TruckAssigned
from handlers.moving.fleet import logic, store
from handlers.moving.fleet.logic import (
    AssignedBy,
    AssignmentConflict,
    Move,
    MoveStatus,
    NewTruck,
    Truck,
    TruckQuery,
    TruckView,
)
from handlers.shared.clock import timestamp_us
from handlers.shared.db import IntegrityConflict, service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import publisher_for
from handlers.shared.paging import Page, page_of
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases, Write

log = logging.getLogger(__name__)

T = TypeVar("T")

DEADLOCK_ATTEMPTS = 3
_MYSQL_DEADLOCK = 1213  # ER_LOCK_DEADLOCK: the server rolled the transaction back


def is_deadlock(error: BaseException) -> bool:
    """MySQL's deadlock error (the database layer passes it through untranslated)."""
    return type(error).__module__.startswith("pymysql") and error.args[:1] == (_MYSQL_DEADLOCK,)


class FleetUseCases(UseCases):
    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    def register_truck(self, new: NewTruck) -> Truck:
        """Plates are unique: a taken one is refused (409)."""
        truck = logic.new_truck(self.new_id(), new)
        try:
            with self.writing() as write:
                store.insert_truck(write.tx, truck, self._now())
        except IntegrityConflict:
            raise logic.PlateTaken(f"a truck with plate {truck.plate} already exists") from None
        return truck

    def list_trucks(self, query: TruckQuery) -> Page[TruckView]:
        after = query.after_key[0] if query.after_key else None
        with self.reading() as tx:
            trucks = store.find_trucks(tx, active=query.active, after_plate=after, limit=query.limit + 1)
        return page_of(trucks, query.limit, logic.truck_view, lambda truck: (truck.plate,))

    def assign_manually(self, move_id: str, truck_id: str) -> Truck:
        """Book ``truck_id`` for the move by hand. A move that already has a truck is reassigned: its old booking is
        released and the new one made in the same transaction, so the move is never left without a truck (or with
        two). Assigning the truck the move already has changes nothing and publishes nothing."""

        def assign(write: Write) -> Truck:
            move = store.lock_move(write.tx, move_id)
            if move is None:
                raise logic.UnknownMove(f"move {move_id} is unknown to the fleet (its registration has not arrived)")
            truck = store.lock_truck(write.tx, truck_id)
            if truck is None:
                raise logic.UnknownTruck(f"truck {truck_id} does not exist")
            busy_with = store.move_booked_on(write.tx, truck.id, move.move_date)
            if refusal := logic.manual_refusal(move, truck, busy_with):
                raise AssignmentConflict(refusal)
            if busy_with != move.move_id:
                store.release_booking_of(write.tx, move.move_id)
                try:
                    self._book(write, move, truck, AssignedBy.MANUAL)
                except IntegrityConflict:  # booked concurrently after the check
                    raise AssignmentConflict(
                        f"truck {truck.plate} is already booked on {move.move_date.isoformat()}"
                    ) from None
            return truck

        return self._writing_again_after_deadlock(assign)

    def on_move_registered(self, consumer: str, event: MoveRegistered) -> EventDetail | None:
        """Record the move and book the best free truck for it, or say that none fits. Returns the event published
        (None when ``consumer`` had handled the event, or the move is already known)."""
        move = logic.registered_move(event)

        def book(write: Write) -> EventDetail | None:
            if not write.claim(consumer, event.event_id):
                return None
            try:  # inserted first: a locking read of a missing row would take a gap lock (deadlocks on MySQL)
                store.insert_move(write.tx, move, self._now())
            except IntegrityConflict:
                log.warning("move %s registered again under another event id; ignored", move.move_id)
                return None
            return self._auto_assign(write, move)

        return self._writing_again_after_deadlock(book)

    def on_move_completed(self, consumer: str, event: MoveCompleted) -> bool:
        """Free the move's truck for that date and mark the move completed. False when there was nothing to do."""

        def release(write: Write) -> bool:
            if not write.claim(consumer, event.event_id):
                return False
            move = store.lock_move(write.tx, event.move_id)
            if move is None:
                log.warning("MoveCompleted for move %s, which fleet never saw registered; ignored", event.move_id)
                return False
            released = store.release_booking_of(write.tx, move.move_id)
            if released is not None and released != event.truck_id:
                log.warning("move %s completed with truck %s but was booked on %s; released the booking",
                            move.move_id, event.truck_id, released)  # fmt: skip
            store.set_status(write.tx, move.move_id, MoveStatus.COMPLETED, self._now())
            return True

        return self._writing_again_after_deadlock(release)

    def _auto_assign(self, write: Write, move: Move) -> EventDetail:
        trucks = store.lock_trucks_that_fit(write.tx, move.volume_m3)
        booked = store.booked_truck_ids(write.tx, move.move_date)
        for truck in logic.rank_candidates(move, trucks, booked):
            try:
                return self._book(write, move, truck, AssignedBy.AUTO)
            except IntegrityConflict:  # booked by a concurrent transaction after all: the next one, then
                log.info("truck %s was taken on %s meanwhile; trying the next", truck.plate, move.move_date)
        store.set_status(write.tx, move.move_id, MoveStatus.UNASSIGNABLE, self._now())
        unassignable = MoveUnassignable(move_id=move.move_id, reason=logic.unassignable_reason(move))
        write.publish([unassignable])
        return unassignable

    def _book(self, write: Write, move: Move, truck: Truck, by: AssignedBy) -> TruckAssigned:
        """Insert the booking (raises IntegrityConflict when taken), update the projection, publish the event."""
        at = self._now()
        store.insert_booking(write.tx, self.new_id(), truck.id, move, by, at)
        store.mark_assigned(write.tx, move.move_id, truck.id, by, at)
        assigned = TruckAssigned(move_id=move.move_id, truck_id=truck.id, plate=truck.plate, assigned_by=by.value)
        write.publish([assigned])
        return assigned

    def _now(self) -> str:
        return timestamp_us(self.clock())

    def _writing_again_after_deadlock(self, work: Callable[[Write], T]) -> T:
        """Run ``work`` in one write transaction; if MySQL picks it as a deadlock victim, it was rolled back: run it
        again (a few times, then the error goes up, and the queue or the caller retries)."""
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                with self.writing() as write:
                    return work(write)
            except Exception as e:
                if not is_deadlock(e) or attempt == DEADLOCK_ATTEMPTS:
                    raise
                log.warning("deadlock (attempt %d of %d); running the transaction again", attempt, DEADLOCK_ATTEMPTS)
        raise AssertionError("unreachable")
