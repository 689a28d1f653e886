-- Moves in one status, newest first (GET /moves?status= as an employee).
CREATE INDEX moves_by_status ON moves (status, created_at, id);
