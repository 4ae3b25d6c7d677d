-- faas4j store schema, version 5: the secrets of functions. Runs unchanged on SQLite and
-- PostgreSQL. (4 is taken by another change developed at the same time; numbers may leave gaps.)

-- One row per secret. function is the function's key (lower-case name), name the secret's name
-- (an env var name). sealed is the value encrypted by faas-core (AES-256-GCM, "v1:" then base64):
-- the database never holds a secret in clear text. Secrets belong to the function's name, not to a
-- function row: they may be set before the first deploy and outlive a delete.
CREATE TABLE faas4j_secrets (
  function   VARCHAR(63)   NOT NULL,
  name       VARCHAR(128)  NOT NULL,
  sealed     TEXT          NOT NULL,
  updated    BIGINT        NOT NULL,
  PRIMARY KEY (function, name)
);
