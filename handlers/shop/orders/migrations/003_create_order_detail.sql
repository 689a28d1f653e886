-- The lines of an order, priced from the catalog copy when it was placed (name and price as they were then).
CREATE TABLE order_detail (
    order_id VARCHAR(36) NOT NULL,
    line_no INTEGER NOT NULL,
    product_id VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price DECIMAL(12,2) NOT NULL,
    line_total DECIMAL(12,2) NOT NULL,
    PRIMARY KEY (order_id, line_no),
    FOREIGN KEY (order_id) REFERENCES orders (id)
);
