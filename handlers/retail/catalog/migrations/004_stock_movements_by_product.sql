-- A product's history, newest first.
CREATE INDEX stock_movements_history ON stock_movements (product_id, created_at, id);
