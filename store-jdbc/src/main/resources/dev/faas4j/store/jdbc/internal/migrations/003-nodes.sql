-- faas4j store schema, version 3: the nodes sharing the database. Runs unchanged on SQLite and
-- PostgreSQL.

-- One row per node (application instance) that announced itself. A node rewrites its row every
-- heartbeat; last_seen is the database's time of that write in milliseconds since the epoch, so the
-- nodes' own clocks do not matter. started is the node's start by its own clock. running lists the
-- versions running on the node as name:version separated by commas (both are DNS labels, so
-- neither character can occur in them).
CREATE TABLE faas4j_nodes (
  node_id    VARCHAR(200)  NOT NULL PRIMARY KEY,
  host       VARCHAR(255)  NOT NULL,
  started    BIGINT        NOT NULL,
  last_seen  BIGINT        NOT NULL,
  running    TEXT          NOT NULL
);
