-- One timestamp precision in the moving company: microseconds, as moves, tracking and notifications store them.
-- Values written to the millisecond ('2026-03-10T10:00:00.123+00:00', 29 characters) get three more digits, so the
-- same moment is the same text whichever service wrote it. Data only: one transaction on both engines.
UPDATE trucks SET created_at = REPLACE(created_at, '+00:00', '000+00:00') WHERE LENGTH(created_at) = 29;
UPDATE moves SET
    registered_at = CASE WHEN LENGTH(registered_at) = 29 THEN REPLACE(registered_at, '+00:00', '000+00:00')
                         ELSE registered_at END,
    updated_at = CASE WHEN LENGTH(updated_at) = 29 THEN REPLACE(updated_at, '+00:00', '000+00:00') ELSE updated_at END;
UPDATE bookings SET booked_at = REPLACE(booked_at, '+00:00', '000+00:00') WHERE LENGTH(booked_at) = 29;
