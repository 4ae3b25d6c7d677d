-- faas4j store schema, version 1. Runs unchanged on SQLite and PostgreSQL.
-- Names, versions and aliases are DNS labels (at most 63 characters), stored canonical (lower case).

-- One row per function. fn_key is the lower-case name; revision grows by one with every saved change
-- and is the compare-and-set token of optimistic concurrency.
CREATE TABLE faas4j_functions (
  fn_key    VARCHAR(63) NOT NULL PRIMARY KEY,
  name      VARCHAR(63) NOT NULL,
  revision  BIGINT      NOT NULL,
  latest    VARCHAR(63) NOT NULL
);

-- One row per kept version; a version is immutable, so its row is written once. position keeps the
-- order of FunctionState.versions (oldest first). The maps, limits and network policy are JSON text.
-- fingerprint is a SHA-256 of everything else, so a save can tell a kept version from a changed one
-- without reading its code back.
CREATE TABLE faas4j_versions (
  fn_key         VARCHAR(63)  NOT NULL REFERENCES faas4j_functions (fn_key) ON DELETE CASCADE,
  version        VARCHAR(63)  NOT NULL,
  position       INTEGER      NOT NULL,
  spec_name      VARCHAR(63)  NOT NULL,
  runtime        TEXT         NOT NULL,
  code           TEXT,
  image          TEXT,
  env            TEXT         NOT NULL,
  labels         TEXT         NOT NULL,
  options        TEXT         NOT NULL,
  limits         TEXT         NOT NULL,
  network        TEXT,
  created_at     BIGINT       NOT NULL,
  created_nanos  INTEGER      NOT NULL,
  fingerprint    VARCHAR(64)  NOT NULL,
  PRIMARY KEY (fn_key, version)
);

-- One row per alias.
CREATE TABLE faas4j_aliases (
  fn_key   VARCHAR(63) NOT NULL REFERENCES faas4j_functions (fn_key) ON DELETE CASCADE,
  alias    VARCHAR(63) NOT NULL,
  version  VARCHAR(63) NOT NULL,
  PRIMARY KEY (fn_key, alias),
  FOREIGN KEY (fn_key, version) REFERENCES faas4j_versions (fn_key, version)
);

CREATE INDEX faas4j_aliases_by_version ON faas4j_aliases (fn_key, version);
