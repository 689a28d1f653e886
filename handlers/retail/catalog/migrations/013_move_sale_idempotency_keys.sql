-- Idempotency-Key records of sales move to the table every service shares (idempotent_requests, a shared
-- migration), so one mechanism answers repeats on every route that opts in. Keys already stored keep answering.
INSERT INTO idempotent_requests (owner_id, idem_key, request_hash, resource_id, response, created_at)
SELECT seller_id, idem_key, request_hash, sale_id, response, created_at FROM sale_idempotency_keys;
