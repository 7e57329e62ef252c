/** What the security watch says in Slack, as data; the Slack side renders it with the views. */

/** A key Keyhouse made, named the way people know it. */
export interface WatchedKey {
  keyId: string;
  keyName: string;
  keySuffix: string;
  ownerId: string;
}

/** What was done to a leaked key: per `security.leakAction`, or what stopped it. */
export type LeakOutcome = 'disabled' | 'deleted' | 'reported' | 'already_gone' | 'failed';

/** Where the secret was pasted: the message (and its thread, if it is in one) and who posted it. */
export interface PasteSite {
  channel: string;
  ts: string;
  /** The thread the message is in (its parent's ts), or null for a top-level message. */
  threadTs: string | null;
  userId: string | null;
}

export type LeakNotice =
  | { kind: 'known'; key: WatchedKey; outcome: LeakOutcome; site: PasteSite }
  | { kind: 'unknown'; site: PasteSite };

/** A key event in ClickHouse that Keyhouse did not make (from the organization's activities). */
export interface DriftNotice {
  activityId: string;
  at: Date;
  /** `key_create`, `key_delete`, `openapi_key_update`. */
  type: string;
  /** `created`, `name-changed`, `state-changed`, … (for `openapi_key_update`). */
  updateType: string | null;
  actorType: string | null;
  actorDetails: string | null;
  actorId: string | null;
  keyId: string | null;
  /** The key's name and suffix as Keyhouse or ClickHouse knows them, when it can tell. */
  keyName: string | null;
  keySuffix: string | null;
  /** The Slack user who owns the key through Keyhouse, or null for a key made outside it. */
  ownerId: string | null;
  /** With `unmanagedKeys: disable`: what happened to a key created outside Keyhouse. */
  disabled: 'disabled' | 'failed' | null;
}

export interface WatchNotifier {
  /** A reply in the leaking message's thread. */
  leakThread(notice: LeakNotice): Promise<void>;
  /** The key owner's DM, with Rotate while the key exists. */
  leakOwner(notice: Extract<LeakNotice, { kind: 'known' }>): Promise<void>;
  /** The security channel. */
  leakSecurity(channel: string, notice: LeakNotice): Promise<void>;
  driftSecurity(channel: string, notice: DriftNotice): Promise<void>;
  driftOwner(notice: DriftNotice & { ownerId: string }): Promise<void>;
}

/** What the watch counts for `/metrics` (src/metrics.ts implements it). */
export interface WatchMetrics {
  leakCaught(issuedByKeyhouse: boolean, outcome: string): void;
  unmanagedKeyDisabled(): void;
}
