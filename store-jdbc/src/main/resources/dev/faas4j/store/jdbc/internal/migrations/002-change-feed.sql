-- faas4j store schema, version 2: the change feed. Runs unchanged on SQLite and PostgreSQL.

-- The feed's head, one row. revision is the store-wide revision of the last recorded change; a
-- writer raises it in the same transaction as the change, and that row lock (PostgreSQL) or the
-- database write lock (SQLite) is held to commit, so revisions are handed out in commit order.
-- pruned_through is the highest revision whose change was deleted to bound the table.
CREATE TABLE faas4j_feed (
  id              INTEGER  NOT NULL PRIMARY KEY CHECK (id = 1),
  revision        BIGINT   NOT NULL,
  pruned_through  BIGINT   NOT NULL
);

INSERT INTO faas4j_feed (id, revision, pruned_through) VALUES (1, 0, 0);

-- One row per recent change, written in the transaction of the state it records. kind is the name
-- of a dev.faas4j.api.Change.Kind; at is milliseconds since the epoch by the writer's clock.
CREATE TABLE faas4j_changes (
  revision  BIGINT       NOT NULL PRIMARY KEY,
  fn_key    VARCHAR(63)  NOT NULL,
  kind      VARCHAR(40)  NOT NULL,
  version   VARCHAR(63),
  alias     VARCHAR(63),
  at        BIGINT       NOT NULL
);
