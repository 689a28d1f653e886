-- A ticket's comments, oldest first (GET /tickets/{id}).
CREATE INDEX comments_by_ticket ON comments (ticket_id, created_at, id);
