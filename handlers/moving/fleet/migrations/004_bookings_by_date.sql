-- Truck selection reads the bookings of one date.
CREATE INDEX bookings_by_date ON bookings (move_date);
