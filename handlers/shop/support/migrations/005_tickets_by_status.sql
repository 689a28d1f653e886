-- Tickets in one status, newest first (GET /tickets?status= as an agent).
CREATE INDEX tickets_by_status ON tickets (status, created_at, id);
