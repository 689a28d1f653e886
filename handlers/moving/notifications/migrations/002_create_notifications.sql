-- One row per event told to a customer, keyed by the event's id so an event is never told twice. The row is written
-- PENDING (with the exact subject and text) before the message is published, and marked SENT with SNS's message id
-- in the transaction that publishes it; a retry of a PENDING row publishes the same content.
-- attempts and last_error record failed publishes. Timestamps are fixed-width ISO 8601 UTC text.
CREATE TABLE notifications (
    event_id VARCHAR(64) NOT NULL PRIMARY KEY,
    move_id VARCHAR(64) NOT NULL,
    customer_email VARCHAR(254) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    subject VARCHAR(100) NOT NULL,
    message TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error VARCHAR(500),
    created_at VARCHAR(32) NOT NULL,
    sent_at VARCHAR(32),
    sns_message_id VARCHAR(128)
);
