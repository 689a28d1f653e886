-- The catalog. SKUs are stored normalized (upper case) and are unique; price in DECIMAL(12,2), never negative.
-- A deleted product keeps its row with active = 0 (reservations and orders still point at it).
CREATE TABLE products (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    sku VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    description TEXT,
    category VARCHAR(100) NOT NULL,
    price DECIMAL(12,2) NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL,
    CONSTRAINT products_sku UNIQUE (sku),
    CONSTRAINT products_price CHECK (price >= 0)
);
