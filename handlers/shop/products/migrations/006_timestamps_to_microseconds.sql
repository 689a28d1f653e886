-- One timestamp precision in the shop: microseconds, as orders, support and users store them. Values written to the
-- millisecond ('2026-03-10T10:00:00.123+00:00', 29 characters) get three more digits, so every stored value has one
-- width: text compares as time does, and the same moment is the same text whoever wrote it. Data only: one
-- transaction on both engines.
UPDATE products SET
    created_at = CASE WHEN LENGTH(created_at) = 29 THEN REPLACE(created_at, '+00:00', '000+00:00') ELSE created_at END,
    updated_at = CASE WHEN LENGTH(updated_at) = 29 THEN REPLACE(updated_at, '+00:00', '000+00:00') ELSE updated_at END;
UPDATE inventory SET updated_at = REPLACE(updated_at, '+00:00', '000+00:00') WHERE LENGTH(updated_at) = 29;
UPDATE stock_orders SET
    created_at = CASE WHEN LENGTH(created_at) = 29 THEN REPLACE(created_at, '+00:00', '000+00:00') ELSE created_at END,
    updated_at = CASE WHEN LENGTH(updated_at) = 29 THEN REPLACE(updated_at, '+00:00', '000+00:00') ELSE updated_at END;
UPDATE reservations SET
    created_at = CASE WHEN LENGTH(created_at) = 29 THEN REPLACE(created_at, '+00:00', '000+00:00') ELSE created_at END,
    updated_at = CASE WHEN LENGTH(updated_at) = 29 THEN REPLACE(updated_at, '+00:00', '000+00:00') ELSE updated_at END;
