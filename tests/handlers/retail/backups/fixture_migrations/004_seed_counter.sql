INSERT INTO counters (name, value) VALUES ('ticket', 0);
