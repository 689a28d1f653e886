-- Sales tables (used by the sales service). A seller's own sales, newest first.
CREATE INDEX sales_by_seller ON sales (seller_id, created_at, id);
