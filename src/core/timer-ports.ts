/**
 * What the timed rules need from the outside world, as narrow interfaces: the Slack side
 * implements `LifecycleNotifier` with the views and `Directory` with `users.info`.
 */

import type { KeyRequest } from './model.js';
import type { Done } from './outcomes.js';
import type { OffboardingAction } from './policy-model.js';
import type { KeyEntry, SlackRef } from './ports.js';

/** A key as the lifecycle messages name it. */
export interface KeyFacts {
  keyId: string;
  keyName: string;
  keySuffix: string;
  roleLabel: string;
}

/** The owner's DM before a key expires, with Extend and Rotate. */
export interface ExpiryWarning {
  ownerId: string;
  key: KeyFacts;
  expireAt: Date;
  /** The `expiryWarnings` threshold this warning is for (milliseconds before `expireAt`). */
  beforeMs: number;
  now: Date;
}

/** The owner's DM once a key has expired (`deleteAt` when the policy will delete it). */
export interface ExpiredNotice {
  ownerId: string;
  key: KeyFacts;
  expireAt: Date;
  deleteAt: Date | null;
  now: Date;
}

/** The owner's DM after an expired key was deleted by policy. */
export interface ExpiredDeletion {
  ownerId: string;
  key: KeyFacts;
  expireAt: Date;
  now: Date;
}

/** The owner's DM offering Keep, Disable or Delete for a key not used for a long time. */
export interface StaleOffer {
  ownerId: string;
  key: KeyFacts;
  /** `usedAt`, or `createdAt` when `neverUsed`. */
  since: Date;
  neverUsed: boolean;
  /** When Keep would ask again, if the key stays unused. */
  askAgainAt: Date;
  now: Date;
}

export type StaleOutcome =
  | { kind: 'kept'; key: KeyFacts; askAgainAt: Date; by: string }
  | { kind: 'disabled' | 'deleted'; by: string; done: Done };

/** A thread reply under a request's approval message that is still waiting. */
export interface Nudge {
  kind: 'remind' | 'escalate';
  request: KeyRequest;
  /** Policy member ids (users `U…`/`W…` or groups `S…`) to mention; `*` is left out. */
  mention: readonly string[];
  now: Date;
}

export type OffboardingOutcome =
  | 'disabled'
  | 'deleted'
  | 'reported'
  | 'already disabled'
  | 'failed'
  /** The key changed hands, or its owner came back, before offboarding reached it. */
  | 'left alone';

/** One message to the security channel when a user was deactivated. */
export interface OffboardingReport {
  userId: string;
  action: OffboardingAction;
  via: 'event' | 'daily check';
  /** `entry` is the key as listed now, with its menu; null when it is gone (deleted). */
  keys: Array<{ facts: KeyFacts; entry: KeyEntry | null; outcome: OffboardingOutcome }>;
  /** Keys of the user that were already gone from ClickHouse. */
  vanished: number;
  /** Requests of the user cancelled (pending or waiting for Create key). */
  cancelled: number;
  now: Date;
}

/** One message to the security channel when an offboarded user is active in Slack again. */
export interface Reactivation {
  userId: string;
  via: 'event' | 'daily check';
  /** What offboarding had done stays done; this is what it was set to do. */
  action: OffboardingAction;
  now: Date;
}

/**
 * The audit chain's head, posted once a UTC day to the security channel (product.md §4): whoever
 * keeps it can later prove, with `audit verify --head <seq>:<hash>`, that nothing up to it was
 * rewritten, even by someone who can write the database.
 */
export interface AuditHeadNotice {
  seq: number;
  /** SHA-256, hex, of event `seq`; it covers every event before it. */
  hash: string;
  /** The UTC day (`2026-06-01`) this is the head for, taken at its start. */
  day: string;
  now: Date;
}

export interface LifecycleNotifier {
  expiryWarning(warning: ExpiryWarning): Promise<void>;
  keyExpired(notice: ExpiredNotice): Promise<void>;
  expiredKeyDeleted(notice: ExpiredDeletion): Promise<void>;
  staleOffer(offer: StaleOffer): Promise<void>;
  nudge(ref: SlackRef, nudge: Nudge): Promise<void>;
  /** The thread reply under a request cancelled because its requester was deactivated. */
  requestCancelled(ref: SlackRef, request: KeyRequest, userId: string): Promise<void>;
  offboardingReport(channel: string, report: OffboardingReport): Promise<void>;
  reactivated(channel: string, notice: Reactivation): Promise<void>;
  /** The daily audit chain head, to the security channel. */
  auditHead(channel: string, notice: AuditHeadNotice): Promise<void>;
}

/** Who is still in the workspace. */
export interface Directory {
  /** True when Slack reports the user deactivated; null when it could not say (unknown user, error). */
  isDeactivated(userId: string): Promise<boolean | null>;
}
