-- Every ticket, newest first (GET /tickets as an agent).
CREATE INDEX tickets_by_created ON tickets (created_at, id);
