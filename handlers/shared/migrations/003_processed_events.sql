-- Events a consumer has already handled, recorded in the same transaction as their effect: a redelivered event is
-- recognised by its event_id and has no second effect.
CREATE TABLE IF NOT EXISTS processed_events (
    consumer VARCHAR(64) NOT NULL,
    event_id VARCHAR(64) NOT NULL,
    processed_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
