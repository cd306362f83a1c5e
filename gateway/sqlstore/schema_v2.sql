-- hubkey gateway store, schema version 2: the replay cache of signed
-- calls, shared by every gateway on the store. A row is a hash of a
-- signature's key ID and nonce (never the nonce) and when the signature
-- stops being acceptable anyway; expired rows are pruned.

CREATE TABLE IF NOT EXISTS hubkey_nonces (
    k          {{bytes}} NOT NULL PRIMARY KEY,
    expires_at BIGINT    NOT NULL
);

CREATE INDEX IF NOT EXISTS hubkey_nonces_expiry ON hubkey_nonces (expires_at);
