-- The units an order holds, one row per order and product: RESERVED, COMMITTED (sold) or RELEASED.
CREATE TABLE reservations (
    order_id VARCHAR(64) NOT NULL,
    product_id VARCHAR(36) NOT NULL,
    quantity INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL,
    PRIMARY KEY (order_id, product_id),
    CONSTRAINT reservations_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT reservations_quantity CHECK (quantity > 0)
);
