-- The old per-service table, now copied to idempotent_requests (007).
DROP TABLE idempotency_keys;
