/**
 * Versioned schema migrations, one list per SQL dialect for the same logical schema. Each runs
 * once, in order, recorded in `schema_migrations`; never edit a released entry, append a new one.
 *
 * Timestamps are epoch milliseconds in SQLite and `timestamptz` in PostgreSQL; JSON is text in
 * SQLite and `jsonb` in PostgreSQL. `audit_events` is append-only in both: triggers reject every
 * UPDATE and DELETE, so not even a bug in Keyhouse can rewrite history (product.md §4).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const STATES = "('pending', 'approved', 'creating', 'delivered', 'denied', 'expired')";

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE requests (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('create', 'change')),
  requester_id TEXT NOT NULL,
  key_name TEXT NOT NULL,
  role_id TEXT NOT NULL,
  expiry TEXT NOT NULL,
  reason TEXT NOT NULL,
  ip_access_list TEXT NOT NULL CHECK (json_valid(ip_access_list)),
  approvals_required INTEGER NOT NULL CHECK (approvals_required >= 0),
  state TEXT NOT NULL CHECK (state IN ${STATES}),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deadline INTEGER,
  decided_at INTEGER,
  key_id TEXT,
  key_suffix TEXT,
  attempt_id TEXT,
  attempt_started_at INTEGER,
  change TEXT CHECK (change IS NULL OR json_valid(change))
) STRICT;
CREATE INDEX requests_state_deadline ON requests (state, deadline);
CREATE INDEX requests_requester ON requests (requester_id);

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL REFERENCES requests (id),
  user_id TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('approve', 'deny')),
  reason TEXT,
  at INTEGER NOT NULL,
  UNIQUE (request_id, user_id, decision)
) STRICT;

CREATE TABLE key_owners (
  key_id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL,
  request_id TEXT,
  key_name TEXT NOT NULL,
  key_suffix TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX key_owners_owner ON key_owners (owner_id);

CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('attempt', 'ok', 'failed', 'refused')),
  request_id TEXT,
  key_id TEXT,
  key_name TEXT,
  key_suffix TEXT,
  upstream_request_id TEXT,
  detail TEXT CHECK (detail IS NULL OR json_valid(detail))
) STRICT;
CREATE INDEX audit_events_request ON audit_events (request_id);
CREATE INDEX audit_events_key ON audit_events (key_id);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TABLE message_refs (
  request_id TEXT NOT NULL REFERENCES requests (id),
  kind TEXT NOT NULL CHECK (kind IN ('approval', 'dm')),
  channel TEXT NOT NULL,
  ts TEXT NOT NULL,
  PRIMARY KEY (request_id, kind)
) STRICT;

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 2,
    name: 'security watch: audit hash chain, key fingerprints, drift cursor',
    sql: `
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE INDEX audit_events_actor ON audit_events (actor_id);
-- The chain's head: appends read and move it inside their write transaction, so they form one
-- chain however many writers there are. Events written before this migration stay unhashed
-- (legacy_through); the chain starts with the first event after it.
CREATE TABLE audit_chain (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  legacy_through INTEGER NOT NULL,
  head_seq INTEGER,
  head_hash TEXT
) STRICT;
INSERT INTO audit_chain (id, legacy_through) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events;

-- SHA-256 (base64) of a key's secret, computed in memory at creation; never the secret itself.
ALTER TABLE key_owners ADD COLUMN fingerprint TEXT;
CREATE INDEX key_owners_fingerprint ON key_owners (fingerprint);

-- Small named values the watch keeps across restarts (the activities cursor).
CREATE TABLE watch_state (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- One row per ClickHouse activity already reported, so no replica reports it twice.
CREATE TABLE watch_seen (
  activity_id TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: 'lifecycle flows: rotations and retirements',
    sql: `
ALTER TABLE requests ADD COLUMN rotation TEXT CHECK (rotation IS NULL OR json_valid(rotation));

CREATE TABLE retirements (
  key_id TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  key_suffix TEXT NOT NULL,
  owner_id TEXT,
  request_id TEXT NOT NULL REFERENCES requests (id),
  successor_key_id TEXT NOT NULL,
  successor_suffix TEXT NOT NULL,
  retire_at INTEGER NOT NULL,
  stage TEXT NOT NULL CHECK (stage IN ('retiring', 'disabled', 'deleted')),
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX retirements_stage_due ON retirements (stage, retire_at);
`,
  },
  {
    version: 4,
    name: 'key owners remember the policy role the key was approved under',
    sql: `
ALTER TABLE key_owners ADD COLUMN role_id TEXT;
-- Existing keys: the role of the last applied change to the key, else of the request that made it.
UPDATE key_owners SET role_id = COALESCE(
  (SELECT c.role_id FROM requests c
    WHERE c.kind = 'change' AND c.key_id = key_owners.key_id AND c.state = 'delivered'
    ORDER BY c.updated_at DESC LIMIT 1),
  (SELECT r.role_id FROM requests r WHERE r.id = key_owners.request_id));
`,
  },
  {
    version: 5,
    name: 'lifecycle timers',
    sql: `
CREATE TABLE timer_marks (
  rule TEXT NOT NULL,
  subject TEXT NOT NULL,
  threshold TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('claimed', 'done', 'failed')),
  holder TEXT NOT NULL,
  attempts INTEGER NOT NULL CHECK (attempts >= 1),
  due_at INTEGER NOT NULL,
  claimed_at INTEGER NOT NULL,
  settled_at INTEGER,
  detail TEXT CHECK (detail IS NULL OR json_valid(detail)),
  PRIMARY KEY (rule, subject, threshold)
) STRICT;
CREATE INDEX timer_marks_subject ON timer_marks (subject);
`,
  },
];

export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE requests (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('create', 'change')),
  requester_id text NOT NULL,
  key_name text NOT NULL,
  role_id text NOT NULL,
  expiry text NOT NULL,
  reason text NOT NULL,
  ip_access_list jsonb NOT NULL,
  approvals_required integer NOT NULL CHECK (approvals_required >= 0),
  state text NOT NULL CHECK (state IN ${STATES}),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deadline timestamptz,
  decided_at timestamptz,
  key_id text,
  key_suffix text,
  attempt_id text,
  attempt_started_at timestamptz,
  change jsonb
);
CREATE INDEX requests_state_deadline ON requests (state, deadline);
CREATE INDEX requests_requester ON requests (requester_id);

CREATE TABLE decisions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id text NOT NULL REFERENCES requests (id),
  user_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approve', 'deny')),
  reason text,
  at timestamptz NOT NULL,
  UNIQUE (request_id, user_id, decision)
);

CREATE TABLE key_owners (
  key_id text PRIMARY KEY,
  owner_id text NOT NULL,
  request_id text,
  key_name text NOT NULL,
  key_suffix text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX key_owners_owner ON key_owners (owner_id);

CREATE TABLE audit_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id text NOT NULL,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('attempt', 'ok', 'failed', 'refused')),
  request_id text,
  key_id text,
  key_name text,
  key_suffix text,
  upstream_request_id text,
  detail jsonb
);
CREATE INDEX audit_events_request ON audit_events (request_id);
CREATE INDEX audit_events_key ON audit_events (key_id);
CREATE FUNCTION keyhouse_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END
$$;
-- Statement-level, so even a DELETE or UPDATE that matches no row is refused, and TRUNCATE too.
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION keyhouse_audit_append_only();

CREATE TABLE message_refs (
  request_id text NOT NULL REFERENCES requests (id),
  kind text NOT NULL CHECK (kind IN ('approval', 'dm')),
  channel text NOT NULL,
  ts text NOT NULL,
  PRIMARY KEY (request_id, kind)
);

CREATE TABLE leases (
  name text PRIMARY KEY,
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'security watch: audit hash chain, key fingerprints, drift cursor',
    sql: `
ALTER TABLE audit_events ADD COLUMN prev_hash text;
ALTER TABLE audit_events ADD COLUMN hash text;
CREATE INDEX audit_events_actor ON audit_events (actor_id);
-- The chain's head, locked (SELECT … FOR UPDATE) by every append until it commits, so replicas
-- appending at once still form one chain. Events from before this migration stay unhashed.
CREATE TABLE audit_chain (
  id integer PRIMARY KEY CHECK (id = 1),
  legacy_through bigint NOT NULL,
  head_seq bigint,
  head_hash text
);
INSERT INTO audit_chain (id, legacy_through) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_events;

ALTER TABLE key_owners ADD COLUMN fingerprint text;
CREATE INDEX key_owners_fingerprint ON key_owners (fingerprint);

CREATE TABLE watch_state (
  name text PRIMARY KEY,
  value text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE watch_seen (
  activity_id text PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'lifecycle flows: rotations and retirements',
    sql: `
ALTER TABLE requests ADD COLUMN rotation jsonb;

CREATE TABLE retirements (
  key_id text PRIMARY KEY,
  key_name text NOT NULL,
  key_suffix text NOT NULL,
  owner_id text,
  request_id text NOT NULL REFERENCES requests (id),
  successor_key_id text NOT NULL,
  successor_suffix text NOT NULL,
  retire_at timestamptz NOT NULL,
  stage text NOT NULL CHECK (stage IN ('retiring', 'disabled', 'deleted')),
  updated_at timestamptz NOT NULL
);
CREATE INDEX retirements_stage_due ON retirements (stage, retire_at);
`,
  },
  {
    version: 4,
    name: 'key owners remember the policy role the key was approved under',
    sql: `
ALTER TABLE key_owners ADD COLUMN role_id text;
-- Existing keys: the role of the last applied change to the key, else of the request that made it.
UPDATE key_owners SET role_id = COALESCE(
  (SELECT c.role_id FROM requests c
    WHERE c.kind = 'change' AND c.key_id = key_owners.key_id AND c.state = 'delivered'
    ORDER BY c.updated_at DESC LIMIT 1),
  (SELECT r.role_id FROM requests r WHERE r.id = key_owners.request_id));
`,
  },
  {
    version: 5,
    name: 'lifecycle timers',
    sql: `
CREATE TABLE timer_marks (
  rule text NOT NULL,
  subject text NOT NULL,
  threshold text NOT NULL,
  state text NOT NULL CHECK (state IN ('claimed', 'done', 'failed')),
  holder text NOT NULL,
  attempts integer NOT NULL CHECK (attempts >= 1),
  due_at timestamptz NOT NULL,
  claimed_at timestamptz NOT NULL,
  settled_at timestamptz,
  detail jsonb,
  PRIMARY KEY (rule, subject, threshold)
);
CREATE INDEX timer_marks_subject ON timer_marks (subject);
`,
  },
];
