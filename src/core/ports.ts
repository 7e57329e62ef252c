/**
 * What the workflow needs from the outside world, as narrow interfaces. The ClickHouse client
 * satisfies `KeyApi` structurally; the Slack side implements `Notifier` with the views. Neither
 * decides anything: the rules live in the workflow.
 */
import type {
  ApiKey,
  Role as ClickHouseRole,
  CreatedKey,
  CreateKeyInput,
  CreateRoleInput,
  Service,
  UpdateKeyInput,
  UpdateRoleInput,
} from './clickhouse.js';
import type { Decision, KeyRequest } from './model.js';
import type { Refusal } from './outcomes.js';
import type { PolicyRole } from './policy-model.js';
import type { Secret } from './secret.js';
import type { ServiceAccess } from './service-access.js';
import type { ChosenService } from './service-scope.js';

/** In an edit, `keep` leaves the role or the expiry as it is. */
export const KEEP = 'keep';

export type KeyApi = {
  /** Also proves the credentials work (readiness). */
  listOrganizations(): Promise<unknown[]>;
  listKeys(options?: { fresh?: boolean }): Promise<ApiKey[]>;
  getKey(id: string): Promise<ApiKey>;
  createKey(input: CreateKeyInput): Promise<CreatedKey>;
  updateKey(id: string, patch: UpdateKeyInput): Promise<ApiKey>;
  deleteKey(id: string): Promise<{ requestId: string | null }>;
  listRoles(): Promise<ClickHouseRole[]>;
  /** Whether `listKeys()` / `getKey(id)` would answer from memory now (no request); optional. */
  keyListAtHand?(): boolean;
  keyAtHand?(id: string): boolean;
  /** About how long a request made now by the current budget lane would wait for the budget, in ms; optional. */
  budgetWaitMs?(): number;
  /**
   * The key list `listKeys()` would answer from memory now (the same object while it holds), a
   * refresh started behind it when it is getting old; null when it would ask ClickHouse. Optional.
   */
  keysAtHand?(): readonly ApiKey[] | null;
};

/**
 * ClickHouse Cloud's services and custom roles, for keys scoped to some services (product.md §16).
 * Apart from `KeyApi` so the fakes of the key workflow need not grow; the ClickHouse client
 * satisfies both.
 */
export type RoleApi = {
  /** Cached briefly; `fresh` asks ClickHouse. */
  listServices(options?: { fresh?: boolean }): Promise<Service[]>;
  /** System and custom roles with their policies; cached, `fresh` asks ClickHouse. */
  listRoles(options?: { fresh?: boolean }): Promise<ClickHouseRole[]>;
  /** One role as it is now, its actors included. */
  getRole(id: string): Promise<ClickHouseRole>;
  /** Throws `AmbiguousRoleCreateError` when the role may exist after all. */
  createRole(input: CreateRoleInput): Promise<ClickHouseRole>;
  updateRole(id: string, patch: UpdateRoleInput): Promise<ClickHouseRole>;
  deleteRole(id: string): Promise<{ requestId: string | null }>;
};

/** Where a Slack message lives, so it can be rewritten later. */
export interface SlackRef {
  channel: string;
  ts: string;
}

/** Everything the approval message shows about a request at one moment. */
export interface ApprovalCard {
  request: KeyRequest;
  role: PolicyRole;
  approvals: Decision[];
  denial: Decision | null;
  now: Date;
  /** The console's services now, for a request scoped to services (renamed or deleted shown); null: unread. */
  services?: readonly Pick<Service, 'id' | 'name'>[] | null;
}

/** What a key scoped to services reaches (product.md §16), as the lists show it. */
export interface KeyServices {
  access: ServiceAccess;
  /** As named when chosen. */
  chosen: ChosenService[];
  /** The console's services now; null when they could not be read (the names as chosen are shown). */
  current: readonly Pick<Service, 'id' | 'name'>[] | null;
}

export type ThreadNote =
  | { kind: 'approved'; by: string; given: number; needed: number }
  | { kind: 'denied'; by: string; reason: string | null }
  | { kind: 'expired' }
  | { kind: 'key_created'; at: Date }
  | { kind: 'claim_expired' };

/** The requester's direct message carrying the Create key button, in its successive states. */
export interface ClaimCard {
  request: KeyRequest;
  role: PolicyRole;
  /** Who approved: user ids, or `policy` for a role that needs no approval. */
  approvedBy: readonly string[] | 'policy';
  status: 'open' | 'created' | 'expired';
  now: Date;
}

export type RequesterNotice =
  | { kind: 'denied'; request: KeyRequest; by: string; reason: string | null }
  | { kind: 'expired'; request: KeyRequest; stage: 'approval' | 'claim' }
  | { kind: 'not_delivered'; request: KeyRequest; keyDeleted: boolean }
  | { kind: 'recovered'; request: KeyRequest }
  | { kind: 'change_applied'; request: KeyRequest }
  | { kind: 'change_failed'; request: KeyRequest; refusal: Refusal | null }
  | { kind: 'key_managed'; keyName: string; keySuffix: string; verb: KeyVerbDone; by: string }
  /** A rotation's successor was delivered: the old key keeps working until `at`. */
  | { kind: 'rotation_started'; keyName: string; keySuffix: string; successorSuffix: string; at: Date }
  /** The overlap ended: the old key was disabled, and is deleted at `deleteAt`. */
  | { kind: 'key_retired'; keyName: string; keySuffix: string; successorSuffix: string; deleteAt: Date }
  /** An admin gave a key another owner; told to both, `role` says which one reads it. */
  | {
      kind: 'key_reassigned';
      keyName: string;
      keySuffix: string;
      by: string;
      from: string | null;
      to: string;
      role: 'old_owner' | 'new_owner';
    };

/** What someone else (an admin) did to a user's key. */
export type KeyVerbDone = 'disabled' | 'enabled' | 'deleted' | 'renamed' | 'shortened';

/** The click being answered: its `response_url` and, as a fallback, the DM it came from. */
export interface ClickTarget {
  userId: string;
  responseUrl: string | null;
  channelId: string | null;
}

/** The once-only answer holding the secret. Only `Notifier.revealSecret` ever reads `secret`. */
export interface SecretReveal {
  request: KeyRequest;
  role: PolicyRole;
  key: ApiKey;
  keyId: string;
  secret: Secret;
  apiUrl: string;
}

export interface Notifier {
  postApproval(card: ApprovalCard): Promise<SlackRef>;
  updateApproval(ref: SlackRef, card: ApprovalCard): Promise<void>;
  replyInThread(ref: SlackRef, note: ThreadNote): Promise<void>;
  sendClaim(card: ClaimCard): Promise<SlackRef>;
  updateClaim(ref: SlackRef, card: ClaimCard): Promise<void>;
  tellRequester(userId: string, notice: RequesterNotice): Promise<void>;
  /**
   * Answers the Create key click with one ephemeral message holding the secret. Resolves only
   * when Slack accepted it on some ephemeral path; throws when none worked.
   */
  revealSecret(target: ClickTarget, reveal: SecretReveal): Promise<void>;
}

/** One key as a viewer sees it in a list: ClickHouse's record, who owns it, what the viewer may do. */
export interface KeyEntry {
  key: ApiKey;
  /** The Slack user who requested it; null for a key made outside Keyhouse. */
  ownerId: string | null;
  /** Keyhouse's own admin key (shown in `list all`, never with actions). */
  self: boolean;
  expired: boolean;
  /** The policy role's label when Keyhouse made the key, else ClickHouse's role names. */
  roleLabel: string;
  /** Actions offered to this viewer (each is checked again on the click). */
  can: {
    toggle: boolean;
    edit: boolean;
    delete: boolean;
    rotate?: boolean;
    reassign?: boolean;
    /** Admins, for a key marked leaked: lift the mark (a dialog asks why). */
    lift?: boolean;
  };
  /** Disabled because its secret leaked: no path enables it until an admin lifts the mark. */
  leaked?: boolean;
  /** Set while the key is being replaced by a rotation (product.md §8). */
  retiring?: KeyRetiring | null;
  /** The services a key of a role scoped to services reaches. */
  services?: KeyServices | null;
}

/** A rotated key on its way out: working until `at`, then disabled; its successor named. */
export interface KeyRetiring {
  at: Date;
  stage: 'retiring' | 'disabled';
  successorKeyId: string;
  successorSuffix: string;
}

/** Slack's answer about a person, for review and ownership (users.info). */
export type PersonStatus = 'active' | 'deactivated' | 'unknown';

/** Who people are, asked of Slack; only ever called after an acknowledgement. */
export interface People {
  status(userId: string): Promise<PersonStatus>;
}

export type ListScope = 'mine' | 'all';

/** One page of a key list. */
export interface KeyListing {
  scope: ListScope;
  viewerId: string;
  entries: KeyEntry[];
  /** Zero-based page shown, and how many there are. */
  page: number;
  pageCount: number;
  total: number;
  now: Date;
  /** A line about what just happened (`Disabled etl-reader.`), shown above the list. */
  notice?: string;
}

/** What the App Home tab shows a user. */
export interface HomeData {
  viewerId: string;
  keys: KeyEntry[];
  /** Their requests still in progress: pending, approved (with the Create key button) or creating. */
  requests: {
    request: KeyRequest;
    roleLabel: string;
    /** When the approvers (`remind`) or admins (`escalate`) were last nudged about it. */
    nudged?: { kind: 'remind' | 'escalate'; at: Date };
  }[];
  now: Date;
  notice?: string;
}

/** What the dialogs collected, untrusted and unvalidated; the workflow checks every field again. */
/** The request modal. */
export interface RequestDraft {
  keyName: string;
  roleId: string;
  expiry: string;
  reason: string;
  ipAccessList: string;
  /** The services chosen, for a role scoped to services (product.md §16); absent: none. */
  serviceIds?: string[];
  /** Break glass (product.md §15): the requester approves their own request, reviewed afterwards. */
  breakGlass?: boolean;
}

export type DraftField = Exclude<keyof RequestDraft, 'breakGlass'>;

/** What the edit dialog collected, untrusted. */
export interface EditDraft {
  keyName: string;
  roleId: string;
  expiry: string;
  reason: string;
  /** For a role scoped to services, the services the key should reach; absent keeps the key's. */
  serviceIds?: string[];
}

export type EditField = keyof EditDraft;

/** Why a key is up for review (product.md §8, "Review"). */
export type ReviewReason = 'stale' | 'no_owner' | 'owner_deactivated' | 'retiring';

export interface ReviewEntry {
  entry: KeyEntry;
  reasons: ReviewReason[];
  /** ClickHouse's `usedAt`, else `createdAt`: what staleness is measured from. */
  lastActivity: Date | null;
  /**
   * Whether Keyhouse holds a fingerprint of the key's secret (product.md §9), so a pasted secret
   * would be recognised; null for a key Keyhouse did not make (it never saw the secret).
   */
  fingerprint: boolean | null;
}
