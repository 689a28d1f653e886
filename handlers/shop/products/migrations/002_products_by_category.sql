-- The public listing: active products, optionally of one category, in SKU order.
CREATE INDEX products_listing ON products (active, category, sku);
