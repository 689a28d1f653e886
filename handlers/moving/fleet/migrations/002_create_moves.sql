-- Fleet's own projection of the moves it learns from MoveRegistered, so it can pick a truck without asking the moves
-- service. status: registered, assigned, unassignable or completed; truck_id and assigned_by record the last
-- assignment (kept after completion, when the booking itself is gone).
CREATE TABLE moves (
    move_id VARCHAR(64) NOT NULL PRIMARY KEY,
    move_date VARCHAR(10) NOT NULL,
    volume_m3 DOUBLE PRECISION NOT NULL,
    origin_city VARCHAR(100) NOT NULL,
    status VARCHAR(16) NOT NULL,
    truck_id VARCHAR(36),
    assigned_by VARCHAR(8),
    registered_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
