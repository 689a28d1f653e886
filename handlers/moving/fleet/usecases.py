"""Fleet's use cases: each one is a transaction over the store that applies the rules of ``logic`` and writes the
events it causes to the outbox; after the commit the outbox is relayed (best effort, the schedule retries). The
shape every service shares is in ``handlers/shared/usecases.py``; fleet adds a retry of MySQL deadlock victims.

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
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from handlers.moving.contracts import MoveCompleted, MoveRegistered, MoveUnassignable, TruckAssigned
from handlers.moving.fleet.logic import (
    AssignedBy,
    AssignmentView,
    Move,
    MoveStatus,
    NewTruck,
    Truck,
    TruckQuery,
    TruckView,
    manual_refusal,
    rank_candidates,
    truck_view,
    unassignable_reason,
)
from handlers.moving.fleet.store import FleetStore
from handlers.shared.api import Conflict, NotFound
from handlers.shared.clock import timestamp_ms, utc_now
from handlers.shared.db import Database, IntegrityConflict, Transaction, service_database
from handlers.shared.events import EventDetail
from handlers.shared.outbox import EventPublisher, publisher_for, relay_after_commit
from handlers.shared.paging import Page, page_of
from handlers.shared.settings import ServiceSettings
from handlers.shared.usecases import UseCases

log = logging.getLogger(__name__)

T = TypeVar("T")

DEADLOCK_ATTEMPTS = 3
_MYSQL_DEADLOCK = 1213  # ER_LOCK_DEADLOCK: the server rolled the transaction back


def is_deadlock(error: BaseException) -> bool:
    """MySQL's deadlock error (the database layer passes it through untranslated)."""
    return type(error).__module__.startswith("pymysql") and error.args[:1] == (_MYSQL_DEADLOCK,)


# Fleet's refusals: the shared resolver maps their base classes to HTTP statuses (404, 409, 400).
class UnknownMove(NotFound):
    pass


class UnknownTruck(NotFound):
    pass


class AssignmentConflict(Conflict):
    pass


class PlateTaken(Conflict):
    pass


@dataclass(frozen=True)
class Assignment:
    move_id: str
    truck: Truck
    assigned_by: AssignedBy

    def view(self) -> AssignmentView:
        return {
            "move_id": self.move_id,
            "truck": {"id": self.truck.id, "plate": self.truck.plate},
            "assigned_by": self.assigned_by,
        }


def now() -> str:
    return timestamp_ms(utc_now())


class FleetUseCases(UseCases):
    """The fleet service over its database and publisher."""

    def __init__(self, db: Database, publisher: EventPublisher | None = None, **adapters: Any) -> None:
        super().__init__(db, publisher, **adapters)
        self.store = FleetStore(db)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> Self:
        return cls(service_database(settings), publisher_for(settings))

    # --- trucks ---------------------------------------------------------------------------------------------

    def register_truck(self, new: NewTruck) -> Truck:
        truck = Truck(str(uuid.uuid4()), new.plate, new.capacity_m3, new.home_city, new.active)
        try:
            with self.store.transaction() as tx:
                self.store.insert_truck(tx, truck, now())
        except IntegrityConflict:
            raise PlateTaken(f"a truck with plate {truck.plate} already exists") from None
        return truck

    def list_trucks(self, query: TruckQuery) -> Page[TruckView]:
        after = query.after_key[0] if query.after_key else None
        with self.reading() as tx:
            trucks = self.store.list_trucks(tx, active=query.active, after_plate=after, limit=query.limit + 1)
        return page_of(trucks, query.limit, truck_view, lambda truck: (truck.plate,))

    # --- assignment -----------------------------------------------------------------------------------------

    def assign_manually(self, move_id: str, truck_id: str) -> Assignment:
        """Book ``truck_id`` for the move by hand. A move that already has a truck is reassigned: its old booking is
        released and the new one made in the same transaction, so the move is never left without a truck (or with
        two). Assigning the truck the move already has changes nothing and publishes nothing."""

        def work(tx: Transaction) -> tuple[Assignment, bool]:
            move = self.store.move(tx, move_id, lock=True)
            if move is None:
                raise UnknownMove(f"move {move_id} is unknown to the fleet (its registration has not arrived)")
            truck = self.store.truck(tx, truck_id, lock=True)
            if truck is None:
                raise UnknownTruck(f"truck {truck_id} does not exist")
            busy_with = self.store.move_booked_on(tx, truck.id, move.move_date)
            refusal = manual_refusal(move, truck, busy_with)
            if refusal:
                raise AssignmentConflict(refusal)
            assignment = Assignment(move.move_id, truck, AssignedBy.MANUAL)
            if busy_with == move.move_id:
                return assignment, False
            self.store.release_booking_of(tx, move.move_id)
            try:
                self._book(tx, move, truck, AssignedBy.MANUAL)
            except IntegrityConflict:  # booked concurrently after our check
                raise AssignmentConflict(
                    f"truck {truck.plate} is already booked on {move.move_date.isoformat()}"
                ) from None
            return assignment, True

        assignment, changed = self._transaction(work)
        if changed:
            relay_after_commit(self.store.db, self.publisher)
        return assignment

    def _book(self, tx: Transaction, move: Move, truck: Truck, by: AssignedBy) -> None:
        """Insert the booking (raises IntegrityConflict when taken), update the projection, add the event."""
        at = now()
        self.store.insert_booking(tx, str(uuid.uuid4()), truck.id, move, by, at)
        self.store.mark_assigned(tx, move.move_id, truck.id, by, at)
        self.store.add_event(
            tx, TruckAssigned(move_id=move.move_id, truck_id=truck.id, plate=truck.plate, assigned_by=by.value)
        )

    # --- events ---------------------------------------------------------------------------------------------

    def on_move_registered(self, event: MoveRegistered) -> EventDetail | None:
        """Record the move and book the best free truck for it, or say that none fits. Returns the event written
        (None when the event was handled before, or the move is already known)."""
        move = Move(event.move_id, event.move_date, event.volume_m3, event.origin.city.strip())

        def work(tx: Transaction) -> EventDetail | None:
            if not self.store.claim(tx, event.event_id):
                return None
            try:  # inserted first: a locking read of a missing row would take a gap lock (deadlocks on MySQL)
                self.store.insert_move(tx, move, now())
            except IntegrityConflict:
                log.warning("move %s registered again under another event id; ignored", move.move_id)
                return None
            return self._auto_assign(tx, move)

        outcome = self._transaction(work)
        if outcome is not None:
            relay_after_commit(self.store.db, self.publisher)
        return outcome

    def _auto_assign(self, tx: Transaction, move: Move) -> EventDetail:
        trucks = self.store.lock_trucks_that_fit(tx, move.volume_m3)
        booked = self.store.booked_truck_ids(tx, move.move_date)
        for truck in rank_candidates(move, trucks, booked):
            try:
                self._book(tx, move, truck, AssignedBy.AUTO)
            except IntegrityConflict:  # booked by a concurrent transaction after all: the next one, then
                log.info("truck %s was taken on %s meanwhile; trying the next", truck.plate, move.move_date)
                continue
            return TruckAssigned(move_id=move.move_id, truck_id=truck.id, plate=truck.plate, assigned_by="auto")
        self.store.set_status(tx, move.move_id, MoveStatus.UNASSIGNABLE, now())
        unassignable = MoveUnassignable(move_id=move.move_id, reason=unassignable_reason(move))
        self.store.add_event(tx, unassignable)
        return unassignable

    def on_move_completed(self, event: MoveCompleted) -> bool:
        """Free the move's truck for that date and mark the move completed. False when there was nothing to do."""

        def work(tx: Transaction) -> bool:
            if not self.store.claim(tx, event.event_id):
                return False
            move = self.store.move(tx, event.move_id, lock=True)
            if move is None:
                log.warning("MoveCompleted for move %s, which fleet never saw registered; ignored", event.move_id)
                return False
            released = self.store.release_booking_of(tx, move.move_id)
            if released is not None and released != event.truck_id:
                log.warning("move %s completed with truck %s but was booked on %s; released the booking",
                            move.move_id, event.truck_id, released)  # fmt: skip
            self.store.set_status(tx, move.move_id, MoveStatus.COMPLETED, now())
            return True

        return self._transaction(work)

    def _transaction(self, work: Callable[[Transaction], T]) -> T:
        """Run ``work`` in one transaction; if MySQL picks it as a deadlock victim, it was rolled back: run it again
        (a few times, then the error goes up, and the queue or the caller retries)."""
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                with self.store.transaction() as tx:
                    return work(tx)
            except Exception as e:
                if not is_deadlock(e) or attempt == DEADLOCK_ATTEMPTS:
                    raise
                log.warning("deadlock (attempt %d of %d); running the transaction again", attempt, DEADLOCK_ATTEMPTS)
        raise AssertionError("unreachable")
