-- faas4j store schema, version 6: the queue of asynchronous invocations. Runs unchanged on SQLite
-- and PostgreSQL (BYTEA is a blob column on both).

-- One row per accepted call. state is queued, delivering, succeeded or failed; a pending row
-- (queued, delivering) is due from not_before on, and is held by the node claimed_by until
-- claimed_until (a lease: a node that died loses it). Times are milliseconds since the epoch by the
-- writing node's clock. headers and response_headers are "name: value" lines.
CREATE TABLE faas4j_calls (
  id                VARCHAR(40)   NOT NULL PRIMARY KEY,
  function          VARCHAR(63)   NOT NULL,
  selector          VARCHAR(63),
  method            VARCHAR(32)   NOT NULL,
  path              TEXT          NOT NULL,
  headers           TEXT          NOT NULL,
  body              BYTEA         NOT NULL,
  callback_url      TEXT,
  state             VARCHAR(16)   NOT NULL,
  attempts          INTEGER       NOT NULL,
  not_before        BIGINT        NOT NULL,
  claimed_by        VARCHAR(200),
  claimed_until     BIGINT,
  created           BIGINT        NOT NULL,
  updated           BIGINT        NOT NULL,
  status            INTEGER       NOT NULL,
  response_headers  TEXT          NOT NULL,
  response_body     BYTEA         NOT NULL,
  detail            TEXT          NOT NULL
);

CREATE INDEX faas4j_calls_due ON faas4j_calls (state, not_before);
