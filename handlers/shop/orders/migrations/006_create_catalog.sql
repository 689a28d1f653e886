-- Orders' copy of the products it sells, kept current by products' ProductChanged events (active = 0 once deleted).
-- changed_at is the event's occurred_at: an older event arriving late does not overwrite a newer one.
CREATE TABLE catalog (
    product_id VARCHAR(64) NOT NULL PRIMARY KEY,
    sku VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    price DECIMAL(12,2) NOT NULL,
    active INTEGER NOT NULL,
    changed_at VARCHAR(32) NOT NULL
);
