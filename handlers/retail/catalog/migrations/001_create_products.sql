-- The retail schema is owned by catalog: products, clients and stock here, and the sales tables (007+) too, because
-- a sale and its stock decrements are one transaction in one database.
-- Products: SKUs stored upper case and unique; price DECIMAL(12,2) >= 0. DELETE is a soft delete (active = 0).
CREATE TABLE products (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    sku VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    category VARCHAR(100) NOT NULL,
    price DECIMAL(12,2) NOT NULL,
    min_stock INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL,
    CONSTRAINT products_sku UNIQUE (sku),
    CONSTRAINT products_price CHECK (price >= 0),
    CONSTRAINT products_min_stock CHECK (min_stock >= 0)
);
