-- Units per product: available to sell, and reserved for orders awaiting confirmation. Never negative.
CREATE TABLE inventory (
    product_id VARCHAR(36) NOT NULL PRIMARY KEY,
    available INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0,
    updated_at VARCHAR(32) NOT NULL,
    CONSTRAINT inventory_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT inventory_available CHECK (available >= 0),
    CONSTRAINT inventory_reserved CHECK (reserved >= 0)
);
