-- A customer's tickets, newest first (GET /tickets as a customer).
CREATE INDEX tickets_by_customer ON tickets (customer_id, created_at, id);
