-- A customer's moves, newest first (GET /moves as a customer).
CREATE INDEX moves_by_customer ON moves (customer_id, created_at, id);
