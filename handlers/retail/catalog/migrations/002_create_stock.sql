-- The live stock of each product (one row, created with the product at 0). Never negative.
CREATE TABLE stock (
    product_id VARCHAR(36) NOT NULL PRIMARY KEY,
    stock INTEGER NOT NULL DEFAULT 0,
    updated_at VARCHAR(32) NOT NULL,
    CONSTRAINT stock_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT stock_not_negative CHECK (stock >= 0)
);
