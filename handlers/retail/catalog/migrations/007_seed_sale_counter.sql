-- Sales tables (owned by catalog's migrations; used by the sales service). The first sale is S-000001.
INSERT INTO counters (name, value) VALUES ('sale', 0);
