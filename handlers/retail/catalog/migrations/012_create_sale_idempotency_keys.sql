-- Sales tables (used by the sales service). Idempotency-Key per seller, written in the sale's transaction; the
-- primary key decides between concurrent duplicates and the loser answers with the stored response.
CREATE TABLE sale_idempotency_keys (
    seller_id VARCHAR(64) NOT NULL,
    idem_key VARCHAR(100) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    sale_id VARCHAR(36) NOT NULL,
    response TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (seller_id, idem_key),
    CONSTRAINT sale_idempotency_sale FOREIGN KEY (sale_id) REFERENCES sales (id)
);
