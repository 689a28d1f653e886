-- A truck reserved for a move on its date. A row exists only while the booking is active (completing the move or
-- reassigning it deletes the row), so the two unique constraints say: a truck is never booked twice on one date, and
-- a move has at most one active booking.
CREATE TABLE bookings (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    truck_id VARCHAR(36) NOT NULL,
    move_id VARCHAR(64) NOT NULL,
    move_date VARCHAR(10) NOT NULL,
    assigned_by VARCHAR(8) NOT NULL,
    booked_at VARCHAR(32) NOT NULL,
    CONSTRAINT bookings_truck_date UNIQUE (truck_id, move_date),
    CONSTRAINT bookings_move UNIQUE (move_id),
    CONSTRAINT bookings_truck FOREIGN KEY (truck_id) REFERENCES trucks (id),
    CONSTRAINT bookings_of_move FOREIGN KEY (move_id) REFERENCES moves (move_id)
);
