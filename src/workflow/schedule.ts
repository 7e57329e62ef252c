/**
 * Scheduled rotation of a key in a destination (product.md §12, `rotateEvery`): before the key is
 * `rotateEvery` old, its successor (same name, role and IP list) is made and written to the same
 * destination; the old key then retires after the overlap as any rotated key does (rotate.ts,
 * timers/retirement.ts). Each key's own expiry is `rotateEvery` plus the overlap (deliver.ts), and
 * the chain never outlives the approval: the successor inherits its end.
 *
 * One successor per key, whatever crashes or replicas do: the rotation request's id is derived from
 * the old key's (`scheduled:<key id>`), so a second one cannot be recorded; a retry finds the one
 * there and delivers it again. A failed write leaves the old key working, deletes the successor,
 * and tells the security channel once; the timer tries again at its next tick.
 */
import { placeOf, type ServiceSaid } from '../core/delivery-ports.js';
import { KeyhouseError, Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import { KEEP } from '../core/ports.js';
import type { WorkflowContext } from './context.js';
import { deliverToDestination } from './deliver.js';

/** Who the schedule's audit events name. */
export const SCHEDULE_ACTOR = 'schedule';
/** Marks the security channel's one message about a failed scheduled rotation. */
export const ROTATION_FAILED_TOLD_RULE = 'rotation.scheduled.told';

export function scheduledRequestId(keyId: string): string {
  return `scheduled:${keyId}`;
}

export type ScheduledOutcome = { successorKeyId: string; successorSuffix: string };

/**
 * Makes and writes the successor of `keyId` now. Resolves once it is in the destination; throws
 * when it is not (yet), so the timer tries again at its next tick.
 */
export async function rotateOnSchedule(ctx: WorkflowContext, keyId: string): Promise<ScheduledOutcome> {
  const request =
    (await ctx.store.getRequest(scheduledRequestId(keyId))) ?? (await recordRotation(ctx, keyId));
  if (request.state === 'delivered' && request.keyId && request.keySuffix) {
    return { successorKeyId: request.keyId, successorSuffix: request.keySuffix };
  }
  if (request.state === 'creating') {
    // An attempt is under way, or died and waits for the settlement sweep (which delivers again).
    throw new Refused({ code: 'key_being_created' });
  }
  const outcome = await deliverToDestination(ctx, request.id, SCHEDULE_ACTOR);
  if (outcome.kind === 'delivered')
    return { successorKeyId: outcome.keyId, successorSuffix: outcome.keySuffix };
  await tellSecurityOnce(ctx, request, outcome.said);
  throw new KeyhouseError('delivery_failed', 'the scheduled successor was not written; the old key is kept');
}

async function recordRotation(ctx: WorkflowContext, keyId: string): Promise<KeyRequest> {
  const { facts, destination, envelope } = await ctx.gate.scheduledRotation(keyId);
  const { key, owner } = facts;
  if (!owner || !facts.role) throw new Refused({ code: 'key_gone' });
  const now = ctx.clock.now();
  const id = scheduledRequestId(keyId);
  const overlapMs = ctx.policy.doc.lifecycle.rotationOverlapMs;
  await ctx.audit.before({
    actorId: SCHEDULE_ACTOR,
    action: 'request.submitted',
    outcome: 'ok',
    requestId: id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: { kind: 'rotate', scheduled: true, role: facts.role.id, destination: destination.id, overlapMs },
  });
  try {
    return await ctx.store.createRequest({
      id,
      kind: 'create',
      // The key stays its owner's: the successor is recorded for them, as a rotation they asked for would be.
      requesterId: owner.ownerId,
      keyName: key.name,
      roleId: facts.role.id,
      expiry: KEEP,
      reason: '',
      ipAccessList: key.ipAccessList.length > 0 ? key.ipAccessList : [...ctx.policy.doc.defaultIpAccessList],
      approvalsRequired: 0,
      state: 'approved',
      createdAt: now,
      // Never lapses: the schedule retries it until it is delivered or the approval ends.
      deadline: null,
      rotation: {
        keyId: key.id,
        keySuffix: key.keySuffix,
        overlapMs,
        until: envelope === 'never' ? 'never' : envelope.toISOString(),
        scheduled: true,
      },
      destinationId: destination.id,
    });
  } catch (error) {
    // Another replica recorded it first: the one rotation there is, is this key's.
    const there = await ctx.store.getRequest(id);
    if (there) return there;
    throw error;
  }
}

async function tellSecurityOnce(
  ctx: WorkflowContext,
  request: KeyRequest,
  said: ServiceSaid | null,
): Promise<void> {
  const rotation = request.rotation;
  if (!rotation || !ctx.delivery || !request.destinationId) return;
  const destination = ctx.policy.doc.destinations.find((d) => d.id === request.destinationId);
  if (!destination) return;
  const holder = `told:${ctx.replicas.instanceId}:${ctx.newId()}`;
  const now = ctx.clock.now();
  const mark = await ctx.store
    .claimTimer({
      rule: ROTATION_FAILED_TOLD_RULE,
      subject: rotation.keyId,
      threshold: request.id,
      holder,
      dueAt: now,
      at: now,
    })
    .catch(() => null);
  if (!mark) return;
  const { notifier } = ctx.delivery;
  const told = await ctx.quietly('tell the security channel a scheduled rotation failed', () =>
    notifier.rotationFailed({
      keyName: request.keyName,
      keySuffix: rotation.keySuffix,
      place: placeOf(destination, request),
      said,
    }),
  );
  await ctx.store
    .settleTimer({
      rule: ROTATION_FAILED_TOLD_RULE,
      subject: rotation.keyId,
      threshold: request.id,
      holder,
      state: told ? 'done' : 'failed',
      at: ctx.clock.now(),
    })
    .catch(() => undefined);
}
