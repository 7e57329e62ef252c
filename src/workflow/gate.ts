/**
 * The one gate every key transition passes (issue 19). Create, change, extend, rotate, enable,
 * disable, delete, reassign, deliver, offboard, a leak and the lifting of its mark: each path
 * asks the gate, which decides from the model (the key, its Keyhouse record, its rotation, its
 * leak mark, the requester's holdings) and the policy (who, which approvals, which expiry, which
 * limits), and answers with the facts it read or a typed refusal. No path checks a key rule of
 * its own, so a new path cannot forget one.
 *
 *   who may act ─────── the key's owner, or an admin (Keyhouse's own key: nobody)
 *   the leak mark ───── a key disabled for a leak is enabled by no path until an admin lifts it
 *   the envelope ────── no key outlives what its approvals allowed, through any chain of rotations
 *   the limits ──────── `pendingPerUser` open requests, `keysPerUser` keys (retiring ones count)
 *   the rotation ────── one successor at a time; a successor in its overlap is not rotated again
 *   offboarding ─────── only the keys a still-deactivated user owns now
 *   services ────────── a key of a role scoped to services reaches only services its patterns match
 *                       now, at least one; more than a key has is approved like another role
 *   on call ─────────── approved at once only within `autoApprove.maxExpiry`, only while in a group
 *   break glass ─────── within `breakGlass.maxExpiry`, one awaiting review per person, reviewed
 *                       by an approver who is not the requester, once
 */

import { ACCESS_RULE, type AccessGrant } from '../core/access.js';
import { NotFoundError } from '../core/api-errors.js';
import type { ApiKey } from '../core/clickhouse.js';
import { placeOf } from '../core/delivery-ports.js';
import { checkDuration } from '../core/duration.js';
import { Refused } from '../core/errors.js';
import type { KeyOwner, KeyRequest, LeakSource, Retirement } from '../core/model.js';
import type { KeyLabel, Problem, Problems, Refusal } from '../core/outcomes.js';
import { type Destination, isServiceGrant, type PolicyRole } from '../core/policy-model.js';
import { type ChosenService, matchServices } from '../core/service-scope.js';
import type { WorkflowContext } from './context.js';
import { rolesOf } from './service-roles.js';

/** A key as the gate judged it: ClickHouse's record and what Keyhouse knows of it. */
export interface KeyFacts {
  key: ApiKey;
  /** Keyhouse's record of it; null for a key made outside Keyhouse. */
  owner: KeyOwner | null;
  ownerId: string | null;
  /** The policy role it was approved under (never inferred from ClickHouse's role fields). */
  role: PolicyRole | null;
  /** Its retirement after a rotation, until the old key is deleted. */
  retirement: Retirement | null;
  /** The retirement of the key it replaced, while that one still works (its overlap). */
  predecessor: Retirement | null;
  label: KeyLabel;
}

/** What a person may do with a key from a menu or a dialog. */
export type KeyAction = 'view' | 'rename' | 'disable' | 'enable' | 'delete' | 'change' | 'rotate';

/** The end of what a key's approvals allow: an instant, `never`, or not known (a key made elsewhere). */
export type EnvelopeEnd = Date | 'never' | null;

/** How a valid new request is approved: by its approvers, or at once (and then why). */
export type ApprovalPath =
  | { kind: 'approvers'; approvals: number }
  | { kind: 'policy' }
  | { kind: 'on_call'; group: string }
  | { kind: 'break_glass' };

/** A break-glass request awaits review while it may still make (or has made) a key nobody reviewed. */
const AWAITING_REVIEW = ['approved', 'creating', 'delivered'] as const;

/** Open requests count against `pendingPerUser`; `creating` ones also hold a key slot. */
const OPEN_STATES = ['pending', 'approved', 'creating'] as const;

export function labelOf(key: Pick<ApiKey, 'name' | 'keySuffix'>): KeyLabel {
  return { name: key.name, suffix: key.keySuffix };
}

/** The instant or `never` as the store keeps an envelope's end. */
export function envelopeOf(expireAt: Date | null): Date | 'never' {
  return expireAt ?? 'never';
}

/** Whether `end` lies within `bound` (a `never` end only within a `never` bound). */
export function withinEnvelope(end: Date | null, bound: Date | 'never'): boolean {
  if (bound === 'never') return true;
  return end !== null && end.getTime() <= bound.getTime();
}

/** The grant a `access.grant` mark's detail holds. */
export function grantOf(detail: Record<string, unknown> | null): AccessGrant {
  if (detail?.kind === 'on_call') return { kind: 'on_call', group: String(detail.group) };
  const reviewWithinMs = Number(detail?.reviewWithinMs ?? 0);
  return { kind: 'break_glass', reviewBy: new Date(String(detail?.reviewBy)), reviewWithinMs };
}

export class Gate {
  readonly #ctx: WorkflowContext;

  constructor(ctx: WorkflowContext) {
    this.#ctx = ctx;
  }

  /**
   * A person acts on a key: its owner or an admin, never on Keyhouse's own key, and never to
   * enable a key marked leaked or one a rotation retired. The button's payload is never trusted:
   * everything is read again. Throws the refusal; returns the facts read.
   */
  async key(actorId: string, keyId: string, action: KeyAction): Promise<KeyFacts> {
    const ctx = this.#ctx;
    const owner = await ctx.store.getKeyOwner(keyId);
    if (!(await ctx.policy.canManageKey(actorId, owner?.ownerId ?? null))) {
      await ctx.audit.after({
        actorId,
        action: 'key.manage',
        outcome: 'refused',
        keyId,
        detail: { why: 'not the owner or an admin', wanted: action },
      });
      throw new Refused({ code: 'not_owner_or_admin' });
    }
    const key = await this.#read(keyId, owner);
    if (!owner && ctx.selfKeySuffix !== null && key.keySuffix === ctx.selfKeySuffix) {
      throw new Refused({ code: 'keyhouse_key' });
    }
    const facts = await this.#facts(key, owner);
    const refusal =
      this.#keyRefusal(facts, action) ??
      (action === 'rotate' ? ((await this.#rotating(facts)) ?? (await this.#unreviewed(facts))) : null);
    if (refusal) {
      await ctx.audit.after({
        actorId,
        action: 'key.manage',
        outcome: 'refused',
        keyId,
        keyName: key.name,
        keySuffix: key.keySuffix,
        detail: { why: refusal.code, wanted: action },
      });
      throw new Refused(refusal);
    }
    return facts;
  }

  /** The rules of a key's own state: its leak mark, and where its rotation stands. */
  #keyRefusal(facts: KeyFacts, action: KeyAction): Refusal | null {
    const { owner, retirement, predecessor, label } = facts;
    if (owner?.leak && (action === 'enable' || action === 'change')) return { code: 'leaked', key: label };
    if (action === 'enable' && retirement && retirement.stage !== 'retiring') {
      return { code: 'retired', key: label, successorSuffix: retirement.successorSuffix };
    }
    if (action === 'rotate') {
      if (retirement && retirement.stage !== 'deleted')
        return { code: 'rotated_already', key: label, successorSuffix: retirement.successorSuffix };
      if (predecessor)
        return {
          code: 'successor_in_overlap',
          key: label,
          predecessorSuffix: predecessor.keySuffix,
          until: predecessor.retireAt,
        };
    }
    return null;
  }

  /**
   * A break-glass key awaiting review is not rotated: its successor would outlive a Revoke (the
   * review is of this key; a rotation would hand its access to one nobody reviews).
   */
  async #unreviewed(facts: KeyFacts): Promise<Refusal | null> {
    const requestId = facts.owner?.requestId;
    if (!requestId || !(await this.awaitsReview(requestId))) return null;
    return { code: 'break_glass_unreviewed', key: facts.label };
  }

  /** A rotation of this key already asked for and not yet settled. */
  async #rotating(facts: KeyFacts): Promise<Refusal | null> {
    const open = await this.#ctx.store.listRequests({ states: OPEN_STATES });
    return open.some((r) => r.rotation?.keyId === facts.key.id)
      ? { code: 'rotation_under_way', key: facts.label }
      : null;
  }

  async #read(keyId: string, owner: KeyOwner | null): Promise<ApiKey> {
    try {
      return await this.#ctx.keys.getKey(keyId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      if (owner) await this.#ctx.store.deleteKeyOwner(keyId);
      throw new Refused({ code: 'key_gone' }, { cause: error });
    }
  }

  async #facts(key: ApiKey, owner: KeyOwner | null): Promise<KeyFacts> {
    const ctx = this.#ctx;
    const [retirement, retiring] = await Promise.all([
      ctx.store.getRetirement(key.id),
      ctx.store.listRetirements({ stages: ['retiring'] }),
    ]);
    return {
      key,
      owner,
      ownerId: owner?.ownerId ?? null,
      role: owner?.roleId ? (ctx.policy.role(owner.roleId) ?? null) : null,
      retirement,
      predecessor: retiring.find((r) => r.successorKeyId === key.id) ?? null,
      label: labelOf(key),
    };
  }

  /**
   * The end of what the key's approvals allow: the envelope Keyhouse recorded, else (a record
   * from before envelopes, or a key made elsewhere) the key's own `expireAt`.
   */
  envelope(facts: Pick<KeyFacts, 'key' | 'owner'>): Date | 'never' {
    const recorded = facts.owner?.approvedUntil;
    if (recorded === 'never' || recorded instanceof Date) return recorded;
    return envelopeOf(facts.key.expireAt === null ? null : new Date(facts.key.expireAt));
  }

  /**
   * What `userId` holds against the limits: open requests (pending, approved, creating), and keys
   * (those Keyhouse holds for them, not yet retired by a rotation, plus keys being created right
   * now). `except` leaves one request out (the one being decided).
   */
  async holdings(userId: string, except?: string): Promise<{ open: number; keys: number }> {
    const ctx = this.#ctx;
    const [owned, retired, open] = await Promise.all([
      ctx.store.listKeyOwners(userId),
      ctx.store.listRetirements({ stages: ['disabled', 'deleted'] }),
      ctx.store.listRequests({ requesterId: userId, states: OPEN_STATES }),
    ]);
    const gone = new Set(retired.map((r) => r.keyId));
    const held = owned.filter((o) => !gone.has(o.keyId));
    const recorded = new Set(held.map((o) => o.keyId));
    const making = open.filter(
      (r) => r.id !== except && r.state === 'creating' && r.kind === 'create' && !recorded.has(r.keyId ?? ''),
    );
    return { open: open.filter((r) => r.id !== except).length, keys: held.length + making.length };
  }

  /**
   * The limits before one more request (`opening`) and one more key (`adding`): refused past
   * `pendingPerUser` or `keysPerUser`, unless the person is an admin.
   */
  async limits(userId: string, want: { opening: boolean; adding: boolean }, except?: string) {
    const { pendingPerUser, keysPerUser } = this.#ctx.policy.doc.limits;
    const held = await this.holdings(userId, except);
    let refusal: Refusal | null = null;
    if (want.opening && held.open >= pendingPerUser) {
      refusal = { code: 'open_requests_limit', open: held.open, limit: pendingPerUser };
    } else if (want.adding && held.keys >= keysPerUser) {
      refusal = { code: 'keys_limit', owned: held.keys, limit: keysPerUser };
    }
    // Checked last, and only when it matters: it may need the admins' user group.
    if (refusal && (await this.#ctx.policy.isAdmin(userId))) return null;
    return refusal;
  }

  /**
   * A new key of `roleId` for `userId`, `expiry` long: may they ask, is the expiry within the
   * role, are they within the limits. Problems by field (answered in the dialog).
   */
  async request(
    userId: string,
    roleId: string,
    expiry: string,
    serviceIds: readonly string[] = [],
  ): Promise<{
    role: PolicyRole | null;
    services: ChosenService[] | null;
    problems: Problems<'roleId' | 'expiry' | 'serviceIds'>;
  }> {
    const { policy } = this.#ctx;
    const role = policy.role(roleId);
    const problems: Problems<'roleId' | 'expiry' | 'serviceIds'> = {};
    if (!role || !(await policy.canRequest(userId, roleId))) {
      problems.roleId = { code: 'may_not_request_role' };
      return { role: null, services: null, problems };
    }
    if (!policy.isExpiryAllowed(role.id, expiry)) {
      problems.expiry = { code: 'expiry_too_long', roleLabel: role.label, maxExpiry: role.maxExpiry };
    }
    const scoped = await this.services(role, serviceIds);
    if ('problem' in scoped) problems.serviceIds = scoped.problem;
    return { role, services: 'problem' in scoped ? null : scoped.services, problems };
  }

  /**
   * The services a request of `role` may reach (product.md §16): for a role scoped to services, at
   * least one, each among those its patterns match in the console now (so a crafted payload, or a
   * choice made before a policy change, reaches nothing else); null for any other role.
   */
  async services(
    role: PolicyRole,
    serviceIds: readonly string[],
  ): Promise<{ services: ChosenService[] | null } | { problem: Problem }> {
    if (!isServiceGrant(role.grant)) return { services: null };
    if (serviceIds.length === 0) return { problem: { code: 'services_none' } };
    const offered = matchServices(role.grant.services, await rolesOf(this.#ctx).listServices());
    const chosen: ChosenService[] = [];
    for (const id of new Set(serviceIds)) {
      const service = offered.find((s) => s.id === id);
      if (!service) return { problem: { code: 'service_not_offered', serviceId: id } };
      chosen.push({ id: service.id, name: service.name });
    }
    return {
      services: chosen.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id)),
    };
  }

  /**
   * How a new request of `role`, `expiry` long, by `userId` is approved (product.md §15): breaking
   * glass when asked and the role offers it, within its `maxExpiry`; else at once when the role
   * needs no approval; else at once when the requester is in an on-call group and the expiry is
   * within `autoApprove.maxExpiry` (group membership read through the ≤ 60 s cache); else by the
   * role's approvers. A longer expiry than on call allows simply takes the approvers' path.
   */
  async approvalPath(
    userId: string,
    role: PolicyRole,
    expiry: string,
    breakGlass: boolean,
  ): Promise<{ path: ApprovalPath; problems: Problems<'roleId' | 'expiry'> }> {
    const parsed = checkDuration(expiry, { allowNever: true });
    const ms = 'error' in parsed ? undefined : parsed.ms;
    const within = (cap: number) => ms !== undefined && ms !== null && ms <= cap;
    if (breakGlass) {
      const glass = role.breakGlass;
      if (!glass)
        return {
          path: { kind: 'break_glass' },
          problems: { roleId: { code: 'break_glass_not_offered', roleLabel: role.label } },
        };
      if (!within(glass.maxExpiryMs)) {
        return {
          path: { kind: 'break_glass' },
          problems: {
            expiry: { code: 'expiry_too_long', roleLabel: role.label, maxExpiry: glass.maxExpiry },
          },
        };
      }
      return { path: { kind: 'break_glass' }, problems: {} };
    }
    if (role.approvals === 0) return { path: { kind: 'policy' }, problems: {} };
    if (role.autoApprove && within(role.autoApprove.maxExpiryMs)) {
      const group = await this.#ctx.policy.onCallGroup(userId, role.id);
      if (group) return { path: { kind: 'on_call', group }, problems: {} };
    }
    return { path: { kind: 'approvers', approvals: role.approvals }, problems: {} };
  }

  /**
   * Takes `userId`'s break-glass hold for `requestId`: refused while a break glass of theirs awaits
   * review. The hold is one timer mark per person, claimed by insert-if-absent (or taken over from
   * a request that no longer awaits review, compare-and-set on its claim time), so two submissions
   * at once, on two replicas, cannot both break glass.
   */
  async holdBreakGlass(userId: string, requestId: string): Promise<Refusal | null> {
    const { store, clock } = this.#ctx;
    const [held] = await store.listTimerMarks({ rules: [ACCESS_RULE.breakGlassHold], subjects: [userId] });
    if (held?.state === 'claimed' && (await this.awaitsReview(held.holder))) {
      return { code: 'break_glass_review_open' };
    }
    const now = clock.now();
    const claimed = await store.claimTimer({
      rule: ACCESS_RULE.breakGlassHold,
      subject: userId,
      threshold: 'open',
      holder: requestId,
      dueAt: now,
      at: now,
      detail: null,
      // The hold is taken again and again over a person's life: never "out of attempts" (within
      // PostgreSQL's 32-bit integer).
      maxAttempts: 2_000_000_000,
      abandonedBefore: held?.state === 'claimed' ? held.claimedAt : null,
    });
    return claimed ? null : { code: 'break_glass_review_open' };
  }

  /** Whether `requestId` is a break glass whose key may exist and that nobody reviewed yet. */
  async awaitsReview(requestId: string): Promise<boolean> {
    const { store } = this.#ctx;
    const [request, marks] = await Promise.all([
      store.getRequest(requestId),
      store.listTimerMarks({ rules: [ACCESS_RULE.grant, ACCESS_RULE.review], subjects: [requestId] }),
    ]);
    if (!request || !(AWAITING_REVIEW as readonly string[]).includes(request.state)) return false;
    const glass = marks.some((m) => m.rule === ACCESS_RULE.grant && m.threshold === 'break-glass');
    const reviewed = marks.some((m) => m.rule === ACCESS_RULE.review && m.state === 'done');
    return glass && !reviewed;
  }

  /**
   * A Keep or Revoke click: an approver, never the requester (breaking glass approved their own
   * request; the review is someone else's eyes), on a break glass not reviewed yet.
   */
  async review(actorId: string, requestId: string): Promise<{ request: KeyRequest; grant: AccessGrant }> {
    const ctx = this.#ctx;
    const request = await ctx.store.getRequest(requestId);
    if (!request) throw new Refused({ code: 'request_gone' });
    const marks = await ctx.store.listTimerMarks({
      rules: [ACCESS_RULE.grant, ACCESS_RULE.review],
      subjects: [requestId],
    });
    const grant = marks.find((m) => m.rule === ACCESS_RULE.grant && m.threshold === 'break-glass');
    if (!grant) throw new Refused({ code: 'not_break_glass' });
    const done = marks.find((m) => m.rule === ACCESS_RULE.review && m.state === 'done');
    if (done) {
      const decision = done.detail?.decision === 'revoke' ? 'revoke' : 'keep';
      throw new Refused({ code: 'break_glass_reviewed', decision, by: done.holder });
    }
    let refusal: Refusal | null = null;
    if (actorId === request.requesterId) refusal = { code: 'own_request' };
    else if (!(await ctx.policy.isApprover(actorId))) refusal = { code: 'not_approver' };
    if (refusal) {
      await ctx.audit.after({
        actorId,
        action: 'break_glass.review',
        outcome: 'refused',
        requestId,
        keyId: request.keyId,
        keyName: request.keyName,
        detail: { why: refusal.code },
      });
      throw new Refused(refusal);
    }
    return { request, grant: grantOf(grant.detail) };
  }

  /**
   * A rotation of the key `facts` names, by `actorId`, for a successor ending at `end` (null:
   * never): needs no approval for the owner, the role they may still request, within the envelope
   * (a rotation never lengthens what was approved); anyone else's, or a later end, is approved
   * like a new key of the role. Always within the limits: the successor is one more key until the
   * old one is disabled.
   */
  async rotation(
    actorId: string,
    facts: KeyFacts,
    /** The key's role, and whether it was only guessed from ClickHouse's role fields. */
    found: { role: PolicyRole; guessed: boolean },
    end: Date | null,
  ): Promise<{
    approvals: number;
    until: Date | 'never' | null;
    refusal: Refusal | null;
    problem: Problem | null;
  }> {
    const { policy } = this.#ctx;
    const envelope = this.envelope(facts);
    const { role } = found;
    const owner = facts.ownerId === actorId;
    const mayRequest = await policy.canRequest(actorId, role.id);
    const within = withinEnvelope(end, envelope);
    const free = owner && !found.guessed && mayRequest && within;
    let problem: Problem | null = null;
    if (!free && !mayRequest && !(await policy.isAdmin(actorId))) {
      problem = { code: 'may_not_request_role' };
    }
    const refusal = await this.limits(actorId, { opening: true, adding: true });
    return { approvals: free ? 0 : role.approvals, until: free ? envelope : null, refusal, problem };
  }

  /**
   * Making the key of an approved request (the Create key click, or an approved destination):
   * still within the limits at that moment, counting the keys being made beside it; and a key for
   * a destination only while the policy still offers that destination for the request's role.
   */
  async delivery(request: KeyRequest): Promise<Refusal | null> {
    if (request.kind !== 'create') return null;
    const destination = request.destinationId
      ? this.destination(request.roleId, request.destinationId)
      : null;
    if (request.destinationId && !destination) {
      return { code: 'destination_unavailable', destinationId: request.destinationId ?? '' };
    }
    if (destination) {
      const taken = await this.placeTaken(request, destination);
      if (taken) return taken;
    }
    // A scheduled rotation replaces a key the limits already count, on the policy's own schedule:
    // refusing it would only let the machine key expire.
    if (request.rotation?.scheduled) return null;
    return this.limits(request.requesterId, { opening: false, adding: true }, request.id);
  }

  /**
   * One key chain in one place (product.md §12): a GitHub destination's secret names, or a Vault path
   * that names no key, hold one key, and a second new key written there would leave the first live
   * with nobody holding its secret. A new key for a place is refused while a key Keyhouse wrote there
   * is live (not rotated away) or another request for it is open; its rotations replace it in place.
   */
  async placeTaken(
    request: Pick<KeyRequest, 'id' | 'keyName' | 'roleId' | 'requesterId' | 'rotation'>,
    destination: Destination,
  ): Promise<Refusal | null> {
    if (request.rotation) return null;
    const { store, policy } = this.#ctx;
    const place = placeOf(destination, request);
    const here = JSON.stringify(place);
    const others = (
      await store.listRequests({ kind: 'create', states: ['pending', 'approved', 'creating', 'delivered'] })
    ).filter((other) => other.id !== request.id && other.kind === 'create' && other.destinationId);
    const rotatedAway = new Set(
      others.flatMap((other) =>
        other.state === 'delivered' && other.rotation ? [other.rotation.keyId] : [],
      ),
    );
    const live = new Map((await store.listKeyOwners()).map((owner) => [owner.keyId, owner]));
    for (const other of others) {
      const there = policy.doc.destinations.find((d) => d.id === other.destinationId);
      if (!there || JSON.stringify(placeOf(there, other)) !== here) continue;
      if (other.state !== 'delivered') return { code: 'destination_taken', place, key: null };
      const owner = other.keyId ? live.get(other.keyId) : undefined;
      if (owner && !rotatedAway.has(owner.keyId)) {
        return { code: 'destination_taken', place, key: { name: owner.keyName, suffix: owner.keySuffix } };
      }
    }
    return null;
  }

  /**
   * Deliver to (product.md §12): the destination `destinationId` as the policy has it now, when
   * `roleId` may deliver there; null otherwise. Empty, or `requester`: the requester, always allowed
   * (answered by `null` too, so callers check `wantsDestination` first).
   */
  destination(roleId: string, destinationId: string): Destination | null {
    const role = this.#ctx.policy.role(roleId);
    if (!role?.destinations?.includes(destinationId)) return null;
    return this.#ctx.policy.doc.destinations.find((d) => d.id === destinationId) ?? null;
  }

  /**
   * Where a key lives (product.md §12): the destination its request wrote it to, while the policy
   * still offers it for the key's role; null for a key its owner holds. A rotation of it (Rotate in
   * the key menu, a leak notice's Rotate, the schedule) writes the successor there too.
   */
  async keyDestination(owner: KeyOwner | null): Promise<Destination | null> {
    if (!owner?.requestId) return null;
    const request = await this.#ctx.store.getRequest(owner.requestId);
    if (!request?.destinationId) return null;
    return this.destination(request.roleId, request.destinationId);
  }

  /**
   * The schedule's rotation of a machine key (product.md §12, `rotateEvery`), with no person
   * acting: the key's own rules as for any rotation (one successor at a time, never a key marked
   * leaked or already rotated, never one whose successor is still in its overlap), a role that
   * still rotates on a schedule, a destination still offered, and an approval not yet over (the
   * chain never outlives it). Throws the refusal; returns the facts, the destination and the envelope.
   */
  async scheduledRotation(
    keyId: string,
  ): Promise<{ facts: KeyFacts; destination: Destination; envelope: Date | 'never'; rotateEveryMs: number }> {
    const ctx = this.#ctx;
    const owner = await ctx.store.getKeyOwner(keyId);
    if (!owner) throw new Refused({ code: 'key_gone' });
    const key = await this.#read(keyId, owner);
    const facts = await this.#facts(key, owner);
    const refusal = this.#keyRefusal(facts, 'rotate') ?? (await this.#rotating(facts));
    if (refusal) throw new Refused(refusal);
    if (owner.leak) throw new Refused({ code: 'leaked', key: facts.label });
    const destination = await this.keyDestination(owner);
    const rotateEveryMs = facts.role?.rotateEveryMs;
    if (!destination || rotateEveryMs === undefined) {
      throw new Refused({ code: 'destination_unavailable', destinationId: destination?.id ?? '' });
    }
    const envelope = this.envelope(facts);
    if (envelope !== 'never' && envelope.getTime() <= ctx.clock.now().getTime()) {
      throw new Refused({ code: 'request_expired', stage: null });
    }
    return { facts, destination, envelope, rotateEveryMs };
  }

  /** An admin gives the key to `to`: an active person within their limit (an admin has none). */
  async reassign(facts: KeyFacts, to: string): Promise<Refusal | null> {
    const ctx = this.#ctx;
    if (facts.ownerId === to) return { code: 'already_owner', userId: to, key: facts.label };
    if (ctx.people && (await ctx.people.status(to)) === 'deactivated') {
      return { code: 'new_owner_deactivated', userId: to };
    }
    const person = await ctx.store.getPerson(to);
    if (person?.status === 'deactivated') return { code: 'new_owner_deactivated', userId: to };
    const { keysPerUser } = ctx.policy.doc.limits;
    const held = await this.holdings(to);
    if (held.keys >= keysPerUser && !(await ctx.policy.isAdmin(to))) {
      return { code: 'new_owner_at_limit', userId: to, owned: held.keys, limit: keysPerUser };
    }
    return null;
  }

  /**
   * Offboarding may act on a key only while its owner, as Keyhouse records it now, is the person
   * who was deactivated and is still deactivated (deactivation number `deactivation`).
   */
  async offboard(keyId: string, userId: string, deactivation: number): Promise<Refusal | null> {
    const ctx = this.#ctx;
    const [owner, person] = await Promise.all([ctx.store.getKeyOwner(keyId), ctx.store.getPerson(userId)]);
    if (!owner || owner.ownerId !== userId) return { code: 'owner_changed' };
    // No record: offboarded before people were recorded; it stands until Slack says otherwise.
    if (person && (person.status !== 'deactivated' || person.deactivations !== deactivation)) {
      return { code: 'owner_active' };
    }
    return null;
  }

  /**
   * A leaked secret of a Keyhouse key: true for the one caller that marks it, which then makes the
   * one ClickHouse write; false when it was already marked (pasting it again costs nothing).
   */
  markLeaked(keyId: string, source: LeakSource): Promise<boolean> {
    return this.#ctx.store.markLeaked(keyId, { at: this.#ctx.clock.now(), source });
  }

  /** Throws when the key is marked leaked now (read afresh, just before an enable is sent). */
  async unlessLeaked(key: Pick<ApiKey, 'id' | 'name' | 'keySuffix'>): Promise<void> {
    const owner = await this.#ctx.store.getKeyOwner(key.id);
    if (owner?.leak) throw new Refused({ code: 'leaked', key: labelOf(key) });
  }

  /** Lifting a leak mark: admins only, and only from a key that carries one. */
  async liftLeak(actorId: string, keyId: string): Promise<KeyFacts> {
    const ctx = this.#ctx;
    if (!(await ctx.policy.isAdmin(actorId))) {
      await ctx.audit.after({
        actorId,
        action: 'key.leak.lift',
        outcome: 'refused',
        keyId,
        detail: { why: 'not an admin' },
      });
      throw new Refused({ code: 'admins_only', what: 'lift_leak' });
    }
    const facts = await this.key(actorId, keyId, 'view');
    if (!facts.owner?.leak) throw new Refused({ code: 'not_leaked', key: facts.label });
    return facts;
  }
}
