"""Timestamps fleet stored to the millisecond are rewritten to microseconds, the moving company's one precision."""

from __future__ import annotations

from handlers.moving.fleet.store import MIGRATIONS
from handlers.shared.migrate import apply_service_migrations
from tests.handlers.conftest import migrated_as_before

MS = "2026-03-10T10:00:00.123+00:00"
US = "2026-03-10T10:00:00.123000+00:00"
LATER_US = "2026-03-10T10:00:00.123456+00:00"


def test_millisecond_timestamps_become_microseconds_and_others_stay(database, tmp_path):
    migrated_as_before(database, MIGRATIONS, 4, tmp_path)
    with database.transaction() as tx:
        tx.execute("INSERT INTO trucks (id, plate, capacity_m3, home_city, active, created_at) "
                   "VALUES ('t1', 'AB-1', 30, 'Lima', 1, :ms)", {"ms": MS})  # fmt: skip
        tx.execute("INSERT INTO moves (move_id, move_date, volume_m3, origin_city, status, truck_id, assigned_by, "
                   "registered_at, updated_at) VALUES ('m1', '2026-04-01', 10, 'Lima', 'assigned', 't1', 'auto', "
                   ":ms, :later)", {"ms": MS, "later": LATER_US})  # fmt: skip
        tx.execute("INSERT INTO bookings (id, truck_id, move_id, move_date, assigned_by, booked_at) "
                   "VALUES ('b1', 't1', 'm1', '2026-04-01', 'auto', :ms)", {"ms": MS})  # fmt: skip
    apply_service_migrations(database, MIGRATIONS)
    with database.transaction() as tx:
        stored = [
            tx.query_one("SELECT created_at FROM trucks")["created_at"],  # type: ignore[index]
            *tx.query("SELECT registered_at, updated_at FROM moves").pop().values(),
            tx.query_one("SELECT booked_at FROM bookings")["booked_at"],  # type: ignore[index]
        ]
    assert stored == [US, US, LATER_US, US]
