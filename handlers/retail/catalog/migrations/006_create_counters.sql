-- Named counters (the sale number): incremented with UPDATE inside the sale's transaction, which locks the row, so
-- numbers are unique and gap-free among committed sales.
CREATE TABLE counters (
    name VARCHAR(32) NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
