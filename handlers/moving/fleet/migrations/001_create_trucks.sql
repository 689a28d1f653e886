-- The fleet. Plates are stored normalized (upper case) and are unique; capacity in cubic metres.
CREATE TABLE trucks (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    plate VARCHAR(15) NOT NULL,
    capacity_m3 DOUBLE PRECISION NOT NULL,
    home_city VARCHAR(100) NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at VARCHAR(32) NOT NULL,
    CONSTRAINT trucks_plate UNIQUE (plate)
);
