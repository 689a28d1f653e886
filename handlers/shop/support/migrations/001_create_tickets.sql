-- One row per support ticket: who opened it, what about, its status and the agent who holds it.
-- Ids are uuid4 strings made by the service; timestamps are fixed-width ISO 8601 UTC text, so they sort as text.
CREATE TABLE tickets (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64) NOT NULL,
    customer_email VARCHAR(254) NOT NULL,
    subject VARCHAR(200) NOT NULL,
    description TEXT NOT NULL,
    order_id VARCHAR(64),
    status VARCHAR(16) NOT NULL,
    assignee_id VARCHAR(64),
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
