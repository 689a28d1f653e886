-- A customer's orders, newest first (GET /orders).
CREATE INDEX orders_by_customer ON orders (customer_id, created_at, id);
