-- candor's PostgreSQL schema, version 1. Applied once, in one transaction,
-- by the first `candor serve --store postgres://...` that finds it missing.
-- Every column is either ciphertext or one of the clear fields the embedded
-- store keeps too (ids, sequence numbers, hashes, entry types, lookup ids).

-- One row per log (one per tenant): its head, locked by every commit
-- (SELECT ... FOR UPDATE), so each log stays one linear chain whichever
-- process commits; and the server's log-signing key, shared by every process.
CREATE TABLE candor_logs (
    log        text PRIMARY KEY,
    head_seq   bigint NOT NULL,
    head_hash  bytea NOT NULL,
    server_key text
);

-- The entries: header in core::log's wire format; blob names the body
-- (NULL once purged).
CREATE TABLE candor_entries (
    log     text NOT NULL REFERENCES candor_logs,
    seq     bigint NOT NULL,
    kind    smallint NOT NULL,
    case_id bytea NOT NULL,
    header  bytea NOT NULL,
    blob    bytea,
    PRIMARY KEY (log, seq)
);
CREATE INDEX candor_entries_case ON candor_entries (log, case_id, seq);

-- Bodies: reports, messages, replies, statuses and attachment chunks.
-- owner: the process still receiving the upload (its advisory lock), NULL
-- once committed.
CREATE TABLE candor_bodies (
    log   text NOT NULL REFERENCES candor_logs,
    blob  bytea NOT NULL,
    body  bytea NOT NULL,
    owner integer,
    PRIMARY KEY (log, blob)
);
-- Ciphertext does not compress: stored out of line without trying.
ALTER TABLE candor_bodies ALTER COLUMN body SET STORAGE EXTERNAL;

-- Receipt look-ups (dropped by a purge).
CREATE TABLE candor_receipts (
    log     text NOT NULL REFERENCES candor_logs,
    lookup  bytea NOT NULL,
    case_id bytea NOT NULL,
    PRIMARY KEY (log, lookup)
);
CREATE INDEX candor_receipts_case ON candor_receipts (log, case_id);

-- Officer operations applied, and outbox bundles imported.
CREATE TABLE candor_ops (
    log text NOT NULL REFERENCES candor_logs,
    op  bytea NOT NULL,
    seq bigint NOT NULL,
    PRIMARY KEY (log, op)
);
CREATE TABLE candor_bundles (
    log    text NOT NULL REFERENCES candor_logs,
    bundle bytea NOT NULL,
    PRIMARY KEY (log, bundle)
);
