/**
 * The tables as Kysely sees them, for both dialects. A timestamp is epoch milliseconds in SQLite
 * and a `timestamptz` (a Date) in PostgreSQL; JSON is text in SQLite and `jsonb` (parsed) in
 * PostgreSQL: the dialect (dialect.ts) encodes and decodes them, so the queries never look.
 */
import type { Generated } from 'kysely';

/** Epoch milliseconds (SQLite) or a Date (PostgreSQL). */
export type Timestamp = number | Date;
/** JSON text going in; text (SQLite) or a parsed value (PostgreSQL) coming out. */
export type Json = unknown;

export interface RequestsTable {
  id: string;
  kind: string;
  requester_id: string;
  key_name: string;
  role_id: string;
  expiry: string;
  reason: string;
  ip_access_list: Json;
  approvals_required: number;
  state: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deadline: Timestamp | null;
  decided_at: Timestamp | null;
  key_id: string | null;
  key_suffix: string | null;
  attempt_id: string | null;
  attempt_started_at: Timestamp | null;
  change: Json | null;
  rotation: Json | null;
  services: Json | null;
}

export interface DecisionsTable {
  id: Generated<number>;
  request_id: string;
  user_id: string;
  decision: string;
  reason: string | null;
  at: Timestamp;
}

export interface KeyOwnersTable {
  key_id: string;
  owner_id: string;
  request_id: string | null;
  key_name: string;
  key_suffix: string;
  created_at: Timestamp;
  role_id: string | null;
  fingerprint: string | null;
  /** The approved envelope's end; null with `approved_forever` 1 (never) or 0 (unknown). */
  approved_until: Timestamp | null;
  approved_forever: Generated<number>;
  leak_at: Timestamp | null;
  leak_source: string | null;
  services: Json | null;
}

export interface ServiceRolesTable {
  name: string;
  policy_role_id: string;
  access: string;
  service_ids: Json;
  clickhouse_role_id: string | null;
  state: string;
  holder: string;
  unused_since: Timestamp | null;
  updated_at: Timestamp;
}

export interface AuditEventsTable {
  /** The event's place in the chain, assigned under the chain's lock (head + 1). */
  seq: number | string;
  at: Timestamp;
  actor_id: string;
  action: string;
  outcome: string;
  request_id: string | null;
  key_id: string | null;
  key_name: string | null;
  key_suffix: string | null;
  upstream_request_id: string | null;
  detail: Json | null;
  prev_hash: string | null;
  hash: string | null;
}

export interface AuditChainTable {
  id: number;
  /** PostgreSQL returns `bigint` as a string. */
  head_seq: number | string | null;
  head_hash: string | null;
}

export interface MessageRefsTable {
  request_id: string;
  kind: string;
  channel: string;
  ts: string;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: Timestamp;
}

export interface WatchStateTable {
  name: string;
  value: string;
  updated_at: Timestamp;
}

export interface WatchSeenTable {
  activity_id: string;
  seen_at: Timestamp;
}

export interface RetirementsTable {
  key_id: string;
  key_name: string;
  key_suffix: string;
  owner_id: string | null;
  request_id: string;
  successor_key_id: string;
  successor_suffix: string;
  retire_at: Timestamp;
  stage: string;
  updated_at: Timestamp;
}

export interface TimerMarksTable {
  rule: string;
  subject: string;
  threshold: string;
  state: string;
  holder: string;
  attempts: number;
  due_at: Timestamp;
  claimed_at: Timestamp;
  settled_at: Timestamp | null;
  detail: Json | null;
}

export interface PeopleTable {
  user_id: string;
  status: string;
  changed_at: Timestamp;
  deactivations: number;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: Timestamp;
}

export interface Tables {
  requests: RequestsTable;
  decisions: DecisionsTable;
  key_owners: KeyOwnersTable;
  audit_events: AuditEventsTable;
  audit_chain: AuditChainTable;
  message_refs: MessageRefsTable;
  leases: LeasesTable;
  watch_state: WatchStateTable;
  watch_seen: WatchSeenTable;
  retirements: RetirementsTable;
  timer_marks: TimerMarksTable;
  people: PeopleTable;
  service_roles: ServiceRolesTable;
  schema_migrations: SchemaMigrationsTable;
}
