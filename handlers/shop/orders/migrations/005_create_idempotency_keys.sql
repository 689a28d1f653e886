-- Idempotency-Key headers, per customer, written in the same transaction as the order they created. The primary
-- key decides between concurrent duplicates; the loser answers with the winner's stored response.
CREATE TABLE idempotency_keys (
    customer_id VARCHAR(64) NOT NULL,
    idem_key VARCHAR(100) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    order_id VARCHAR(36) NOT NULL,
    response TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (customer_id, idem_key),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);
