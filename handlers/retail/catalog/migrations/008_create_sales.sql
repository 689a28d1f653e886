-- Sales (used by the sales service; the schema lives here). Money in DECIMAL(12,2); status COMPLETED or VOIDED.
CREATE TABLE sales (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    number VARCHAR(16) NOT NULL,
    client_id VARCHAR(36),
    seller_id VARCHAR(64) NOT NULL,
    payment_method VARCHAR(16) NOT NULL,
    subtotal DECIMAL(12,2) NOT NULL,
    tax_rate VARCHAR(16) NOT NULL,
    tax DECIMAL(12,2) NOT NULL,
    total DECIMAL(12,2) NOT NULL,
    status VARCHAR(16) NOT NULL,
    created_at VARCHAR(32) NOT NULL,
    voided_at VARCHAR(32),
    voided_by VARCHAR(64),
    CONSTRAINT sales_number UNIQUE (number)
);
