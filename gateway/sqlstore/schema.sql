-- hubkey gateway store, schema version 1.
--
-- One schema for SQLite and PostgreSQL. The only differences are the two
-- placeholders the store replaces before running it:
--   {{bytes}}   BLOB on SQLite, BYTEA on PostgreSQL
--   {{serial}}  an increasing integer primary key: INTEGER PRIMARY KEY
--               AUTOINCREMENT on SQLite, BIGINT GENERATED ALWAYS AS IDENTITY
--               PRIMARY KEY on PostgreSQL
--
-- Times are microseconds since the Unix epoch, UTC (the zero time.Time is
-- -62135596800000000); durations are nanoseconds. Integers keep times exact
-- and identical on both databases, and make the usage buckets one integer
-- division on both. Lists are JSON text.

CREATE TABLE IF NOT EXISTS hubkey_keys (
    id                      TEXT    NOT NULL PRIMARY KEY,
    name                    TEXT    NOT NULL,
    token_hash              {{bytes}} NOT NULL UNIQUE,
    fingerprint             TEXT    NOT NULL,
    scopes                  TEXT    NOT NULL, -- JSON array of strings, or null
    status                  TEXT    NOT NULL, -- active, suspended, revoked
    created_at              BIGINT  NOT NULL,
    expires_at              BIGINT  NOT NULL,
    allowed_ips             TEXT    NOT NULL, -- JSON array of prefixes, or null
    require_signature       BOOLEAN NOT NULL,
    limit_max               BIGINT  NOT NULL,
    limit_interval          BIGINT  NOT NULL, -- nanoseconds
    limit_search_per_second BIGINT  NOT NULL,
    limit_daily             BIGINT  NOT NULL,
    lineage                 TEXT    NOT NULL,
    rotated_to              TEXT    NOT NULL,
    token_prefix            TEXT    NOT NULL,
    service                 TEXT    NOT NULL,
    sealed_signing_key      {{bytes}},        -- NULL: none
    updated_at              BIGINT  NOT NULL
);

CREATE INDEX IF NOT EXISTS hubkey_keys_created ON hubkey_keys (created_at, id);

-- One row per key written, in commit order: how watchers in other processes
-- sharing a SQLite file learn of changes. Old rows are pruned.
CREATE TABLE IF NOT EXISTS hubkey_key_changes (
    seq    {{serial}},
    key_id TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS hubkey_calls (
    seq         {{serial}},
    called_at   BIGINT  NOT NULL,
    key_id      TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    service     TEXT    NOT NULL,
    operation   TEXT    NOT NULL,
    method      TEXT    NOT NULL,
    route       TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    denial      TEXT    NOT NULL,
    latency     BIGINT  NOT NULL, -- nanoseconds
    bytes_in    BIGINT  NOT NULL,
    bytes_out   BIGINT  NOT NULL,
    client_ip   TEXT    NOT NULL,
    signature   TEXT    NOT NULL,
    upstream    TEXT    NOT NULL
);

CREATE INDEX IF NOT EXISTS hubkey_calls_time ON hubkey_calls (called_at, seq);
CREATE INDEX IF NOT EXISTS hubkey_calls_key_time ON hubkey_calls (key_id, called_at);
