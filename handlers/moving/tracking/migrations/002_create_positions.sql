-- Every accepted GPS position of a move (ids are uuid4 strings made by the service). A position is identified by
-- its move and recorded_at: the driver app resending the same fix is recognised and stored once.
CREATE TABLE positions (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    move_id VARCHAR(64) NOT NULL,
    truck_id VARCHAR(64) NOT NULL,
    lat DOUBLE NOT NULL,
    lon DOUBLE NOT NULL,
    recorded_at VARCHAR(32) NOT NULL,
    received_at VARCHAR(32) NOT NULL
);
