/**
 * Rows as the model's records, and back: one mapping for both dialects, given how the dialect
 * holds a timestamp and JSON. Columns constrained by a CHECK in the schema are cast to their types.
 */

import type { Selectable } from 'kysely';
import {
  type AuditChainHead,
  type AuditEvent,
  type AuditOutcome,
  type Decision,
  type IpAccessEntry,
  type KeyChange,
  type KeyOwner,
  type KeyRequest,
  type KeyRotation,
  type LeakMark,
  type LeakSource,
  type MessageKind,
  type MessageRef,
  type PersonRecord,
  REQUEST_STATES,
  type RequestKind,
  type RequestPatch,
  type RequestState,
  type Retirement,
  type RetirementStage,
  type ServiceRoleRecord,
  type ServiceRoleState,
  type TimerMark,
  type TimerMarkState,
} from '../core/model.js';
import type { ServiceAccess } from '../core/service-access.js';
import type { ChosenService } from '../core/service-scope.js';
import type { StoreDialect } from './dialect.js';
import type {
  AuditChainTable,
  AuditEventsTable,
  DecisionsTable,
  KeyOwnersTable,
  MessageRefsTable,
  PeopleTable,
  RequestsTable,
  RetirementsTable,
  ServiceRolesTable,
  TimerMarksTable,
  Timestamp,
} from './schema.js';

/** A row as selected: generated columns are plain values. */
type Row<T> = Selectable<T>;

/** How one dialect holds the values the records need. */
export type Codec = Pick<StoreDialect, 'date' | 'readJson'>;

function dateOrNull(codec: Codec, value: Timestamp | null): Date | null {
  return value === null ? null : codec.date(value);
}

export function requestFromRow(codec: Codec, row: Row<RequestsTable>): KeyRequest {
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    requesterId: row.requester_id,
    keyName: row.key_name,
    roleId: row.role_id,
    expiry: row.expiry,
    reason: row.reason,
    ipAccessList: codec.readJson(row.ip_access_list) as IpAccessEntry[],
    approvalsRequired: Number(row.approvals_required),
    state: row.state as RequestState,
    createdAt: codec.date(row.created_at),
    updatedAt: codec.date(row.updated_at),
    deadline: dateOrNull(codec, row.deadline),
    decidedAt: dateOrNull(codec, row.decided_at),
    keyId: row.key_id,
    keySuffix: row.key_suffix,
    attemptId: row.attempt_id,
    attemptStartedAt: dateOrNull(codec, row.attempt_started_at),
    change: (row.change === null ? null : codec.readJson(row.change)) as KeyChange | null,
    rotation: (row.rotation === null ? null : codec.readJson(row.rotation)) as KeyRotation | null,
    services: servicesFromJson(codec, row.services),
  };
}

function servicesFromJson(codec: Codec, value: unknown): ChosenService[] | null {
  return value === null || value === undefined ? null : (codec.readJson(value) as ChosenService[]);
}

export function serviceRoleFromRow(codec: Codec, row: Row<ServiceRolesTable>): ServiceRoleRecord {
  return {
    name: row.name,
    policyRoleId: row.policy_role_id,
    access: row.access as ServiceAccess,
    serviceIds: codec.readJson(row.service_ids) as string[],
    clickhouseRoleId: row.clickhouse_role_id,
    state: row.state as ServiceRoleState,
    holder: row.holder,
    unusedSince: dateOrNull(codec, row.unused_since),
    updatedAt: codec.date(row.updated_at),
  };
}

export function decisionFromRow(codec: Codec, row: Row<DecisionsTable>): Decision {
  return {
    requestId: row.request_id,
    userId: row.user_id,
    decision: row.decision as Decision['decision'],
    reason: row.reason,
    at: codec.date(row.at),
  };
}

function leakFromRow(codec: Codec, row: Row<KeyOwnersTable>): LeakMark | null {
  if (row.leak_at === null || row.leak_source === null) return null;
  return { at: codec.date(row.leak_at), source: row.leak_source as LeakSource };
}

export function keyOwnerFromRow(codec: Codec, row: Row<KeyOwnersTable>): KeyOwner {
  return {
    keyId: row.key_id,
    ownerId: row.owner_id,
    requestId: row.request_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    createdAt: codec.date(row.created_at),
    roleId: row.role_id,
    // The fingerprint itself stays in the database: only whether there is one comes out.
    hasFingerprint: row.fingerprint !== null,
    approvedUntil: Number(row.approved_forever) === 1 ? 'never' : dateOrNull(codec, row.approved_until),
    leak: leakFromRow(codec, row),
    // Only keys of roles scoped to services carry it.
    ...(row.services === null ? {} : { services: servicesFromJson(codec, row.services) }),
  };
}

/** The two columns that hold an approved envelope: its end, or `never`, or unknown (both empty). */
export function approvedColumns(
  codec: Pick<StoreDialect, 'time'>,
  approvedUntil: Date | 'never' | null,
): { approved_until: Timestamp | null; approved_forever: number } {
  if (approvedUntil === 'never') return { approved_until: null, approved_forever: 1 };
  return { approved_until: approvedUntil === null ? null : codec.time(approvedUntil), approved_forever: 0 };
}

export function auditFromRow(codec: Codec, row: Row<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    at: codec.date(row.at),
    actorId: row.actor_id,
    action: row.action,
    outcome: row.outcome as AuditOutcome,
    requestId: row.request_id,
    keyId: row.key_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    upstreamRequestId: row.upstream_request_id,
    detail: (row.detail === null ? null : codec.readJson(row.detail)) as Record<string, unknown> | null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function chainHeadFromRow(row: Row<AuditChainTable> | undefined): AuditChainHead {
  if (!row) return { headSeq: null, headHash: null };
  return { headSeq: row.head_seq === null ? null : Number(row.head_seq), headHash: row.head_hash };
}

export function messageRefFromRow(row: Row<MessageRefsTable>): MessageRef {
  return { requestId: row.request_id, kind: row.kind as MessageKind, channel: row.channel, ts: row.ts };
}

export function retirementFromRow(codec: Codec, row: Row<RetirementsTable>): Retirement {
  return {
    keyId: row.key_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    ownerId: row.owner_id,
    requestId: row.request_id,
    successorKeyId: row.successor_key_id,
    successorSuffix: row.successor_suffix,
    retireAt: codec.date(row.retire_at),
    stage: row.stage as RetirementStage,
    updatedAt: codec.date(row.updated_at),
  };
}

export function timerMarkFromRow(codec: Codec, row: Row<TimerMarksTable>): TimerMark {
  return {
    rule: row.rule,
    subject: row.subject,
    threshold: row.threshold,
    state: row.state as TimerMarkState,
    holder: row.holder,
    attempts: Number(row.attempts),
    dueAt: codec.date(row.due_at),
    claimedAt: codec.date(row.claimed_at),
    settledAt: dateOrNull(codec, row.settled_at),
    detail: (row.detail === null ? null : codec.readJson(row.detail)) as Record<string, unknown> | null,
  };
}

export function personFromRow(codec: Codec, row: Row<PeopleTable>): PersonRecord {
  return {
    userId: row.user_id,
    status: row.status as PersonRecord['status'],
    changedAt: codec.date(row.changed_at),
    deactivations: Number(row.deactivations),
  };
}

const PATCH_COLUMNS = {
  deadline: 'deadline',
  decidedAt: 'decided_at',
  keyId: 'key_id',
  keySuffix: 'key_suffix',
  attemptId: 'attempt_id',
  attemptStartedAt: 'attempt_started_at',
} as const satisfies Record<keyof RequestPatch, keyof RequestsTable>;

/**
 * The columns a transition sets besides state. A field that is absent or `undefined` is left
 * unchanged; `null` clears it.
 */
export function patchColumns(
  codec: Pick<StoreDialect, 'time'>,
  set: RequestPatch | undefined,
): Partial<Pick<RequestsTable, (typeof PATCH_COLUMNS)[keyof RequestPatch]>> {
  const columns: Record<string, string | Timestamp | null> = {};
  if (!set) return columns;
  for (const field of Object.keys(PATCH_COLUMNS) as Array<keyof RequestPatch>) {
    const value = set[field];
    if (value === undefined) continue;
    columns[PATCH_COLUMNS[field]] = value instanceof Date ? codec.time(value) : value;
  }
  return columns;
}

/** `GROUP BY state` rows as a count for every state, 0 for those with no row. */
export function countsByState(
  rows: ReadonlyArray<{ state: string; n: number | string | bigint }>,
): Record<RequestState, number> {
  const counts = Object.fromEntries(REQUEST_STATES.map((state) => [state, 0])) as Record<
    RequestState,
    number
  >;
  for (const row of rows) if (row.state in counts) counts[row.state as RequestState] = Number(row.n);
  return counts;
}
