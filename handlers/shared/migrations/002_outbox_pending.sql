CREATE INDEX outbox_pending ON outbox (published_at, created_at);
