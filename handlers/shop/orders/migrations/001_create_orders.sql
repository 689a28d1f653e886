-- One row per order. The table is named "orders" (ORDER is a reserved word in SQL). Ids are uuid4 strings made by
-- the service; timestamps are fixed-width ISO 8601 UTC text, so they sort as text; money is DECIMAL(12,2).
-- Only the payment method and a card's last four digits are ever kept: never a card number.
CREATE TABLE orders (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    currency CHAR(3) NOT NULL,
    total DECIMAL(12,2) NOT NULL,
    payment_method VARCHAR(32) NOT NULL,
    card_last4 CHAR(4),
    ship_line1 VARCHAR(200) NOT NULL,
    ship_city VARCHAR(100) NOT NULL,
    ship_postal_code VARCHAR(20),
    ship_country VARCHAR(64) NOT NULL,
    reason VARCHAR(500),
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
