-- Events a service must publish, written in the same transaction as the change they describe and relayed to the
-- bus after commit (retried by the outbox-relay schedule until published).
CREATE TABLE IF NOT EXISTS outbox (
    event_id VARCHAR(64) NOT NULL PRIMARY KEY,
    detail_type VARCHAR(128) NOT NULL,
    detail TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    published_at VARCHAR(32),
    attempts INTEGER NOT NULL DEFAULT 0
);
