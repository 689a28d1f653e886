-- The payment of a CONFIRMED order, written when stock was reserved: the method and a card's last four digits.
CREATE TABLE order_payment_detail (
    order_id VARCHAR(36) NOT NULL PRIMARY KEY,
    method VARCHAR(32) NOT NULL,
    card_last4 CHAR(4),
    amount DECIMAL(12,2) NOT NULL,
    recorded_at VARCHAR(32) NOT NULL,
    FOREIGN KEY (order_id) REFERENCES orders (id)
);
