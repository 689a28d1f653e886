-- What a move's customer was told, in order.
CREATE INDEX notifications_by_move ON notifications (move_id, created_at);
