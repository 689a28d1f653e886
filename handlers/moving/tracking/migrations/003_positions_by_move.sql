-- A move's path in time order (GET /moves/{id}/tracking), and one row per fix.
CREATE UNIQUE INDEX positions_by_move ON positions (move_id, recorded_at);
