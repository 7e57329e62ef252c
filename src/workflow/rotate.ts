import { NotFoundError } from '../core/api-errors.js';
import type { ApiKey } from '../core/clickhouse.js';
import { DAY_MS, HOUR_MS } from '../core/duration.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest, KeyRotation, Retirement } from '../core/model.js';
import type { Done, Problems } from '../core/outcomes.js';
import type { PolicyRole } from '../core/policy-model.js';
import { isServiceGrant } from '../core/policy-model.js';
import { KEEP } from '../core/ports.js';
import { addMs, expiryInstant } from '../core/time.js';
import type { WorkflowContext } from './context.js';
import type { KeyFacts } from './gate.js';
import { keyRole } from './keys.js';

/**
 * Rotation (product.md §8): a successor with the same name, role and IP access list, delivered
 * through the usual Create key DM and show-once secret; then the old key retires.
 *
 *   rotate ──▶ request (create, rotation = old key) ──approve (or none)──▶ Create key ──▶ delivered
 *                                                                                         │
 *   old key: retiring (until delivery + overlap) ──▶ disabled (owner told) ──7 days──▶ deleted
 *
 * The retirement is timed work on the scheduler (src/lifecycle/retirement.ts); each of its steps
 * is also a compare-and-set on the store's `retirements` row, taken before the ClickHouse call it
 * announces, so two replicas, or one after a restart, never act twice.
 */

/** The overlaps the modal offers (product.md §8); the policy's default is added when it is not one. */
export const ROTATION_OVERLAPS_MS: readonly number[] = [HOUR_MS, 24 * HOUR_MS, 7 * DAY_MS];

/** How long a retired (disabled) key is kept before it is deleted. */
export const RETIRED_KEEP_MS = 7 * DAY_MS;

/** The overlaps on offer under this policy, shortest first. */
export function rotationOverlaps(defaultMs: number): number[] {
  const offered = [...ROTATION_OVERLAPS_MS];
  if (!offered.includes(defaultMs)) offered.push(defaultMs);
  return offered.sort((a, b) => a - b);
}

/** What the rotation dialog collected, untrusted. */
export interface RotateDraft {
  /** Overlap in milliseconds, as the option value carried it. */
  overlap: string;
  /** A policy duration counted from the successor's creation, or `keep`: the old key's end. */
  expiry: string;
  reason: string;
}

export type RotateField = keyof RotateDraft;

export type RotateResult =
  | { ok: false; errors: Problems<RotateField> }
  | { ok: true; request: KeyRequest; done: Done };

/**
 * Checks a rotation draft against what needs no network: the overlap on offer and the expiry
 * within the role's `maxExpiry` (or `keep`). Used to answer inside the dialog; `rotateKey` checks
 * it all again.
 */
export function checkRotateDraft(
  ctx: WorkflowContext,
  roleId: string,
  draft: RotateDraft,
): Problems<RotateField> {
  const errors: Problems<RotateField> = {};
  if (!rotationOverlaps(ctx.policy.doc.lifecycle.rotationOverlapMs).includes(Number(draft.overlap)))
    errors.overlap = { code: 'overlap_not_offered' };
  const role = ctx.policy.role(roleId);
  if (!role) errors.expiry = { code: 'role_gone' };
  else if (draft.expiry !== KEEP && !ctx.policy.isExpiryAllowed(role.id, draft.expiry))
    errors.expiry = { code: 'expiry_too_long', roleLabel: role.label, maxExpiry: role.maxExpiry };
  return errors;
}

/** What the rotation dialog shows, once the gate allowed `viewerId` to rotate the key. */
export interface RotationForm {
  facts: KeyFacts;
  /** The key's role, and whether it was only guessed from ClickHouse's role fields. */
  found: { role: PolicyRole; guessed: boolean };
  role: PolicyRole;
  /** The end of what the old key was approved for: a successor ending by then needs no approval from its owner. */
  envelope: Date | 'never';
  /** True when any successor needs approval (an admin rotating another's key, a role guessed from ClickHouse). */
  needsApproval: boolean;
}

/** The facts the rotation dialog shows, after the gate allowed `viewerId` to rotate the key. */
export async function rotationForm(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
): Promise<RotationForm> {
  const facts = await ctx.gate.key(viewerId, keyId, 'rotate');
  const found = keyRole(ctx, facts.key, facts.owner);
  if (!found) throw new Refused({ code: 'role_unknown', action: 'rotate' });
  const owner = facts.ownerId === viewerId;
  const needsApproval = !(owner && !found.guessed && (await ctx.policy.canRequest(viewerId, found.role.id)));
  return { facts, found, role: found.role, envelope: ctx.gate.envelope(facts), needsApproval };
}

/**
 * Records a rotation request for the key, as the gate rules: the owner's successor ending within
 * what the old key was approved for needs no approval; a later end, or anyone else's rotation, is
 * approved like a new key of the role; past the limits nothing is recorded. The successor is made
 * only on the requester's Create key click, like any key.
 */
export async function rotateKey(
  ctx: WorkflowContext,
  viewerId: string,
  keyId: string,
  draft: RotateDraft,
): Promise<RotateResult> {
  const { facts, found, role, envelope } = await rotationForm(ctx, viewerId, keyId);
  const { key } = facts;
  const errors = checkRotateDraft(ctx, role.id, draft);
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const now = ctx.clock.now();
  const keep = draft.expiry === KEEP;
  const end = keep ? (envelope === 'never' ? null : envelope) : expiryInstant(now, draft.expiry);
  const verdict = await ctx.gate.rotation(viewerId, facts, found, end);
  if (verdict.refusal)
    return { ok: false, errors: { expiry: { code: 'refused', refusal: verdict.refusal } } };
  if (verdict.problem) return { ok: false, errors: { expiry: verdict.problem } };
  const reason = draft.reason.trim();
  if (verdict.approvals > 0) {
    const reasonProblem = ctx.policy.validateReason(reason);
    if (reasonProblem) return { ok: false, errors: { reason: reasonProblem } };
  }

  const immediate = verdict.approvals === 0;
  const id = ctx.newId();
  // Keeping the old key's end, approved or not, keeps its envelope as the successor's bound.
  const until = verdict.until ?? (keep ? envelope : null);
  const rotation: KeyRotation = {
    keyId: key.id,
    keySuffix: key.keySuffix,
    overlapMs: Number(draft.overlap),
    ...(until === null ? {} : { until: until === 'never' ? 'never' : until.toISOString() }),
  };
  // ClickHouse never gets an empty list (it would make the key usable from nowhere).
  const ipAccessList =
    key.ipAccessList.length > 0 ? key.ipAccessList : [...ctx.policy.doc.defaultIpAccessList];
  await ctx.audit.before({
    actorId: viewerId,
    action: 'request.submitted',
    outcome: 'ok',
    requestId: id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: {
      kind: 'rotate',
      role: role.id,
      expiry: draft.expiry,
      overlapMs: rotation.overlapMs,
      until: rotation.until ?? null,
      approvalsRequired: verdict.approvals,
    },
  });
  // A key that lives in a destination has its successor written there too (product.md §12).
  const destination = await ctx.gate.keyDestination(facts.owner);
  const request = await ctx.store.createRequest({
    id,
    kind: 'create',
    ...(destination ? { destinationId: destination.id } : {}),
    requesterId: viewerId,
    keyName: key.name,
    roleId: role.id,
    expiry: draft.expiry,
    reason,
    ipAccessList,
    approvalsRequired: verdict.approvals,
    state: immediate ? 'approved' : 'pending',
    createdAt: now,
    deadline: addMs(now, immediate ? ctx.policy.doc.claimTtlMs : ctx.policy.doc.requestTtlMs),
    rotation,
    // The successor reaches the services the old key reaches, no more (product.md §16).
    services: isServiceGrant(role.grant) ? (facts.owner?.services ?? null) : null,
  });
  if (immediate) {
    await ctx.audit.after({
      actorId: 'policy',
      action: 'request.approved',
      outcome: 'ok',
      requestId: id,
      keyName: key.name,
      detail: {
        by: 'policy',
        why: verdict.until ? 'owner rotation within the approval' : 'role needs no approval',
      },
    });
  }
  return {
    ok: true,
    request,
    done: {
      code: 'rotation_requested',
      key: facts.label,
      needsApproval: !immediate,
      place: ctx.placeOf(request),
    },
  };
}

/**
 * Called once a rotation's successor was delivered: the old key starts retiring, working until
 * the end of the overlap. Its owner (and the requester) are told when that is.
 */
export async function startRetirement(
  ctx: WorkflowContext,
  request: KeyRequest,
  successor: Pick<ApiKey, 'id' | 'keySuffix'>,
  deliveredAt: Date,
): Promise<void> {
  const rotation = request.rotation;
  if (!rotation) return;
  const owner = await ctx.store.getKeyOwner(rotation.keyId);
  const retireAt = addMs(deliveredAt, rotation.overlapMs);
  const about = {
    actorId: request.requesterId,
    requestId: request.id,
    keyId: rotation.keyId,
    keyName: request.keyName,
    keySuffix: rotation.keySuffix,
    detail: { successor: successor.id, retireAt: retireAt.toISOString() },
  };
  const retirement = await ctx.store.putRetirement({
    keyId: rotation.keyId,
    keyName: owner?.keyName ?? request.keyName,
    keySuffix: rotation.keySuffix,
    ownerId: owner?.ownerId ?? null,
    requestId: request.id,
    successorKeyId: successor.id,
    successorSuffix: successor.keySuffix,
    retireAt,
    at: deliveredAt,
  });
  await ctx.audit.after({ ...about, action: 'key.retiring', outcome: retirement ? 'ok' : 'refused' });
  if (!retirement) return;
  const told = new Set([request.requesterId, owner?.ownerId].filter((u): u is string => Boolean(u)));
  for (const userId of told) {
    await ctx.quietly('tell about the retiring key', () =>
      ctx.notifier.tellRequester(userId, {
        kind: 'rotation_started',
        keyName: retirement.keyName,
        keySuffix: retirement.keySuffix,
        successorSuffix: retirement.successorSuffix,
        at: retireAt,
      }),
    );
  }
}

/**
 * A retirement step, claimed by compare-and-set on its stage before the ClickHouse call it
 * makes, so it is taken once across replicas even outside the scheduler's marks. False when
 * another caller took it; throws (having given the step back) when the call failed.
 */
async function step(
  ctx: WorkflowContext,
  retirement: Retirement,
  from: Retirement['stage'],
  to: Retirement['stage'],
  work: () => Promise<void>,
): Promise<boolean> {
  const claimed = await ctx.store.advanceRetirement({
    keyId: retirement.keyId,
    from,
    to,
    at: ctx.clock.now(),
  });
  if (!claimed) return false;
  try {
    await work();
    return true;
  } catch (error) {
    // Given back, so the scheduler's retry (its mark is `failed`) can take the step again.
    await ctx.store
      .advanceRetirement({ keyId: retirement.keyId, from: to, to: from, at: ctx.clock.now() })
      .catch((undo: unknown) => ctx.logger.error({ err: undo }, 'could not give back a retirement step'));
    throw error;
  }
}

/** A key already gone in ClickHouse is as retired as it gets. */
function gone(error: unknown): { requestId: null } {
  if (error instanceof NotFoundError) return { requestId: null };
  throw error;
}

/**
 * The end of the overlap: the old key is disabled and its owner told. A retirement already in
 * `disabled` was begun by a process that died before it could say it had finished (the scheduler
 * hands such work out again): the disable is made again, harmless if it was made, and the owner,
 * who may have been told, is not told twice.
 */
export async function disableRetired(ctx: WorkflowContext, retirement: Retirement): Promise<boolean> {
  const about = {
    actorId: 'system',
    action: 'key.disable',
    requestId: retirement.requestId,
    keyId: retirement.keyId,
    keyName: retirement.keyName,
    keySuffix: retirement.keySuffix,
    detail: { why: 'rotation overlap ended', successor: retirement.successorKeyId },
  };
  const disable = async () => {
    const resumed = retirement.stage === 'disabled';
    await ctx.audit.effect({ ...about, detail: { ...about.detail, resumed } }, () =>
      ctx.keys.updateKey(retirement.keyId, { state: 'disabled' }).then(() => undefined, gone),
    );
  };
  if (retirement.stage === 'disabled') {
    await disable();
    return true;
  }
  const done = await step(ctx, retirement, 'retiring', 'disabled', disable);
  if (!done) return false;
  // Whoever owns it now (an admin may have reassigned it meanwhile).
  const ownerId = (await ctx.store.getKeyOwner(retirement.keyId))?.ownerId ?? retirement.ownerId;
  if (ownerId) {
    await ctx.quietly('tell the owner their old key was retired', () =>
      ctx.notifier.tellRequester(ownerId, {
        kind: 'key_retired',
        keyName: retirement.keyName,
        keySuffix: retirement.keySuffix,
        successorSuffix: retirement.successorSuffix,
        deleteAt: addMs(retirement.retireAt, RETIRED_KEEP_MS),
      }),
    );
  }
  return true;
}

/** Seven days after: the retired key is deleted. */
export async function deleteRetired(ctx: WorkflowContext, retirement: Retirement): Promise<boolean> {
  const about = {
    actorId: 'system',
    action: 'key.delete',
    requestId: retirement.requestId,
    keyId: retirement.keyId,
    keyName: retirement.keyName,
    keySuffix: retirement.keySuffix,
    detail: { why: 'retired by rotation seven days ago', successor: retirement.successorKeyId },
  };
  return step(ctx, retirement, 'disabled', 'deleted', async () => {
    await ctx.audit.effect(
      about,
      async () => {
        const result = await ctx.keys.deleteKey(retirement.keyId).catch(gone);
        await ctx.store.deleteKeyOwner(retirement.keyId);
        return result;
      },
      (result) => ({ upstreamRequestId: result.requestId }),
    );
  });
}
