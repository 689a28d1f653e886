-- The conversation on a ticket, oldest first. author_role is 'customer' or 'agent'.
CREATE TABLE comments (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    ticket_id VARCHAR(36) NOT NULL,
    author_id VARCHAR(64) NOT NULL,
    author_role VARCHAR(16) NOT NULL,
    body TEXT NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    CONSTRAINT comments_ticket FOREIGN KEY (ticket_id) REFERENCES tickets (id)
);
