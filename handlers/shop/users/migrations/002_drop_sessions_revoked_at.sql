-- A sign-out is now recorded in the shop's sessions table, which every service reads (handlers/shared/sessions.py),
-- so the profile no longer keeps its own copy.
ALTER TABLE profiles DROP COLUMN sessions_revoked_at;
