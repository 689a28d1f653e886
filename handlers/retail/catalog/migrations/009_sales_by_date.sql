-- Sales tables (used by the sales service). Listing by date, newest first.
CREATE INDEX sales_by_date ON sales (created_at, id);
