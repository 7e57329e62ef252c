/** What the security watch says in Slack, as data; the Slack side renders it with the views. */

/** A key Keyhouse made, named the way people know it. */
export interface WatchedKey {
  keyId: string;
  keyName: string;
  keySuffix: string;
  ownerId: string;
}

/** What was done to a leaked key: per `security.leakAction`, or what stopped it. */
export type LeakOutcome =
  | 'disabled'
  | 'deleted'
  | 'reported'
  /** Marked leaked before (a paste seen earlier): disabled then, not written again. */
  | 'already_disabled'
  | 'already_gone'
  | 'failed';

/** Where the secret was pasted: the message (and its thread, if it is in one) and who posted it. */
export interface PasteSite {
  channel: string;
  ts: string;
  /** The thread the message is in (its parent's ts), or null for a top-level message. */
  threadTs: string | null;
  userId: string | null;
  /**
   * The name an integration posted under when no person did (an incoming webhook's `username`, a
   * bot's or workflow's profile name), so the notices can say which one; absent or null otherwise.
   */
  botName?: string | null;
}

/** A key Keyhouse made whose secret was found pasted, and what was done to it. */
export interface LeakedKey {
  key: WatchedKey;
  outcome: LeakOutcome;
}

/**
 * What one message held that was not seen in it before (product.md §9: one thread reply and one
 * security notice per message, whatever it holds): the Keyhouse keys whose secrets it held, in the
 * order found, and how many strings of the secret format matched no key Keyhouse made. The views
 * name the first keys and count the rest.
 */
export interface LeakReport {
  site: PasteSite;
  keys: LeakedKey[];
  unknown: number;
}

/** One owner's share of a report: their keys whose secrets the message held. */
export interface OwnerLeak {
  ownerId: string;
  site: PasteSite;
  keys: LeakedKey[];
}

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

/** Where a secret GitHub found lies (a commit's file and line, an issue, a pull request comment…). */
export interface AlertPlace {
  /** `commit`, `wiki_commit`, `issue_body`, `pull_request_comment`, … */
  type: string;
  path: string | null;
  commitSha: string | null;
  startLine: number | null;
  url: string | null;
}

/** Where a secret was found outside Slack (product.md §13). */
export type OutsideSite =
  | {
      kind: 'github';
      /** `owner/repo`. */
      repository: string;
      alertNumber: number;
      alertUrl: string | null;
      /** The first places the secret was seen (the notice names a few and counts the rest). */
      places: AlertPlace[];
    }
  | {
      kind: 'report';
      /** What the scanner says it is (`gitleaks`, `trufflehog`, a CI job's name). */
      source: string;
      /** Where to look, as the scanner says: a CI run, a commit, a file. */
      url: string | null;
    };

/** What one GitHub alert or one scanner report held that was not handled before. */
export interface OutsideLeakReport {
  site: OutsideSite;
  keys: LeakedKey[];
  unknown: number;
}

/** One owner's share of an outside report. */
export interface OutsideOwnerLeak {
  ownerId: string;
  site: OutsideSite;
  keys: LeakedKey[];
}

export interface WatchNotifier {
  /** The security channel's one notice of a GitHub alert or a scanner's report. */
  outsideLeakSecurity(channel: string, report: OutsideLeakReport): Promise<void>;
  /** One owner's DM about their keys found outside Slack, with Rotate for each that exists. */
  outsideLeakOwner(leak: OutsideOwnerLeak): Promise<void>;
  /** The one reply in the leaking message's thread. */
  leakThread(report: LeakReport): Promise<void>;
  /** One owner's DM about all their keys in the message, with Rotate for each that exists. */
  leakOwner(leak: OwnerLeak): Promise<void>;
  /** The one security-channel notice of the message. */
  leakSecurity(channel: string, report: LeakReport): Promise<void>;
  driftSecurity(channel: string, notice: DriftNotice): Promise<void>;
  driftOwner(notice: DriftNotice & { ownerId: string }): Promise<void>;
}

/** What the watch counts for `/metrics` (src/metrics.ts implements it). */
export interface WatchMetrics {
  /** `count` secrets of one kind and outcome (default 1), found by `source` (default `slack`). */
  leakCaught(issuedByKeyhouse: boolean, outcome: string, count?: number, source?: string): void;
  unmanagedKeyDisabled(): void;
}
