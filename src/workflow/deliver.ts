/**
 * Delivery where the key is used (product.md §12): a request for a destination needs no Create key
 * click. When its last approval lands (or a scheduled rotation is due, or the requester clicks Try
 * again), the key is created and written to the destination, and its secret goes from ClickHouse's
 * answer to the destination and nowhere else.
 *
 *   approved ──CAS──▶ creating ──create──▶ key recorded ──write──▶ delivered (requester told where)
 *                                                  └── write failed ──▶ key deleted ──▶ approved (Try again)
 *
 * A crash in the middle is settled like any attempt (settle.ts), except that a key the destination
 * already holds is kept and the request finished, so a crash never leaves the destination naming a
 * deleted key; otherwise the key is deleted and the delivery made again at once.
 */
import { urgently } from '../core/budget.js';
import type { ApiKey } from '../core/clickhouse.js';
import {
  type DeliveryItem,
  DestinationError,
  type Place,
  placeOf,
  type ServiceSaid,
} from '../core/delivery-ports.js';
import { KeyhouseError, Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { Destination } from '../core/policy-model.js';
import type { ClickTarget } from '../core/ports.js';
import { addMs } from '../core/time.js';
import { UpstreamError } from '../core/upstream-errors.js';
import {
  claimable,
  createInput,
  envelopeOfRequest,
  errorCode,
  failCreate,
  finishAfterReveal,
  keyEnd,
  recordOrWithdraw,
  upstreamRequestId,
} from './claim.js';
import type { WorkflowContext } from './context.js';
import { startRetirement } from './rotate.js';
import { type AttemptHold, deleteUnseenKey, releaseAttempt, runAttempt } from './settle.js';

export type DeliveryOutcome =
  | { kind: 'delivered'; keyId: string; keySuffix: string }
  /** `detail` for the log and the audit; `said`, the refusing service's own words, for people. */
  | { kind: 'failed'; detail: string; said: ServiceSaid | null; keyDeleted: boolean };

/**
 * Creates the key of an approved request for a destination and writes it there. `actorId` is who
 * set it off (the last approver, `policy`, the requester's Try again, or `schedule`). Throws a
 * refusal when the request is not there to deliver (another attempt has it, it lapsed); a failed
 * creation or write is told to the requester and answered as `failed`.
 */
export async function deliverToDestination(
  ctx: WorkflowContext,
  requestId: string,
  actorId: string,
): Promise<DeliveryOutcome> {
  const attemptId = ctx.newId();
  const request = await ctx.store.getRequest(requestId);
  if (!request?.destinationId) throw new Refused({ code: 'request_gone' });
  await ctx.audit.before({
    actorId,
    action: 'key.create',
    outcome: 'attempt',
    requestId,
    keyName: request.keyName,
    detail: { attemptId, role: request.roleId, expiry: request.expiry, destination: request.destinationId },
  });
  const attempt = await runAttempt(ctx, requestId, attemptId, (claimed, _startedAt, hold) =>
    createAndWrite(ctx, claimed, attemptId, actorId, hold),
  );
  if (attempt.won) return attempt.value;
  await ctx.audit.after({ actorId, action: 'key.create', outcome: 'refused', requestId });
  const latest = await ctx.store.getRequest(requestId);
  if (latest?.state === 'creating') throw new Refused({ code: 'key_being_created' });
  if (latest?.state === 'delivered') throw new Refused({ code: 'key_already_created' });
  if (latest?.state === 'expired') throw new Refused({ code: 'request_expired', stage: 'claim' });
  throw new Refused({ code: latest ? 'request_not_approved' : 'request_gone' });
}

/** The requester's Try again after a failed write: the same checks as a Create key click, then the delivery again. */
export async function retryDelivery(
  ctx: WorkflowContext,
  requestId: string,
  target: ClickTarget,
): Promise<void> {
  await claimable(ctx, requestId, target.userId);
  await deliverToDestination(ctx, requestId, target.userId);
}

/** The end of a key in a destination: its approval's, and for a role with `rotateEvery` no later than one period and the overlap. */
export function machineKeyEnd(ctx: WorkflowContext, request: KeyRequest, createdAt: Date): Date | null {
  const approved = keyEnd(request, createdAt);
  const every = ctx.roleOf(request).rotateEveryMs;
  if (every === undefined) return approved;
  const overlap = request.rotation?.overlapMs ?? ctx.policy.doc.lifecycle.rotationOverlapMs;
  const own = addMs(createdAt, every + overlap);
  return approved === null || own.getTime() < approved.getTime() ? own : approved;
}

async function createAndWrite(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  actorId: string,
  hold: AttemptHold,
): Promise<DeliveryOutcome> {
  const refusal = await ctx.gate.delivery(request);
  const destination = request.destinationId
    ? ctx.gate.destination(request.roleId, request.destinationId)
    : null;
  if (refusal || !destination || !ctx.delivery) {
    await releaseAttempt(ctx, request, attemptId);
    const why = refusal ?? {
      code: 'destination_unavailable' as const,
      destinationId: request.destinationId ?? '',
    };
    await ctx.audit.after({
      actorId,
      action: 'key.create',
      outcome: 'refused',
      requestId: request.id,
      detail: { why: why.code },
    });
    throw new Refused(why);
  }
  const place = placeOf(destination, itemFacts(request));
  const role = ctx.roleOf(request);
  const createdAt = ctx.clock.now();
  const end = machineKeyEnd(ctx, request, createdAt);
  let created: Awaited<ReturnType<typeof ctx.keys.createKey>>;
  try {
    const input = await createInput(ctx, request, role, end);
    created = await urgently(() => ctx.keys.createKey(input));
  } catch (error) {
    const settled = await failCreate(ctx, request, attemptId, { userId: actorId }, error);
    const detail = error instanceof Error ? error.message : 'unknown error';
    const said: ServiceSaid | null =
      error instanceof UpstreamError && error.serverMessage
        ? { by: 'clickhouse', words: error.serverMessage }
        : null;
    await tellFailed(ctx, request, place, said, settled);
    return { kind: 'failed', detail, said, keyDeleted: settled };
  }

  const { key, keyId } = created;
  await recordOrWithdraw(ctx, request, attemptId, created, {
    createdAt,
    // The approval's end, not the key's own (one period): successors inherit it (product.md §12).
    approvedUntil: envelopeOfRequest(request, keyEnd(request, createdAt)),
    actorId,
    detail: { destination: destination.id },
  });

  const item: DeliveryItem = {
    keyId,
    secret: created.keySecret,
    keyName: key.name,
    roleId: request.roleId,
    requesterId: request.requesterId,
    expireAt: key.expireAt ?? null,
  };
  try {
    // A hold lost since may be settled by another replica, deleting this key: writing it then
    // would leave the destination naming a dead key.
    if (hold.lost()) throw new KeyhouseError('conflict', 'the attempt lost its lease before the write');
    await ctx.audit.before({
      actorId,
      action: 'key.deliver',
      outcome: 'attempt',
      requestId: request.id,
      keyId: key.id,
      keySuffix: key.keySuffix,
      detail: { destination: destination.id },
    });
    await ctx.delivery.writer.write(destination, item);
  } catch (error) {
    return failWrite(ctx, request, attemptId, actorId, key, place, destination, error);
  }
  await finishDelivery(ctx, request, attemptId, actorId, key, place, destination);
  return { kind: 'delivered', keyId: key.id, keySuffix: key.keySuffix };
}

function itemFacts(request: KeyRequest) {
  return { keyName: request.keyName, roleId: request.roleId, requesterId: request.requesterId };
}

/** The write failed: the key, whose secret is now gone, is deleted, and the request given back with Try again. */
async function failWrite(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  actorId: string,
  key: ApiKey,
  place: Place,
  destination: Destination,
  error: unknown,
): Promise<DeliveryOutcome> {
  const detail = error instanceof DestinationError ? error.detail : 'Keyhouse stopped before writing';
  const said: ServiceSaid | null =
    error instanceof DestinationError && error.said ? { by: 'destination', words: error.said } : null;
  ctx.logger.warn(
    { err: error, requestId: request.id, destination: destination.id },
    'key not written to its destination',
  );
  await ctx.audit.after({
    actorId,
    action: 'key.deliver',
    outcome: 'failed',
    requestId: request.id,
    keyId: key.id,
    keySuffix: key.keySuffix,
    upstreamRequestId: upstreamRequestId(error),
    detail: { destination: destination.id, error: errorCode(error), said: detail },
  });
  const deleted = await deleteUnseenKey(ctx, request, key, 'not written to its destination');
  // Left `creating` when the key could not be deleted: the settlement sweep deletes it, then delivers again.
  if (deleted) await releaseAttempt(ctx, request, attemptId);
  await tellFailed(ctx, request, place, said, deleted);
  return { kind: 'failed', detail, said, keyDeleted: deleted };
}

async function tellFailed(
  ctx: WorkflowContext,
  request: KeyRequest,
  place: Place,
  said: ServiceSaid | null,
  keyDeleted: boolean,
): Promise<void> {
  // A scheduled rotation's failure goes to the security channel (timers/scheduled-rotation.ts), not to a person.
  if (request.rotation?.scheduled || !ctx.delivery) return;
  const { notifier } = ctx.delivery;
  await ctx.quietly('tell the requester the key was not written', () =>
    notifier.tell(request.requesterId, {
      kind: 'failed',
      requestId: request.id,
      keyName: request.keyName,
      place,
      said,
      keyDeleted,
    }),
  );
}

/** Records the delivery and tells whoever should know; the old key of a rotation starts retiring. */
export async function finishDelivery(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  actorId: string,
  key: Pick<ApiKey, 'id' | 'name' | 'keySuffix' | 'expireAt'>,
  place: Place,
  destination: Destination,
): Promise<void> {
  const delivered = await finishAfterReveal(ctx, request.id, attemptId);
  await ctx.audit.after({
    actorId,
    action: 'key.delivered',
    outcome: delivered ? 'ok' : 'failed',
    requestId: request.id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    detail: { destination: destination.id },
  });
  if (delivered?.rotation) {
    await ctx.quietly('start retiring the rotated key', () =>
      startRetirement(ctx, delivered, key, ctx.clock.now()),
    );
  }
  if (ctx.delivery) {
    const { notifier } = ctx.delivery;
    const notice = request.rotation?.scheduled
      ? ({ kind: 'rotated', keyName: key.name, keySuffix: key.keySuffix, place } as const)
      : ({
          kind: 'delivered',
          keyName: key.name,
          keySuffix: key.keySuffix,
          roleLabel: ctx.roleOf(request).label,
          expireAt: key.expireAt ? new Date(key.expireAt) : null,
          place,
        } as const);
    await ctx.quietly('tell the requester where the key went', () =>
      notifier.tell(request.requesterId, notice),
    );
  }
  const ref = await ctx.messageRef(request.id, 'approval');
  if (ref) {
    await ctx.quietly('note the key in the approval thread', () =>
      ctx.notifier.replyInThread(ref, { kind: 'key_created', at: ctx.clock.now() }),
    );
  }
  await ctx.refreshApproval(request.id);
}

/**
 * Settling an interrupted delivery (settle.ts): true when the destination already holds the key
 * the attempt recorded, which is then kept and the request finished; false when the key must be
 * deleted (not written, or not known to be).
 */
export async function settleWritten(
  ctx: WorkflowContext,
  request: KeyRequest,
  settlerId: string,
): Promise<boolean> {
  if (!request.destinationId || !request.keyId || !request.keySuffix || !ctx.delivery) return false;
  const destination = ctx.gate.destination(request.roleId, request.destinationId);
  if (!destination) return false;
  const since = request.attemptStartedAt ?? request.updatedAt;
  // A destination says only when it was last written (GitHub to the second): a key delivered to the
  // same place within that second of this attempt cannot be told from this one, so whether the
  // destination holds this key is unknown, and the worst is assumed (deleted, delivered again).
  if (await deliveredJustBefore(ctx, request, destination, since)) return false;
  const holds = await ctx.delivery.writer.holds(
    destination,
    { keySuffix: request.keySuffix, ...itemFacts(request) },
    since,
  );
  if (holds !== true) return false;
  const key = await ctx.keys.getKey(request.keyId).catch(() => null);
  if (!key) return false;
  await finishDelivery(
    ctx,
    request,
    settlerId,
    'system',
    key,
    placeOf(destination, itemFacts(request)),
    destination,
  );
  return true;
}

/** How close in time two writes to one place may be and still be told apart by what the place says. */
const TIMESTAMP_AMBIGUITY_MS = 1_000;

/** Whether another key was delivered to the same place as `request` too close to `since` to tell apart. */
async function deliveredJustBefore(
  ctx: WorkflowContext,
  request: KeyRequest,
  destination: Destination,
  since: Date,
): Promise<boolean> {
  const place = JSON.stringify(placeOf(destination, itemFacts(request)));
  const delivered = await ctx.store.listRequests({ kind: 'create', states: ['delivered'] });
  return delivered.some(
    (other) =>
      other.id !== request.id &&
      other.destinationId === request.destinationId &&
      other.updatedAt.getTime() >= since.getTime() - TIMESTAMP_AMBIGUITY_MS &&
      JSON.stringify(placeOf(destination, itemFacts(other))) === place,
  );
}
