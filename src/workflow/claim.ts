import { AmbiguousCreateError } from '../core/api-errors.js';
import { urgently } from '../core/budget.js';
import type { ApiKey, CreatedKey, CreateKeyInput } from '../core/clickhouse.js';
import { KeyhouseError, Refused } from '../core/errors.js';
import { fingerprint } from '../core/fingerprint.js';
import type { KeyRequest } from '../core/model.js';
import type { PolicyRole } from '../core/policy-model.js';
import type { ClickTarget } from '../core/ports.js';
import { KEEP } from '../core/ports.js';
import { expiryInstant } from '../core/time.js';
import { applyChange } from './change.js';
import type { WorkflowContext } from './context.js';
import { envelopeOf } from './gate.js';
import { grantFor } from './grant.js';
import { expireRequest } from './lapse.js';
import { startRetirement } from './rotate.js';
import {
  type AttemptHold,
  deleteLostKey,
  deleteOrphans,
  deleteUnseenKey,
  finishAttempt,
  releaseAttempt,
  runAttempt,
} from './settle.js';

/**
 * The requester's Create key click: the only moment a key is made (product.md §1, "shown once,
 * to a person who is there").
 *
 * approved ──CAS──▶ creating ──create──▶ key ──reveal on the click──▶ delivered
 *                                   └── reveal failed ──▶ key deleted ──▶ approved (click again)
 *
 * The secret lives only in this call's memory, between ClickHouse's answer and the one
 * ephemeral message that shows it.
 */
export async function claimKey(ctx: WorkflowContext, requestId: string, target: ClickTarget): Promise<void> {
  const request = await claimable(ctx, requestId, target.userId);
  // A change whose application failed is retried from the same button; it involves no secret.
  if (request.kind === 'change') return applyChange(ctx, request);
  // A click from the App Home has no response_url or channel: answer in the DM that holds the button.
  const dm = target.channelId ? null : await ctx.messageRef(requestId, 'dm');
  if (dm) target = { ...target, channelId: dm.channel };
  const attemptId = ctx.newId();
  await ctx.audit.before({
    actorId: target.userId,
    action: 'key.create',
    outcome: 'attempt',
    requestId,
    keyName: request.keyName,
    detail: { attemptId, role: request.roleId, expiry: request.expiry },
  });
  const attempt = await runAttempt(ctx, requestId, attemptId, (claimed, _startedAt, hold) =>
    createAndReveal(ctx, claimed, attemptId, target, hold),
  );
  if (!attempt.won) {
    await ctx.audit.after({ actorId: target.userId, action: 'key.create', outcome: 'refused', requestId });
    const latest = await ctx.store.getRequest(requestId);
    throw latest ? notClaimable(latest) : new Refused({ code: 'request_gone' });
  }
}

export async function claimable(
  ctx: WorkflowContext,
  requestId: string,
  userId: string,
): Promise<KeyRequest> {
  const request = await ctx.store.getRequest(requestId);
  if (!request) throw new Refused({ code: 'request_gone' });
  if (request.requesterId !== userId) {
    await ctx.audit.after({
      actorId: userId,
      action: 'key.create',
      outcome: 'refused',
      requestId,
      detail: { why: 'not the requester' },
    });
    throw new Refused({ code: 'not_requester' });
  }
  if (request.state === 'approved' && request.deadline && request.deadline <= ctx.clock.now()) {
    await expireRequest(ctx, request);
    throw new Refused({ code: 'request_expired', stage: 'claim' });
  }
  if (request.state !== 'approved') throw notClaimable(request);
  // The policy may have changed since the approval: the role may be gone, or the requester no
  // longer among those who may ask for it. Checked at the click, before anything is made.
  if (!(await ctx.policy.canRequest(userId, request.roleId))) {
    await ctx.audit.after({
      actorId: userId,
      action: request.kind === 'change' ? 'key.change' : 'key.create',
      outcome: 'refused',
      requestId,
      detail: { why: 'may no longer request this role', role: request.roleId },
    });
    throw new Refused({ code: 'may_no_longer_request', roleRemoved: !ctx.policy.role(request.roleId) });
  }
  return request;
}

function notClaimable(request: KeyRequest): Refused {
  switch (request.state) {
    case 'creating':
      return new Refused({ code: 'key_being_created' });
    case 'delivered':
      return new Refused({ code: 'key_already_created' });
    case 'expired':
      return new Refused({ code: 'request_expired', stage: 'claim' });
    case 'denied':
      return new Refused({ code: 'request_denied' });
    default:
      return new Refused({ code: 'request_not_approved' });
  }
}

async function createAndReveal(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  target: ClickTarget,
  hold: AttemptHold,
): Promise<void> {
  const role = ctx.roleOf(request);
  // The limits hold at the moment the key is made, counting keys being made beside this one (a
  // request approved long ago, or several clicked at once, never takes a requester past them).
  const overLimit = await ctx.gate.delivery(request);
  if (overLimit) {
    await releaseAttempt(ctx, request, attemptId);
    await ctx.audit.after({
      actorId: request.requesterId,
      action: 'key.create',
      outcome: 'refused',
      requestId: request.id,
      detail: { why: overLimit.code },
    });
    throw new Refused(overLimit);
  }
  const createdAt = ctx.clock.now();
  const end = keyEnd(request, createdAt);
  let created: Awaited<ReturnType<typeof ctx.keys.createKey>>;
  try {
    // A person is waiting on this click: it goes ahead of everyone's routine work.
    const input = await createInput(ctx, request, role, end);
    created = await urgently(() => ctx.keys.createKey(input));
  } catch (error) {
    const settled = await failCreate(ctx, request, attemptId, target, error);
    // Our own refusals (a policy naming a role ClickHouse lacks) already say what to do.
    if (error instanceof KeyhouseError && error.code !== 'upstream_failed') throw error;
    throw new Refused({ code: 'create_failed', leftBehind: !settled }, { cause: error });
  }

  const { key, keyId } = created;
  // Record which key this attempt made before anything else can fail, so a crash from here on
  // is settled by deleting exactly this key (product.md §2). If this attempt no longer holds the
  // request (a settler took it), or the store cannot say, the key must not be shown: it is
  // deleted at once, unseen, whether or not the store answers (product.md §3 rule 3).
  await recordOrWithdraw(ctx, request, attemptId, created, {
    createdAt,
    approvedUntil: envelopeOfRequest(request, end),
    actorId: request.requesterId,
  });

  let revealed = false;
  try {
    // A hold lost since (its lease could not be renewed) may be settled by another replica at any
    // moment, deleting this key: showing its secret then would show a dead key, or a second one.
    if (hold.lost()) throw new KeyhouseError('conflict', 'the attempt lost its lease before the reveal');
    await ctx.audit.before({
      actorId: request.requesterId,
      action: 'key.reveal',
      outcome: 'attempt',
      requestId: request.id,
      keyId: key.id,
      keySuffix: key.keySuffix,
    });
    await ctx.notifier.revealSecret(target, {
      request,
      role,
      key,
      keyId,
      secret: created.keySecret,
      apiUrl: ctx.apiUrl,
    });
    revealed = true;
  } catch (error) {
    ctx.logger.warn({ err: error, requestId: request.id }, 'secret could not be shown; deleting the key');
  }

  if (!revealed) {
    await withdrawUndelivered(ctx, request, attemptId, key);
    throw new Refused({ code: 'key_withdrawn', why: 'not_delivered' });
  }
  await finishDelivery(ctx, request, attemptId, key);
}

/**
 * Ties the new key to this attempt and its owner and audits it made (`key.created`, by `actorId`),
 * or withdraws it: a key the store could not tie to the attempt is deleted unseen, and the click is
 * refused (`key_withdrawn`). Creating by a click and delivering into a destination both record
 * through here. Only the secret's fingerprint is kept, so a pasted secret can be recognised later
 * (product.md §3, §9).
 */
export async function recordOrWithdraw(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  created: CreatedKey,
  made: { createdAt: Date; approvedUntil: Date | 'never'; actorId: string; detail?: Record<string, unknown> },
): Promise<void> {
  const { key } = created;
  const recorded = await recordKey(ctx, request, attemptId, key, {
    createdAt: made.createdAt,
    fingerprint: fingerprint(created.keySecret),
    approvedUntil: made.approvedUntil,
  });
  if (recorded !== 'ok') {
    await withdrawUnrecorded(ctx, request, attemptId, key, recorded);
    throw new Refused({
      code: 'key_withdrawn',
      why: recorded === 'lost' ? 'settled_elsewhere' : 'store_failed',
    });
  }
  await ctx.audit.after({
    actorId: made.actorId,
    action: 'key.created',
    outcome: 'ok',
    requestId: request.id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    upstreamRequestId: created.requestId,
    detail: { expireAt: key.expireAt, ...made.detail },
  });
}

/**
 * Ties the new key to this attempt and its owner: `ok`; `lost` when the attempt no longer holds
 * the request (compare-and-set refused); `store_failed` when the store did not answer.
 */
async function recordKey(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  key: ApiKey,
  made: { createdAt: Date; fingerprint: string; approvedUntil: Date | 'never' },
): Promise<'ok' | 'lost' | 'store_failed'> {
  try {
    const held = await ctx.store.transition({
      id: request.id,
      from: 'creating',
      to: 'creating',
      at: ctx.clock.now(),
      attemptId,
      set: { keyId: key.id, keySuffix: key.keySuffix },
    });
    if (!held) return 'lost';
    await ctx.store.putKeyOwner({
      keyId: key.id,
      ownerId: request.requesterId,
      requestId: request.id,
      keyName: key.name,
      keySuffix: key.keySuffix,
      createdAt: made.createdAt,
      roleId: request.roleId,
      fingerprint: made.fingerprint,
      approvedUntil: made.approvedUntil,
    });
    if (request.services) await ctx.store.setKeyOwnerServices(key.id, request.services);
    return 'ok';
  } catch (error) {
    ctx.logger.error({ err: error, requestId: request.id }, 'could not record a new key');
    return 'store_failed';
  }
}

/** A key this attempt may not show: deleted at once; the request is given back if still ours. */
async function withdrawUnrecorded(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  key: ApiKey,
  why: 'lost' | 'store_failed',
): Promise<void> {
  const deleted =
    why === 'lost'
      ? await deleteLostKey(ctx, request.id, key)
      : await deleteUnseenKey(ctx, request, key, 'could not be recorded; its secret is withheld');
  // With the key gone the request may go back to `approved`; if that fails too (store down, or
  // not ours any more), the settlement sweep finds it `creating` and finishes the job.
  if (deleted && why === 'store_failed') await releaseAttempt(ctx, request, attemptId).catch(() => false);
}

export async function createInput(
  ctx: WorkflowContext,
  request: KeyRequest,
  role: PolicyRole,
  end: Date | null,
): Promise<CreateKeyInput> {
  return {
    name: request.keyName,
    expireAt: end?.toISOString() ?? null,
    ipAccessList: request.ipAccessList,
    ...(await grantFor(ctx, role, request)),
  };
}

/**
 * When the new key expires: its approved expiry counted from now (product.md §1), and for a
 * rotation's successor never after the end the old key was approved for (`rotation.until`), which
 * `keep` takes as it is. Null: never.
 */
export function keyEnd(request: KeyRequest, createdAt: Date): Date | null {
  const until = request.rotation?.until;
  const bound = until === undefined || until === 'never' ? null : new Date(until);
  const own = request.expiry === KEEP ? bound : expiryInstant(createdAt, request.expiry);
  if (bound === null) return own;
  return own === null || own.getTime() > bound.getTime() ? bound : own;
}

/** The end of what the new key's approvals allow: the old key's for a rotation within it, else its own end. */
export function envelopeOfRequest(request: KeyRequest, end: Date | null): Date | 'never' {
  const until = request.rotation?.until;
  if (until === 'never') return 'never';
  if (until !== undefined) return new Date(until);
  return envelopeOf(end);
}

/**
 * ClickHouse refused or did not answer. A refusal made no key; an ambiguous failure may have
 * made one whose secret is lost, so it is found and deleted. Then the request goes back to
 * `approved` so the requester can click again; false when a key could not be cleaned up yet.
 */
export async function failCreate(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  target: Pick<ClickTarget, 'userId'>,
  error: unknown,
): Promise<boolean> {
  ctx.logger.warn({ err: error, requestId: request.id }, 'key creation failed');
  let orphansLeft = false;
  if (error instanceof AmbiguousCreateError) {
    orphansLeft = !(await deleteOrphans(ctx, request, error.createdKeyId));
  }
  await ctx.audit.after({
    actorId: target.userId,
    action: 'key.create',
    outcome: 'failed',
    requestId: request.id,
    keyName: request.keyName,
    upstreamRequestId: upstreamRequestId(error),
    detail: { error: errorCode(error), ambiguous: error instanceof AmbiguousCreateError, orphansLeft },
  });
  // With an unsettled ambiguous create the request stays `creating`: the settlement sweep retries
  // the clean-up later, and until then no second key can be made for it.
  if (orphansLeft) return false;
  await releaseAttempt(ctx, request, attemptId);
  return true;
}

async function withdrawUndelivered(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  key: ApiKey,
): Promise<void> {
  const deleted = await deleteUnseenKey(ctx, request, key, 'secret not delivered');
  if (deleted) await releaseAttempt(ctx, request, attemptId);
  await ctx.quietly('tell the requester the secret was not delivered', () =>
    ctx.notifier.tellRequester(request.requesterId, { kind: 'not_delivered', request, keyDeleted: deleted }),
  );
}

async function finishDelivery(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  key: ApiKey,
): Promise<void> {
  const delivered = await finishAfterReveal(ctx, request.id, attemptId);
  await ctx.audit.after({
    actorId: request.requesterId,
    action: 'key.delivered',
    outcome: delivered ? 'ok' : 'failed',
    requestId: request.id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
  });
  const current = delivered ?? request;
  // A rotation's successor is in the requester's hands: the old key starts retiring now.
  if (delivered?.rotation) {
    await ctx.quietly('start retiring the rotated key', () =>
      startRetirement(ctx, delivered, key, ctx.clock.now()),
    );
  }
  const dm = await ctx.messageRef(request.id, 'dm');
  if (dm) {
    await ctx.quietly('rewrite the Create key message', async () =>
      ctx.notifier.updateClaim(dm, {
        request: current,
        role: ctx.roleOf(current),
        approvedBy: await ctx.approvers(current),
        status: 'created',
        now: ctx.clock.now(),
      }),
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

/** How long a delivered attempt keeps retrying to record `delivered` while the store is down. */
const FINISH_RETRY_MS = 120_000;

/**
 * Records `delivered` for an attempt whose secret was shown. The store may be failing right
 * then; the attempt keeps holding the request (so no settler deletes the key just shown) and
 * retries, with backoff, for up to two minutes. Null when the attempt lost the request.
 */
export async function finishAfterReveal(
  ctx: WorkflowContext,
  requestId: string,
  attemptId: string,
): Promise<KeyRequest | null> {
  // The deadline is the injected clock's, so a test moves past it; the pauses between tries are
  // real time, only pacing the retries.
  const started = ctx.clock.now().getTime();
  for (let delay = 100; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await finishAttempt(ctx, requestId, attemptId);
    } catch (error) {
      if (ctx.clock.now().getTime() - started > FINISH_RETRY_MS) throw error;
      ctx.logger.warn({ err: error, requestId }, 'could not record a delivery yet; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }
}

export function upstreamRequestId(error: unknown): string | null {
  if (error && typeof error === 'object' && 'requestId' in error && typeof error.requestId === 'string') {
    return error.requestId;
  }
  return null;
}

export function errorCode(error: unknown): string {
  if (error instanceof Error) return `${error.name}${'status' in error ? ` ${String(error.status)}` : ''}`;
  return 'unknown';
}
