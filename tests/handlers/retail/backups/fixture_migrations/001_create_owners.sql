CREATE TABLE owners (
    id VARCHAR(36) NOT NULL PRIMARY KEY,
    name VARCHAR(200) NOT NULL,
    note TEXT,
    balance DECIMAL(12,2),
    photo BLOB,
    born DATE
);
