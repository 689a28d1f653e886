-- Clients, unique by their document id. Sales keep a client's id (no foreign key: a deleted client's sales stay).
CREATE TABLE clients (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    document_id VARCHAR(64) NOT NULL,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(254),
    phone VARCHAR(40),
    created_at VARCHAR(32) NOT NULL,
    updated_at VARCHAR(32) NOT NULL,
    CONSTRAINT clients_document UNIQUE (document_id)
);
