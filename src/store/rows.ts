/**
 * What both backends share: row shapes, the mapping from rows to the store's types, and the
 * small rules (patch columns, limits, error wrapping) that must not drift between dialects.
 */
import type { ChainedFields } from '../core/audit-chain.js';
import { KeyhouseError, type KeyhouseErrorCode } from '../core/errors.js';
import {
  type AuditChainHead,
  type AuditEvent,
  type AuditInput,
  type AuditOutcome,
  type Decision,
  type IpAccessEntry,
  type KeyChange,
  type KeyOwner,
  type KeyRequest,
  type KeyRotation,
  type MessageKind,
  type MessageRef,
  REQUEST_STATES,
  type RequestKind,
  type RequestPatch,
  type RequestState,
  type Retirement,
  type RetirementStage,
  type TimerMark,
  type TimerMarkState,
} from '../core/model.js';

/** Epoch milliseconds (SQLite) or a Date (PostgreSQL `timestamptz`). */
type Timestamp = number | Date;
/** JSON text (SQLite) or an already parsed value (PostgreSQL `jsonb`). */
type Json = unknown;

export interface RequestRow {
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
  /** Added by migration 3. */
  rotation: Json | null;
}

export interface RetirementRow {
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

export interface DecisionRow {
  request_id: string;
  user_id: string;
  decision: string;
  reason: string | null;
  at: Timestamp;
}

export interface KeyOwnerRow {
  key_id: string;
  owner_id: string;
  request_id: string | null;
  key_name: string;
  key_suffix: string;
  created_at: Timestamp;
  role_id: string | null;
  fingerprint?: string | null;
}

export interface AuditRow {
  /** PostgreSQL returns `bigint` as a string. */
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

export interface AuditChainRow {
  legacy_through: number | string;
  head_seq: number | string | null;
  head_hash: string | null;
}

export interface MessageRefRow {
  request_id: string;
  kind: string;
  channel: string;
  ts: string;
}

export interface TimerMarkRow {
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

function toDate(value: Timestamp): Date {
  return value instanceof Date ? value : new Date(value);
}

function toDateOrNull(value: Timestamp | null): Date | null {
  return value === null ? null : toDate(value);
}

function fromJson(value: Json | null): unknown {
  if (value === null) return null;
  return typeof value === 'string' ? JSON.parse(value) : value;
}

// The string-typed columns below are constrained by CHECKs in the schema, so the casts hold.
export function requestFromRow(row: RequestRow): KeyRequest {
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    requesterId: row.requester_id,
    keyName: row.key_name,
    roleId: row.role_id,
    expiry: row.expiry,
    reason: row.reason,
    ipAccessList: fromJson(row.ip_access_list) as IpAccessEntry[],
    approvalsRequired: Number(row.approvals_required),
    state: row.state as RequestState,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    deadline: toDateOrNull(row.deadline),
    decidedAt: toDateOrNull(row.decided_at),
    keyId: row.key_id,
    keySuffix: row.key_suffix,
    attemptId: row.attempt_id,
    attemptStartedAt: toDateOrNull(row.attempt_started_at),
    change: fromJson(row.change) as KeyChange | null,
    rotation: fromJson(row.rotation ?? null) as KeyRotation | null,
  };
}

export function retirementFromRow(row: RetirementRow): Retirement {
  return {
    keyId: row.key_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    ownerId: row.owner_id,
    requestId: row.request_id,
    successorKeyId: row.successor_key_id,
    successorSuffix: row.successor_suffix,
    retireAt: toDate(row.retire_at),
    stage: row.stage as RetirementStage,
    updatedAt: toDate(row.updated_at),
  };
}

export function decisionFromRow(row: DecisionRow): Decision {
  return {
    requestId: row.request_id,
    userId: row.user_id,
    decision: row.decision as Decision['decision'],
    reason: row.reason,
    at: toDate(row.at),
  };
}

export function keyOwnerFromRow(row: KeyOwnerRow): KeyOwner {
  return {
    keyId: row.key_id,
    ownerId: row.owner_id,
    requestId: row.request_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    createdAt: toDate(row.created_at),
    roleId: row.role_id,
    // The fingerprint itself stays in the database: only whether there is one comes out.
    hasFingerprint: row.fingerprint !== null && row.fingerprint !== undefined,
  };
}

/** Owner rows ordered oldest first, one per fingerprint (the first of each): what a batch look-up returns. */
export function oldestPerFingerprint(rows: readonly KeyOwnerRow[]): KeyOwner[] {
  const seen = new Set<string>();
  const owners: KeyOwner[] = [];
  for (const row of rows) {
    const print = row.fingerprint ?? '';
    if (seen.has(print)) continue;
    seen.add(print);
    owners.push(keyOwnerFromRow(row));
  }
  return owners;
}

export function auditFromRow(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    at: toDate(row.at),
    actorId: row.actor_id,
    action: row.action,
    outcome: row.outcome as AuditOutcome,
    requestId: row.request_id,
    keyId: row.key_id,
    keyName: row.key_name,
    keySuffix: row.key_suffix,
    upstreamRequestId: row.upstream_request_id,
    detail: fromJson(row.detail) as Record<string, unknown> | null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function chainHeadFromRow(row: AuditChainRow | undefined): AuditChainHead {
  if (!row) return { legacyThrough: 0, headSeq: null, headHash: null };
  return {
    legacyThrough: Number(row.legacy_through),
    headSeq: row.head_seq === null ? null : Number(row.head_seq),
    headHash: row.head_hash,
  };
}

/** The hashed fields of an event about to be appended after `prevHash` (absent fields as null). */
export function chainFields(event: AuditInput, at: Date, prevHash: string | null): ChainedFields {
  return {
    at,
    actorId: event.actorId,
    action: event.action,
    outcome: event.outcome,
    requestId: event.requestId ?? null,
    keyId: event.keyId ?? null,
    keyName: event.keyName ?? null,
    keySuffix: event.keySuffix ?? null,
    upstreamRequestId: event.upstreamRequestId ?? null,
    detail: event.detail ?? null,
    prevHash,
  };
}

/** `…a1b2`, `...a1b2` or `a1b2` → `a1b2`: what a user may type for a key suffix. */
export function bareSuffix(text: string): string {
  return text.replace(/^(?:…|\.\.\.)/, '');
}

export function messageRefFromRow(row: MessageRefRow): MessageRef {
  return { requestId: row.request_id, kind: row.kind as MessageKind, channel: row.channel, ts: row.ts };
}

export function timerMarkFromRow(row: TimerMarkRow): TimerMark {
  return {
    rule: row.rule,
    subject: row.subject,
    threshold: row.threshold,
    state: row.state as TimerMarkState,
    holder: row.holder,
    attempts: Number(row.attempts),
    dueAt: toDate(row.due_at),
    claimedAt: toDate(row.claimed_at),
    settledAt: toDateOrNull(row.settled_at),
    detail: fromJson(row.detail) as Record<string, unknown> | null,
  };
}

const PATCH_COLUMNS = {
  deadline: 'deadline',
  decidedAt: 'decided_at',
  keyId: 'key_id',
  keySuffix: 'key_suffix',
  attemptId: 'attempt_id',
  attemptStartedAt: 'attempt_started_at',
} as const satisfies Record<keyof RequestPatch, string>;

export type PatchColumn = (typeof PATCH_COLUMNS)[keyof RequestPatch];

/**
 * The columns a transition sets besides state, in a fixed order (so generated SQL repeats and
 * can be cached). A field that is absent or `undefined` is left unchanged; `null` clears it.
 */
export function patchEntries(set: RequestPatch | undefined): Array<[PatchColumn, string | Date | null]> {
  if (!set) return [];
  const entries: Array<[PatchColumn, string | Date | null]> = [];
  for (const field of Object.keys(PATCH_COLUMNS) as Array<keyof RequestPatch>) {
    const value = set[field];
    if (value !== undefined) entries.push([PATCH_COLUMNS[field], value]);
  }
  return entries;
}

/** The request as read, and whether a decision may still be taken on it. */
export type DecisionTarget =
  | { pending: true; request: KeyRequest }
  | { pending: false; request: KeyRequest | null };

/** A decision may be taken on a request that is pending and whose deadline has not come at `at`. */
export function decisionTarget(request: KeyRequest | null, at: Date): DecisionTarget {
  if (request?.state !== 'pending') return { pending: false, request };
  if (request.deadline !== null && request.deadline.getTime() <= at.getTime())
    return { pending: false, request };
  return { pending: true, request };
}

export function fromStates(from: RequestState | readonly RequestState[]): RequestState[] {
  return typeof from === 'string' ? [from] : [...from];
}

/** A `limit` is a count of rows: a non-negative integer, or absent for all of them. */
export function checkLimit(limit: number | undefined): number | undefined {
  if (limit === undefined) return undefined;
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new KeyhouseError('invalid_input', 'limit must be a non-negative integer');
  }
  return limit;
}

/**
 * Wraps a driver error with the operation that failed and the driver's error code. The driver
 * error stays as `cause` for debugging; nothing from the row is copied into the message.
 */
export function storeError(operation: string, cause: unknown, code: KeyhouseErrorCode): KeyhouseError {
  if (cause instanceof KeyhouseError) return cause;
  const driverCode =
    typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string'
      ? ` (${cause.code})`
      : '';
  return new KeyhouseError(code, `store: ${operation} failed${driverCode}`, { cause });
}

/** `GROUP BY state` rows as a count for every state, 0 for those with no row. */
export function countsByState(
  rows: ReadonlyArray<{ state: string; n: number }>,
): Record<RequestState, number> {
  const counts = Object.fromEntries(REQUEST_STATES.map((state) => [state, 0])) as Record<
    RequestState,
    number
  >;
  for (const row of rows) if (row.state in counts) counts[row.state as RequestState] = row.n;
  return counts;
}
