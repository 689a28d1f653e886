-- What was decided for each order, once: RESERVED, REJECTED, COMMITTED or RELEASED. A cancellation that arrives
-- before its OrderPlaced leaves a RELEASED row, so the late OrderPlaced reserves nothing.
CREATE TABLE stock_orders (
    order_id VARCHAR(64) NOT NULL PRIMARY KEY,
    state VARCHAR(16) NOT NULL,
    reason TEXT,
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
