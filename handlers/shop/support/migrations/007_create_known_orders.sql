-- Who placed each order, from the orders service's OrderPlaced events (the ``orders`` subscription): a customer's
-- ticket may name only one of their own orders.
CREATE TABLE known_orders (
    order_id VARCHAR(64) NOT NULL PRIMARY KEY,
    customer_id VARCHAR(64) NOT NULL,
    placed_at VARCHAR(32) NOT NULL
);
