-- faas4j store schema, version 7: which node ran an asynchronous invocation. Runs unchanged on
-- SQLite and PostgreSQL.

-- The id of the node that ran the function's latest attempt (NULL before any), kept after the
-- claim is released so that GET /api/calls/{id} can name it; claimed_by only says who holds a call now.
ALTER TABLE faas4j_calls ADD COLUMN ran_on VARCHAR(200);
