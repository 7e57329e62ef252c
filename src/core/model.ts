/**
 * The store: everything Keyhouse must remember, behind one narrow interface that SQLite and
 * PostgreSQL both implement and one contract suite (test/store/contract.ts) checks.
 *
 * Every state change of a request is a compare-and-set: it names the states it may start from
 * and succeeds for exactly one caller, so two clicks, two approvers or two replicas can never
 * both win (product.md §2). Nothing here ever holds a key secret.
 */

import type { IpAccessEntry } from './clickhouse.js';
import type { ServiceAccess } from './service-access.js';
import type { ChosenService } from './service-scope.js';

export const REQUEST_STATES = ['pending', 'approved', 'creating', 'delivered', 'denied', 'expired'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

/** `create` asks for a new key; `change` asks for a longer expiry or another role on an existing key. */
export type RequestKind = 'create' | 'change';

export type { IpAccessEntry };

/** What a `change` request changes, old → new, so the approval message can show both. */
export interface KeyChange {
  keyId: string;
  keySuffix: string;
  from: { roleId: string | null; expireAt: string | null };
  to: { roleId: string; expiry: string };
}

/**
 * A rotation: the request makes the successor of `keyId` (same name, role and IP list); the old
 * key retires `overlapMs` after the successor's secret was delivered (product.md §8).
 */
export interface KeyRotation {
  keyId: string;
  keySuffix: string;
  overlapMs: number;
  /**
   * The latest end the successor may have, as an ISO instant or `never`: the old key's approved
   * envelope, set when the rotation needs no approval because it stays within it (or keeps the
   * old key's end). The successor inherits it, so no chain of rotations outlives an approval.
   */
  until?: string;
}

export interface KeyRequest {
  id: string;
  kind: RequestKind;
  requesterId: string;
  keyName: string;
  /** Policy role id (not a ClickHouse role). */
  roleId: string;
  /** Approved lifetime as a policy duration (`30d`, `12h`, `never`); counted from key creation. */
  expiry: string;
  reason: string;
  ipAccessList: IpAccessEntry[];
  approvalsRequired: number;
  state: RequestState;
  createdAt: Date;
  updatedAt: Date;
  /** When the current state lapses: pending → requestTtl, approved → claimTtl; null otherwise. */
  deadline: Date | null;
  decidedAt: Date | null;
  /** ClickHouse key UUID: the key made for this request, or the key a `change` targets. */
  keyId: string | null;
  keySuffix: string | null;
  /** Set while `creating`: which attempt holds the request and since when (crash settlement). */
  attemptId: string | null;
  attemptStartedAt: Date | null;
  change: KeyChange | null;
  /** Set on a `create` request that replaces an existing key. */
  rotation: KeyRotation | null;
  /**
   * For a role whose grant names services (product.md §16): the services chosen, as they were
   * named then; on a `change`, the key's services after it. Null for any other role.
   */
  services: ChosenService[] | null;
}

export interface NewRequest {
  id: string;
  kind: RequestKind;
  requesterId: string;
  keyName: string;
  roleId: string;
  expiry: string;
  reason: string;
  ipAccessList: IpAccessEntry[];
  approvalsRequired: number;
  state: 'pending' | 'approved';
  createdAt: Date;
  deadline: Date | null;
  keyId?: string | null;
  keySuffix?: string | null;
  change?: KeyChange | null;
  rotation?: KeyRotation | null;
  services?: ChosenService[] | null;
}

/** Fields a transition may set alongside the new state. Absent means unchanged. */
export interface RequestPatch {
  deadline?: Date | null;
  decidedAt?: Date | null;
  keyId?: string | null;
  keySuffix?: string | null;
  attemptId?: string | null;
  attemptStartedAt?: Date | null;
}

export interface TransitionArgs {
  id: string;
  from: RequestState | readonly RequestState[];
  to: RequestState;
  at: Date;
  /** Also require `deadline IS NULL OR deadline > at` (a lapsed request cannot move on). */
  withinDeadline?: boolean;
  /** Also require this attempt to hold the request (settling one's own `creating`). */
  attemptId?: string;
  set?: RequestPatch;
}

export interface Decision {
  requestId: string;
  userId: string;
  decision: 'approve' | 'deny';
  reason: string | null;
  at: Date;
}

/**
 * Result of one approval click, decided atomically with the count:
 * - `recorded`: counted, more approvals needed;
 * - `approved`: this approval completed the request (it is now `approved`);
 * - `duplicate`: this user had already approved; nothing changed;
 * - `not_pending`: the request is settled, lapsed or unknown; nothing changed.
 */
export type ApprovalOutcome = 'recorded' | 'approved' | 'duplicate' | 'not_pending';

export interface ApprovalResult {
  outcome: ApprovalOutcome;
  request: KeyRequest | null;
  approvals: Decision[];
}

export interface ApprovalArgs {
  requestId: string;
  userId: string;
  at: Date;
  /** Deadline of the approved state (claimTtl), set when this approval completes the request. */
  approvedDeadline: Date | null;
}

export interface DenialArgs {
  requestId: string;
  userId: string;
  reason: string | null;
  at: Date;
}

export interface DenialResult {
  outcome: 'denied' | 'not_pending';
  request: KeyRequest | null;
}

export interface KeyOwner {
  keyId: string;
  ownerId: string;
  requestId: string | null;
  keyName: string;
  keySuffix: string;
  createdAt: Date;
  /**
   * The policy role the key was approved under (its request's, or the last applied change's).
   * Authority comes from this, never from ClickHouse's role fields, which several policy roles
   * may share. Null for rows from before it was recorded whose request is gone.
   */
  roleId?: string | null;
  /**
   * Write-only: SHA-256 (base64) of the key's secret, computed in memory at creation (product.md
   * §3 rule 2), so a pasted secret can be recognised. Absent or null keeps the stored one. It is
   * never read back out of the store; `hasFingerprint` says whether there is one.
   */
  fingerprint?: string | null;
  /** Whether a fingerprint is stored (keys made before the tripwire have none). Ignored on write. */
  hasFingerprint?: boolean;
  /**
   * The end of the key's approved envelope: the latest `expireAt` the approvals behind it allow.
   * A rotation's successor inherits it, so no chain of rotations outlives what was approved.
   * `never` when approved without an expiry; null when unknown (rows from before it was
   * recorded: the key's own `expireAt` then bounds it). Absent on write keeps the stored one.
   */
  approvedUntil?: Date | 'never' | null;
  /**
   * Set when Keyhouse disabled (or deleted) the key because its secret leaked (product.md §1, §9,
   * §13). Written only by `markLeaked`, cleared only by `liftLeak`; ignored by `putKeyOwner`.
   */
  leak?: LeakMark | null;
  /**
   * The services the key reaches through its Keyhouse custom role (product.md §16), as named when
   * chosen; null for a key of any other role. Written by `setKeyOwnerServices`, ignored by `putKeyOwner`.
   */
  services?: ChosenService[] | null;
}

/**
 * A custom role Keyhouse makes in ClickHouse for one policy role, access and set of services
 * (product.md §16), named `keyhouse:<role>:<short hash>`. The row is claimed (`making`) by
 * insert-if-absent before the role is made, so two requests for the same set make one role across
 * replicas; `ready` once its ClickHouse id is known; `deleting` once the clean-up took it, a day
 * after no key used it. Only roles with a row here are ever changed or deleted by Keyhouse.
 */
export const SERVICE_ROLE_STATES = ['making', 'ready', 'deleting'] as const;
export type ServiceRoleState = (typeof SERVICE_ROLE_STATES)[number];

export interface ServiceRoleRecord {
  name: string;
  policyRoleId: string;
  access: ServiceAccess;
  /** Sorted, without repeats. */
  serviceIds: string[];
  /** Null while `making` and ClickHouse has not answered. */
  clickhouseRoleId: string | null;
  state: ServiceRoleState;
  /** Which attempt (or clean-up) holds it in `making` or `deleting`. */
  holder: string;
  /** Since when no key was seen holding it (clean-up); null: in use, or not looked at yet. */
  unusedSince: Date | null;
  updatedAt: Date;
}

export interface ServiceRoleClaim {
  name: string;
  policyRoleId: string;
  access: ServiceAccess;
  serviceIds: string[];
  holder: string;
  at: Date;
  /** A `making` row last written at or before this was left by a process that died: taken over. */
  abandonedBefore: Date;
}

export interface ServiceRoleStep {
  name: string;
  from: ServiceRoleState;
  to: ServiceRoleState;
  at: Date;
  /** Also require this holder (the one making or deleting it). */
  holder?: string;
  /** Also require `unused_since` at or before this (the clean-up's day). */
  unusedBefore?: Date;
  set?: { clickhouseRoleId?: string | null; unusedSince?: Date | null; holder?: string };
}

/** Where a leaked secret was found. */
export const LEAK_SOURCES = ['slack', 'github', 'report'] as const;
export type LeakSource = (typeof LEAK_SOURCES)[number];

/** A key marked leaked: no path enables it until an admin lifts the mark (audited). */
export interface LeakMark {
  at: Date;
  source: LeakSource;
}

/**
 * What Slack last said of a person (product.md §8, offboarding): `deactivated` or `active`
 * again. `deactivations` counts the times they were deactivated, so each deactivation is
 * offboarded once and a reactivation ends the offboarding in progress.
 */
export interface PersonRecord {
  userId: string;
  status: 'active' | 'deactivated';
  /** When the status last changed. */
  changedAt: Date;
  deactivations: number;
}

/**
 * Where a rotated key is on its way out: `retiring` until `retireAt` (the end of the overlap),
 * then `disabled` (its owner told), then `deleted` seven days later. Each step is a
 * compare-and-set, so it happens once across replicas and restarts.
 */
export const RETIREMENT_STAGES = ['retiring', 'disabled', 'deleted'] as const;
export type RetirementStage = (typeof RETIREMENT_STAGES)[number];

export interface Retirement {
  /** The old key (ClickHouse UUID). */
  keyId: string;
  keyName: string;
  keySuffix: string;
  /** Its Keyhouse owner when the rotation was delivered; null for a key made outside Keyhouse. */
  ownerId: string | null;
  /** The rotation request that made the successor. */
  requestId: string;
  successorKeyId: string;
  successorSuffix: string;
  retireAt: Date;
  stage: RetirementStage;
  updatedAt: Date;
}

export type NewRetirement = Omit<Retirement, 'stage' | 'updatedAt'> & { at: Date };

export interface RetirementFilter {
  stages?: readonly RetirementStage[];
  /** Only retirements whose `retireAt` is at or before this instant. */
  retireBefore?: Date;
}

export interface RetirementStep {
  keyId: string;
  from: RetirementStage;
  to: RetirementStage;
  at: Date;
}

export type AuditOutcome = 'attempt' | 'ok' | 'failed' | 'refused';

export interface AuditInput {
  at: Date;
  /** Slack user id, or `system` for timers and recovery. */
  actorId: string;
  /** Dotted verb: `request.submitted`, `request.approved`, `key.create`, `key.delete`, … */
  action: string;
  outcome: AuditOutcome;
  requestId?: string | null;
  keyId?: string | null;
  keyName?: string | null;
  keySuffix?: string | null;
  /** ClickHouse `requestId` of the call this event records, when there is one. */
  upstreamRequestId?: string | null;
  /** Small, secret-free facts (role, expiry, error code). */
  detail?: Record<string, unknown> | null;
}

export interface AuditEvent extends Required<Omit<AuditInput, 'detail'>> {
  seq: number;
  detail: Record<string, unknown> | null;
  /**
   * Hash chain (core/audit-chain.ts): the previous event's hash (null for the first event), and
   * this event's. Every stored event has one; null only in a row someone changed by hand.
   */
  prevHash: string | null;
  hash: string | null;
}

export interface AuditFilter {
  requestId?: string;
  keyId?: string;
  /** Events about a key by name, or by suffix (`…a1b2` or `a1b2`), also through their request. */
  key?: string;
  /** Events a user did, or that concern their requests or keys. */
  user?: string;
  /** Only events at or after / before this instant. */
  since?: Date;
  until?: Date;
  /** With `limit`: the newest events (still returned oldest first). */
  newest?: boolean;
  limit?: number;
}

/** The audit chain's head row: its last event (null when there is none). */
export interface AuditChainHead {
  headSeq: number | null;
  headHash: string | null;
}

/** The chain head and every event, read in one consistent snapshot (what verify checks). */
export interface AuditChain {
  head: AuditChainHead;
  events: AuditEvent[];
}

export type MessageKind = 'approval' | 'dm';

export interface MessageRef {
  requestId: string;
  kind: MessageKind;
  channel: string;
  ts: string;
}

export interface RequestFilter {
  states?: readonly RequestState[];
  requesterId?: string;
  kind?: RequestKind;
  /** Only requests whose deadline is at or before this instant. */
  deadlineBefore?: Date;
  limit?: number;
}

/**
 * One timed action, claimed once per (rule, subject, threshold): an expiry warning for a key at
 * one threshold, a reminder for a request, an offboarding for a user. The row is written by
 * insert-if-absent before the action runs, so across restarts and replicas it runs at most once;
 * a `failed` one may be claimed again (compare-and-set) while it has attempts left.
 */
export const TIMER_MARK_STATES = ['claimed', 'done', 'failed'] as const;
export type TimerMarkState = (typeof TIMER_MARK_STATES)[number];

export interface TimerMark {
  rule: string;
  subject: string;
  threshold: string;
  state: TimerMarkState;
  /** Which instance claimed it last. */
  holder: string;
  attempts: number;
  /** When the action became due; a claim is refused before it. */
  dueAt: Date;
  claimedAt: Date;
  settledAt: Date | null;
  /** Small, secret-free facts the rule keeps (for example the keys an offboarding covers). */
  detail: Record<string, unknown> | null;
}

export interface TimerClaim {
  rule: string;
  subject: string;
  threshold: string;
  holder: string;
  dueAt: Date;
  at: Date;
  detail?: Record<string, unknown> | null;
  /** A `failed` mark with fewer attempts than this is claimed again; default 1 (never). */
  maxAttempts?: number;
  /**
   * A mark still `claimed` that was claimed at or before this instant was abandoned by a process
   * that died in the middle: it is claimed again (while it has attempts left). Only for work that
   * may safely be done twice; absent, a claimed mark is never taken again.
   */
  abandonedBefore?: Date | null;
}

export interface TimerSettle {
  rule: string;
  subject: string;
  threshold: string;
  holder: string;
  state: 'done' | 'failed';
  at: Date;
  /** Replaces the claim's detail when given. */
  detail?: Record<string, unknown> | null;
}

export interface TimerMarkFilter {
  rules?: readonly string[];
  subjects?: readonly string[];
}

export interface Store {
  /** Creates or upgrades the schema; safe to call on every start and from several replicas. */
  migrate(): Promise<void>;
  /** Proves the database answers (readiness). */
  ping(): Promise<void>;
  /**
   * A stamp that moves whenever the database changes (this instance's writes and, for SQLite,
   * another connection's commits); null when the backend cannot tell (PostgreSQL, whose other
   * replicas write unseen). Read at once, without a query round trip; optional.
   */
  changeStamp?(): string | null;
  /** How many requests are in each state (every state present, 0 when none), for `/metrics`. */
  countRequestsByState(): Promise<Record<RequestState, number>>;
  close(): Promise<void>;

  createRequest(input: NewRequest): Promise<KeyRequest>;
  getRequest(id: string): Promise<KeyRequest | null>;
  listRequests(filter: RequestFilter): Promise<KeyRequest[]>;
  /** Compare-and-set on the request's state; the updated request, or null when the condition failed. */
  transition(args: TransitionArgs): Promise<KeyRequest | null>;

  recordApproval(args: ApprovalArgs): Promise<ApprovalResult>;
  recordDenial(args: DenialArgs): Promise<DenialResult>;
  listDecisions(requestId: string): Promise<Decision[]>;

  putKeyOwner(owner: KeyOwner): Promise<void>;
  getKeyOwner(keyId: string): Promise<KeyOwner | null>;
  listKeyOwners(ownerId?: string): Promise<KeyOwner[]>;
  /** The owner record of the key whose secret has this fingerprint, if Keyhouse made it. */
  findKeyOwnerByFingerprint(fingerprint: string): Promise<KeyOwner | null>;
  /**
   * The owner records of the keys whose secrets have these fingerprints, in one read: at most one
   * per fingerprint (the oldest, as `findKeyOwnerByFingerprint`), so a message of many pasted
   * strings costs one look-up, not one each. Fingerprints of no Keyhouse key are simply absent.
   */
  findKeyOwnersByFingerprints(fingerprints: readonly string[]): Promise<KeyOwner[]>;
  deleteKeyOwner(keyId: string): Promise<void>;
  renameKeyOwner(keyId: string, keyName: string): Promise<void>;
  /** Records the policy role a key now holds (an approved change of role was applied). */
  setKeyOwnerRole(keyId: string, roleId: string): Promise<void>;
  /** Records a key's approved envelope after an approved change (Extend, a longer expiry, a role). */
  setApprovedUntil(keyId: string, approvedUntil: Date | 'never'): Promise<void>;
  /**
   * Marks a key leaked; true for exactly one caller while it is unmarked (so one leak costs one
   * write, however often the secret is pasted), false when already marked or Keyhouse has no row.
   */
  markLeaked(keyId: string, mark: LeakMark): Promise<boolean>;
  /** Clears a leak mark; true when there was one. */
  liftLeak(keyId: string): Promise<boolean>;

  /**
   * Records what Slack said of a person. A change of status sets `changedAt` (and, to
   * `deactivated`, counts one more deactivation); the same status again changes nothing.
   * Returns the record as it is now, and whether this call changed it.
   */
  recordPerson(
    userId: string,
    status: PersonRecord['status'],
    at: Date,
  ): Promise<{ person: PersonRecord; changed: boolean }>;
  getPerson(userId: string): Promise<PersonRecord | null>;
  listPeople(status?: PersonRecord['status']): Promise<PersonRecord[]>;

  /** Records a key's retirement; null (nothing changed) when the key already has one. */
  putRetirement(input: NewRetirement): Promise<Retirement | null>;
  getRetirement(keyId: string): Promise<Retirement | null>;
  listRetirements(filter?: RetirementFilter): Promise<Retirement[]>;
  /** Compare-and-set on the retirement's stage; the updated row, or null when another got there first. */
  advanceRetirement(step: RetirementStep): Promise<Retirement | null>;

  /**
   * Append-only: there is no way to change or remove an event once written. Each event is linked
   * into the hash chain inside the insert's transaction, so concurrent writers keep one chain.
   * Any string is accepted, the same way on every backend: what UTF-8 text cannot hold (a NUL,
   * a lone surrogate) is stored, hashed and returned as U+FFFD. Throws `invalid_input` when the
   * event cannot be stored for what it holds (retrying cannot help: detail that is not JSON, a
   * value past a limit of the database), `audit_failed` when the store could not take it now.
   */
  appendAudit(event: AuditInput): Promise<AuditEvent>;
  listAudit(filter?: AuditFilter): Promise<AuditEvent[]>;
  auditChainHead(): Promise<AuditChainHead>;
  /** The head and every event, oldest first, from one snapshot: no append falls between the two. */
  readAuditChain(): Promise<AuditChain>;

  /** A small named value kept across restarts (the drift cursor); null when never set. */
  getWatchState(name: string): Promise<string | null>;
  putWatchState(name: string, value: string, at: Date): Promise<void>;
  /** Marks a ClickHouse activity as handled; true for exactly one caller per id. */
  claimActivity(activityId: string, at: Date): Promise<boolean>;
  /**
   * `claimActivity` for several ids in one write: the ids this call claimed (each id is claimed by
   * exactly one caller, whichever call it comes in), in no particular order.
   */
  claimActivities(activityIds: readonly string[], at: Date): Promise<string[]>;

  putMessageRef(ref: MessageRef): Promise<void>;
  getMessageRefs(requestId: string): Promise<MessageRef[]>;

  /**
   * Takes or renews a named lease until `at + ttlMs` if it is free, expired or already held by
   * `holder`; true when `holder` holds it afterwards. Timers use it to act once across replicas.
   */
  tryLease(name: string, holder: string, ttlMs: number, at: Date): Promise<boolean>;

  /**
   * Claims a timed action: inserts its mark if absent (or takes a `failed` one with attempts
   * left); the claimed mark, or null when someone already has it or it is not due at `at`.
   */
  claimTimer(claim: TimerClaim): Promise<TimerMark | null>;
  /** Records how a claimed action ended; false unless `holder` holds it in `claimed`. */
  settleTimer(settle: TimerSettle): Promise<boolean>;
  listTimerMarks(filter?: TimerMarkFilter): Promise<TimerMark[]>;

  /** Records the services a key holds (a key of a service role was made, or a change applied). */
  setKeyOwnerServices(keyId: string, services: ChosenService[] | null): Promise<void>;
  /**
   * Claims the making of a custom role: inserts its row in `making` if absent, or takes a
   * `making` row abandoned before `abandonedBefore`; the row this caller now holds, else null.
   */
  claimServiceRole(claim: ServiceRoleClaim): Promise<ServiceRoleRecord | null>;
  getServiceRole(name: string): Promise<ServiceRoleRecord | null>;
  listServiceRoles(): Promise<ServiceRoleRecord[]>;
  /** Compare-and-set on a role's state; the updated row, or null when the condition failed. */
  stepServiceRole(step: ServiceRoleStep): Promise<ServiceRoleRecord | null>;
  /** Forgets a role row in `from` held by `holder` (made and deleted, or never made); true when it did. */
  dropServiceRole(name: string, from: ServiceRoleState, holder: string): Promise<boolean>;
}
