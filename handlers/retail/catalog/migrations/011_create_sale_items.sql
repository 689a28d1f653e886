-- Sales tables (used by the sales service). One line per product of a sale, priced when sold.
CREATE TABLE sale_items (
    sale_id VARCHAR(36) NOT NULL,
    product_id VARCHAR(36) NOT NULL,
    sku VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price DECIMAL(12,2) NOT NULL,
    line_total DECIMAL(12,2) NOT NULL,
    PRIMARY KEY (sale_id, product_id),
    CONSTRAINT sale_items_sale FOREIGN KEY (sale_id) REFERENCES sales (id),
    CONSTRAINT sale_items_product FOREIGN KEY (product_id) REFERENCES products (id),
    CONSTRAINT sale_items_quantity CHECK (quantity > 0)
);
