-- The old table of sales' keys, now copied to idempotent_requests (013).
DROP TABLE sale_idempotency_keys;
