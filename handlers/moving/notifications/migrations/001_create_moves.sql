-- What notifications learns from MoveRegistered to write every later message: whom to tell and about which move.
-- move_date is an ISO date (YYYY-MM-DD); registered_at is fixed-width ISO 8601 UTC text.
CREATE TABLE moves (
    move_id VARCHAR(64) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64) NOT NULL,
    customer_email VARCHAR(254) NOT NULL,
    move_date VARCHAR(10) NOT NULL,
    origin_city VARCHAR(100) NOT NULL,
    destination_city VARCHAR(100) NOT NULL,
    registered_at VARCHAR(32) NOT NULL
);
