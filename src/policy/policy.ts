import pino from 'pino';
import { type Clock, systemClock } from '../core/clock.js';
import { DAY_MS, durationText, formatDuration } from '../core/duration.js';
import type { Problem } from '../core/outcomes.js';
import type { ExpiryChoice } from '../core/policy-model.js';
import { inBackground, mayWait, WouldWait } from '../util/no-wait.js';
import { compileKeyNamePattern, type KeyNamePattern } from './key-name.js';
import { isGroupId, MAX_KEY_NAME_LENGTH, type PolicyDocument, type PolicyRole } from './schema.js';

export type { ExpiryChoice };

/** Members of a Slack user group (`S…`), e.g. through `usergroups.users.list`. */
export type GroupResolver = (groupId: string) => Promise<readonly string[]>;

/** One option of the Expiry select. */
export interface PolicyOptions {
  resolveGroup: GroupResolver;
  clock?: Clock;
  /** How long a group's members are trusted; default and maximum 60 s (product.md §1). */
  groupCacheTtlMs?: number;
  logger?: pino.Logger;
}

/** The expiries offered before capping by a role's `maxExpiry`. */
const EXPIRY_LADDER: readonly (number | null)[] = [...[1, 7, 30, 90, 180, 365].map((d) => d * DAY_MS), null];

const MAX_GROUP_CACHE_TTL_MS = 60_000;

type Reference = { requesterId: string };

interface CachedGroup {
  members: ReadonlySet<string>;
  expiresAt: number;
}

/**
 * The policy's answers to "who may do what" (product.md §1), asked afresh at every click.
 * Membership is by user id, `*`, or user group; group members are fetched through the injected
 * resolver, cached per group for at most 60 s, and concurrent look-ups of one group share a call.
 * A failed look-up counts as "not a member" for that check and is not cached: access fails
 * closed, and the next check tries again.
 *
 * A click must not wait on Slack's `usergroups.users.list` (it is acknowledged within 3 s):
 * `keepGroupsWarm` refreshes every group in the background before its entry lapses, and inside a
 * no-wait zone (`util/no-wait.ts`) a group that is not cached throws `WouldWait` after starting
 * its look-up, so the listener answers "checking…" and asks again after its acknowledgement.
 */
export class Policy {
  readonly doc: PolicyDocument;
  readonly #resolveGroup: GroupResolver;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #logger: pino.Logger;
  readonly #roles: ReadonlyMap<string, PolicyRole>;
  readonly #keyName: KeyNamePattern;
  readonly #cache = new Map<string, CachedGroup>();
  readonly #inflight = new Map<string, Promise<ReadonlySet<string> | null>>();

  constructor(doc: PolicyDocument, options: PolicyOptions) {
    const ttl = options.groupCacheTtlMs ?? MAX_GROUP_CACHE_TTL_MS;
    if (!Number.isFinite(ttl) || ttl < 0 || ttl > MAX_GROUP_CACHE_TTL_MS) {
      throw new RangeError(`groupCacheTtlMs must be between 0 and ${MAX_GROUP_CACHE_TTL_MS}`);
    }
    this.doc = doc;
    this.#resolveGroup = options.resolveGroup;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = ttl;
    this.#logger = options.logger ?? pino({ enabled: false });
    this.#roles = new Map(doc.roles.map((r) => [r.id, r]));
    this.#keyName = compileKeyNamePattern(doc.keyName.pattern);
  }

  /** The role with this id, or undefined when the policy has none (any more). */
  role(roleId: string): PolicyRole | undefined {
    return this.#roles.get(roleId);
  }

  /** The roles this user may request, in policy order. A role's own `requesters` replaces the global list. */
  async requestableRoles(userId: string): Promise<PolicyRole[]> {
    const allowed = await Promise.all(
      this.doc.roles.map((r) => this.#isMember(userId, this.#requestersOf(r))),
    );
    return this.doc.roles.filter((_, i) => allowed[i]);
  }

  async canRequest(userId: string, roleId: string): Promise<boolean> {
    const role = this.role(roleId);
    return role !== undefined && this.#isMember(userId, this.#requestersOf(role));
  }

  /**
   * The Expiry options for a role, shortest first: the ladder 1, 7, 30, 90, 180, 365 days and
   * never, capped by the role's `maxExpiry`, which is itself offered when it is not on the ladder.
   */
  expiryChoices(roleId: string): ExpiryChoice[] {
    const role = this.role(roleId);
    if (!role) return [];
    const max = role.maxExpiryMs;
    const offered = EXPIRY_LADDER.filter((ms) => max === null || (ms !== null && ms <= max));
    if (!offered.includes(max)) offered.push(max);
    // The on-call and break-glass caps are offered too, so those requests can ask for exactly them.
    for (const cap of [role.autoApprove?.maxExpiryMs, role.breakGlass?.maxExpiryMs]) {
      if (cap !== undefined && !offered.includes(cap) && (max === null || cap <= max)) offered.push(cap);
    }
    offered.sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
    return offered.map((ms) => ({ value: durationText(ms), label: expiryLabel(ms), ms }));
  }

  /** Whether `expiry` is one of the role's offered values (what a submission must carry). */
  isExpiryAllowed(roleId: string, expiry: string): boolean {
    return this.expiryChoices(roleId).some((c) => c.value === expiry);
  }

  /**
   * The on-call user group through which `userId` is approved at once for `roleId`, or null: the
   * first group of the role's `autoApprove.whenIn` that has them, read through the ≤ 60 s cache
   * (a rota change counts within a minute).
   */
  async onCallGroup(userId: string, roleId: string): Promise<string | null> {
    const whenIn = this.role(roleId)?.autoApprove?.whenIn ?? [];
    for (const groupId of whenIn) {
      if (await this.#isMember(userId, [groupId])) return groupId;
    }
    return null;
  }

  async isApprover(userId: string): Promise<boolean> {
    return this.#isMember(userId, this.doc.approvers);
  }

  async isAdmin(userId: string): Promise<boolean> {
    return this.#isMember(userId, this.doc.admins);
  }

  /**
   * Why this user may not approve or deny the request, or null when they may. Self-approval is
   * checked first: it needs no group look-up, and it is the more useful answer to a requester.
   */
  async approvalRefusal(
    userId: string,
    request: Reference,
  ): Promise<null | 'not_approver' | 'self_approval'> {
    if (userId === request.requesterId && !this.doc.selfApproval) return 'self_approval';
    return (await this.isApprover(userId)) ? null : 'not_approver';
  }

  /**
   * Rename, disable, enable, delete: the key's owner, or an admin. A key made outside Keyhouse
   * (no owner) is for admins only.
   */
  async canManageKey(userId: string, ownerId: string | null): Promise<boolean> {
    if (ownerId !== null && userId === ownerId) return true;
    return this.isAdmin(userId);
  }

  /** `isAdmin` from what is known now (no Slack look-up): null when a group is not cached yet. */
  isAdminAtOnce(userId: string): boolean | null {
    return this.#atOnce(userId, this.doc.admins);
  }

  /** `canListAll` from what is known now (no Slack look-up): null when a group is not cached yet. */
  canListAllAtOnce(userId: string): boolean | null {
    const approver = this.#atOnce(userId, this.doc.approvers);
    const admin = this.#atOnce(userId, this.doc.admins);
    if (approver === true || admin === true) return true;
    return approver === null || admin === null ? null : false;
  }

  /** `list all`: approvers and admins. */
  async canListAll(userId: string): Promise<boolean> {
    return (await this.isApprover(userId)) || this.isAdmin(userId);
  }

  /** What is wrong with a key name, or null when the policy accepts it. */
  validateKeyName(name: string): Problem | null {
    if (name.trim() === '') return { code: 'key_name_empty' };
    if (name.length > MAX_KEY_NAME_LENGTH) return { code: 'key_name_too_long', max: MAX_KEY_NAME_LENGTH };
    // RE2 matches in time linear in the name, whatever the pattern: no deadline to miss.
    if (this.#keyName.matches(name)) return null;
    return { code: 'key_name_pattern', hint: this.doc.keyName.hint, pattern: this.doc.keyName.pattern };
  }

  /** What is wrong with a reason, or null when the policy accepts it. */
  validateReason(reason: string): Problem | null {
    const { required, minLength, maxLength } = this.doc.reason;
    const text = reason.trim();
    if (text === '') return required ? { code: 'reason_missing' } : null;
    if (text.length < minLength) return { code: 'reason_too_short', min: minLength };
    if (text.length > maxLength) return { code: 'reason_too_long', max: maxLength };
    return null;
  }

  /** The admins as Slack mentions, for "ask …": `<@U1>, <!subteam^S1>`. */
  adminsToAsk(): string {
    return this.doc.admins.map((id) => (isGroupId(id) ? `<!subteam^${id}>` : `<@${id}>`)).join(', ');
  }

  #requestersOf(role: PolicyRole): readonly string[] {
    return role.requesters ?? this.doc.requesters;
  }

  /** Every user group the policy names anywhere, for warming the cache. */
  groupIds(): string[] {
    const { doc } = this;
    const lists = [
      doc.requesters,
      doc.approvers,
      doc.admins,
      ...doc.roles.map((r) => r.requesters ?? []),
      ...doc.roles.map((r) => r.autoApprove?.whenIn ?? []),
    ];
    return [...new Set(lists.flat().filter(isGroupId))];
  }

  /**
   * Looks every group of the policy up now and again every `everyMs` (default half the cache
   * lifetime), in the background, so that a click finds its groups cached and never waits on
   * Slack. An entry still lapses 60 s after its look-up started, so a refresh that keeps failing
   * ends in "not a member" (fail closed), never in stale access. Returns the function that stops it.
   */
  keepGroupsWarm(everyMs: number = Math.max(1_000, Math.floor(this.#ttlMs / 2))): () => void {
    const refresh = () => {
      for (const groupId of this.groupIds()) void this.#lookUp(groupId);
    };
    refresh();
    const timer = setInterval(refresh, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  /**
   * Roles that can never be approved with the approvers as Slack has them now: more approvals than
   * approvers (people named, and the members of the groups named). Loading refuses this when only
   * people are named; groups have sizes only Slack knows, so it is checked at start, once they are
   * looked up, and reported as a warning (a group may grow). "*" counts as enough.
   */
  async unapprovableRoles(): Promise<{ roleId: string; approvals: number; approvers: number }[]> {
    const { approvers } = this.doc;
    if (approvers.includes('*')) return [];
    const people = new Set(approvers.filter((id) => !isGroupId(id)));
    for (const groupId of approvers.filter(isGroupId)) {
      const members = await this.#groupMembers(groupId);
      // A group that could not be looked up is not counted as empty: that is reported on its own.
      if (members === null) return [];
      for (const id of members) people.add(id);
    }
    return this.doc.roles
      .filter((role) => role.approvals > people.size)
      .map((role) => ({ roleId: role.id, approvals: role.approvals, approvers: people.size }));
  }

  async #isMember(userId: string, list: readonly string[]): Promise<boolean> {
    if (list.includes('*') || list.includes(userId)) return true;
    const groups = list.filter(isGroupId);
    if (groups.length === 0) return false;
    if (!mayWait()) return this.#isMemberAtOnce(userId, groups);
    const members = await Promise.all(groups.map((g) => this.#groupMembers(g)));
    return members.some((set) => set?.has(userId) === true);
  }

  /**
   * Membership from the cache alone, for a caller that may not wait: a cached group that has the
   * user answers yes; if every group is cached, no; otherwise the missing look-ups start and the
   * caller hears `WouldWait` (it answers "checking…" and asks again once it may wait).
   */
  #isMemberAtOnce(userId: string, groups: readonly string[]): boolean {
    const missing: string[] = [];
    for (const groupId of groups) {
      const members = this.#cached(groupId);
      if (members?.has(userId)) return true;
      if (!members) missing.push(groupId);
    }
    if (missing.length === 0) return false;
    for (const groupId of missing) void this.#groupMembers(groupId);
    throw new WouldWait(`usergroups.users.list ${missing.join(', ')}`);
  }

  /** Membership from the cache alone, starting nothing: null when a group is not cached. */
  #atOnce(userId: string, list: readonly string[]): boolean | null {
    if (list.includes('*') || list.includes(userId)) return true;
    let unknown = false;
    for (const groupId of list.filter(isGroupId)) {
      const members = this.#cached(groupId);
      if (members?.has(userId)) return true;
      if (!members) unknown = true;
    }
    return unknown ? null : false;
  }

  #cached(groupId: string): ReadonlySet<string> | null {
    const cached = this.#cache.get(groupId);
    return cached && this.#clock.now().getTime() < cached.expiresAt ? cached.members : null;
  }

  /** The group's members, or null when the look-up failed (then nobody counts as a member). */
  async #groupMembers(groupId: string): Promise<ReadonlySet<string> | null> {
    return this.#cached(groupId) ?? this.#lookUp(groupId);
  }

  /** One look-up of a group (shared with any already running), which replaces its cache entry. */
  #lookUp(groupId: string): Promise<ReadonlySet<string> | null> {
    const pending = this.#inflight.get(groupId);
    if (pending) return pending;

    // The freshness window starts when the look-up starts, so a slow answer is never kept past 60 s.
    const startedAt = this.#clock.now().getTime();
    // Called inside an async function so a resolver that throws synchronously also fails closed.
    const lookup = inBackground(async () => this.#resolveGroup(groupId)).then(
      (members) => {
        const set = new Set(members);
        if (this.#ttlMs > 0) this.#cache.set(groupId, { members: set, expiresAt: startedAt + this.#ttlMs });
        return set;
      },
      (error: unknown) => {
        // A failed refresh of a still-valid entry leaves it to lapse on its own; a miss stays a miss.
        const cached = this.#cache.get(groupId);
        if (cached && this.#clock.now().getTime() >= cached.expiresAt) this.#cache.delete(groupId);
        this.#logger.warn(
          { err: error, groupId },
          'user group look-up failed; treating the user as not a member',
        );
        return null;
      },
    );
    const settled = lookup.finally(() => this.#inflight.delete(groupId));
    this.#inflight.set(groupId, settled);
    return settled;
  }
}

function expiryLabel(ms: number | null): string {
  return ms === null ? 'Never' : formatDuration(ms);
}
