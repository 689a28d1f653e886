-- Every move, newest first (GET /moves as an employee).
CREATE INDEX moves_by_created ON moves (created_at, id);
