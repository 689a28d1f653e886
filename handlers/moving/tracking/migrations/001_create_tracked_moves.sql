-- One row per move tracking knows of: its owner (from MoveRegistered) and its GPS tracking session (opened by
-- TruckAssigned, closed by MoveCompleted). Events may arrive in any order, so every column but the id may be filled
-- late: customer_id is NULL until MoveRegistered arrives; truck_id is NULL while status is WAITING.
-- status: WAITING (no truck yet), OPEN (positions accepted), CLOSED (the move is done; final).
-- Timestamps are fixed-width ISO 8601 UTC text, so they sort as text.
CREATE TABLE tracked_moves (
    move_id VARCHAR(64) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64),
    truck_id VARCHAR(64),
    status VARCHAR(16) NOT NULL,
    opened_at VARCHAR(32),
    closed_at VARCHAR(32),
    updated_at VARCHAR(32) NOT NULL
);
