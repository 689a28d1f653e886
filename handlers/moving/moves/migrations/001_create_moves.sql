-- One row per move: the order, its status, the assigned truck and the latest known position.
-- Ids are uuid4 strings made by the service; timestamps are fixed-width ISO 8601 UTC text, so they sort as text;
-- move_date is an ISO date (YYYY-MM-DD).
CREATE TABLE moves (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64) NOT NULL,
    customer_email VARCHAR(254) NOT NULL,
    status VARCHAR(16) NOT NULL,
    origin_address VARCHAR(200) NOT NULL,
    origin_city VARCHAR(100) NOT NULL,
    destination_address VARCHAR(200) NOT NULL,
    destination_city VARCHAR(100) NOT NULL,
    move_date VARCHAR(10) NOT NULL,
    volume_m3 DOUBLE NOT NULL,
    notes TEXT,
    truck_id VARCHAR(64),
    truck_plate VARCHAR(32),
    last_lat DOUBLE,
    last_lon DOUBLE,
    position_recorded_at VARCHAR(32),
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
