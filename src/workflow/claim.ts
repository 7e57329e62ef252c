import type { ApiKey, CreateKeyInput } from '../api/index.js';
import { AmbiguousCreateError } from '../api/index.js';
import { KeyhouseError } from '../errors.js';
import type { PolicyRole } from '../policy/index.js';
import type { KeyRequest } from '../store/types.js';
import type { WorkflowContext } from './context.js';
import { applyChange } from './edit.js';
import { grantFor } from './grant.js';
import { expireRequest } from './lapse.js';
import type { ClickTarget } from './ports.js';
import { startRetirement } from './rotate.js';
import { deleteOrphans, deleteUnseenKey, finishAttempt, releaseAttempt, runAttempt } from './settle.js';
import { expiryInstant } from './time.js';

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
  const attempt = await runAttempt(ctx, requestId, attemptId, (claimed) =>
    createAndReveal(ctx, claimed, attemptId, target),
  );
  if (!attempt.won) {
    await ctx.audit.after({ actorId: target.userId, action: 'key.create', outcome: 'refused', requestId });
    const latest = await ctx.store.getRequest(requestId);
    throw latest ? notClaimable(latest) : new KeyhouseError('not_found', 'That request no longer exists.');
  }
}

async function claimable(ctx: WorkflowContext, requestId: string, userId: string): Promise<KeyRequest> {
  const request = await ctx.store.getRequest(requestId);
  if (!request) throw new KeyhouseError('not_found', 'That request no longer exists.');
  if (request.requesterId !== userId) {
    await ctx.audit.after({
      actorId: userId,
      action: 'key.create',
      outcome: 'refused',
      requestId,
      detail: { why: 'not the requester' },
    });
    throw new KeyhouseError('not_allowed', 'Only the person who requested this key can create it.');
  }
  if (request.state === 'approved' && request.deadline && request.deadline <= ctx.clock.now()) {
    await expireRequest(ctx, request);
    throw new KeyhouseError('expired', 'This approval has expired; request the key again.');
  }
  if (request.state !== 'approved') throw notClaimable(request);
  return request;
}

function notClaimable(request: KeyRequest): KeyhouseError {
  switch (request.state) {
    case 'creating':
      return new KeyhouseError(
        'conflict',
        'This key is being created right now; its secret appears once, there.',
      );
    case 'delivered':
      return new KeyhouseError('already_decided', 'This key was already created; its secret was shown once.');
    case 'expired':
      return new KeyhouseError('expired', 'This approval has expired; request the key again.');
    case 'denied':
      return new KeyhouseError('already_decided', 'This request was denied.');
    default:
      return new KeyhouseError('conflict', 'This request is not approved yet.');
  }
}

async function createAndReveal(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  target: ClickTarget,
): Promise<void> {
  const role = ctx.roleOf(request);
  const createdAt = ctx.clock.now();
  let created: Awaited<ReturnType<typeof ctx.keys.createKey>>;
  try {
    created = await ctx.keys.createKey(await createInput(ctx, request, role, createdAt));
  } catch (error) {
    const settled = await failCreate(ctx, request, attemptId, target, error);
    // Our own refusals (a policy naming a role ClickHouse lacks) already say what to do.
    if (error instanceof KeyhouseError && error.code !== 'upstream_failed') throw error;
    throw new KeyhouseError(
      'create_failed',
      settled
        ? 'ClickHouse did not create the key, and none was left behind. Click Create key again; if it keeps failing, ask a Keyhouse admin.'
        : 'ClickHouse did not confirm the key. Keyhouse is cleaning up; click Create key again in a minute.',
      { cause: error },
    );
  }

  const { key, keyId } = created;
  // Record which key this attempt made before anything else can fail, so a crash from here on
  // is settled by deleting exactly this key (product.md §2).
  await ctx.store.transition({
    id: request.id,
    from: 'creating',
    to: 'creating',
    at: ctx.clock.now(),
    attemptId,
    set: { keyId: key.id, keySuffix: key.keySuffix },
  });
  await ctx.store.putKeyOwner({
    keyId: key.id,
    ownerId: request.requesterId,
    requestId: request.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    createdAt,
  });
  await ctx.audit.after({
    actorId: request.requesterId,
    action: 'key.created',
    outcome: 'ok',
    requestId: request.id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
    upstreamRequestId: created.requestId,
    detail: { expireAt: key.expireAt },
  });

  let revealed = false;
  try {
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
    throw new KeyhouseError(
      'delivery_failed',
      'Slack did not take the message with your secret, so the new key was deleted. Click Create key again.',
    );
  }
  await finishDelivery(ctx, request, attemptId, key);
}

async function createInput(
  ctx: WorkflowContext,
  request: KeyRequest,
  role: PolicyRole,
  createdAt: Date,
): Promise<CreateKeyInput> {
  const expireAt = expiryInstant(createdAt, request.expiry)?.toISOString() ?? null;
  return {
    name: request.keyName,
    expireAt,
    ipAccessList: request.ipAccessList,
    ...(await grantFor(ctx, role)),
  };
}

/**
 * ClickHouse refused or did not answer. A refusal made no key; an ambiguous failure may have
 * made one whose secret is lost, so it is found and deleted. Then the request goes back to
 * `approved` so the requester can click again; false when a key could not be cleaned up yet.
 */
async function failCreate(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
  target: ClickTarget,
  error: unknown,
): Promise<boolean> {
  ctx.logger.warn({ err: error, requestId: request.id }, 'key creation failed');
  let orphansLeft = false;
  if (error instanceof AmbiguousCreateError) {
    orphansLeft = !(await deleteOrphans(ctx, request));
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
  const delivered = await finishAttempt(ctx, request.id, attemptId);
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

function upstreamRequestId(error: unknown): string | null {
  if (error && typeof error === 'object' && 'requestId' in error && typeof error.requestId === 'string') {
    return error.requestId;
  }
  return null;
}

function errorCode(error: unknown): string {
  if (error instanceof Error) return `${error.name}${'status' in error ? ` ${String(error.status)}` : ''}`;
  return 'unknown';
}
