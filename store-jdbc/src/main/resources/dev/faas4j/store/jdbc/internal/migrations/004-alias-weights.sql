-- faas4j store schema, version 4: weighted aliases. Runs unchanged on SQLite and PostgreSQL.

-- One row per version a weighted alias sends traffic to, with its weight (0 or more; the weights of
-- one alias add up to more than 0). faas4j_aliases keeps the alias's primary version (the one with
-- the largest weight), so that a reader that knows nothing of weights still finds a version. An
-- alias without rows here is not weighted.
CREATE TABLE faas4j_alias_weights (
  fn_key   VARCHAR(63)  NOT NULL,
  alias    VARCHAR(63)  NOT NULL,
  version  VARCHAR(63)  NOT NULL,
  weight   INTEGER      NOT NULL CHECK (weight >= 0),
  PRIMARY KEY (fn_key, alias, version),
  FOREIGN KEY (fn_key, alias) REFERENCES faas4j_aliases (fn_key, alias) ON DELETE CASCADE,
  FOREIGN KEY (fn_key, version) REFERENCES faas4j_versions (fn_key, version)
);
