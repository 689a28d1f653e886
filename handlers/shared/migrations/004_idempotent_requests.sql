-- Idempotency-Key headers of the write routes that opt in, per caller, written in the same transaction as what the
-- request created. The primary key decides between concurrent duplicates; the loser answers with the winner's
-- stored response.
CREATE TABLE IF NOT EXISTS idempotent_requests (
    owner_id VARCHAR(64) NOT NULL,
    idem_key VARCHAR(100) NOT NULL,
    request_hash CHAR(64) NOT NULL,
    resource_id VARCHAR(64) NOT NULL,
    response TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (owner_id, idem_key)
);
