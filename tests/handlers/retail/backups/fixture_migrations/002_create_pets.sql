CREATE TABLE pets (
    owner_id VARCHAR(36) NOT NULL,
    seq INTEGER NOT NULL,
    name VARCHAR(200) NOT NULL,
    weight DECIMAL(12,2) NOT NULL,
    PRIMARY KEY (owner_id, seq),
    CONSTRAINT pets_owner FOREIGN KEY (owner_id) REFERENCES owners (id)
);
