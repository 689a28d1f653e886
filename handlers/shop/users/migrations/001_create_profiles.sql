-- One row per user: the profile the shop keeps beside Cognito's account. The id is the user's Cognito ``sub``.
-- sessions_revoked_at is the last sign-out (timestamps are fixed-width ISO 8601 UTC text, so they sort as text):
-- id tokens issued before it are refused by this service.
CREATE TABLE profiles (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    email VARCHAR(254) NOT NULL,
    name VARCHAR(200) NOT NULL,
    phone VARCHAR(32),
    address VARCHAR(500),
    sessions_revoked_at VARCHAR(32),
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL
);
