-- Every change of stock: ADJUSTMENT (with a reason), SALE or VOID (with the sale id); delta is signed.
CREATE TABLE stock_movements (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    product_id VARCHAR(36) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    delta INTEGER NOT NULL,
    reason VARCHAR(200),
    sale_id VARCHAR(36),
    user_id VARCHAR(64) NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    CONSTRAINT stock_movements_product FOREIGN KEY (product_id) REFERENCES products (id)
);
