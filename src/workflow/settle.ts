import { NotFoundError } from '../core/api-errors.js';
import { urgently } from '../core/budget.js';
import { Refused } from '../core/errors.js';
import type { KeyRequest } from '../core/model.js';
import type { WorkflowContext } from './context.js';

/** Keys made this long before an attempt started still count as possibly its own (clock skew). */
const CREATED_AT_SKEW_MS = 60_000;

/**
 * One lease per attempt, not per request: a settler holding a dead attempt's lease must never
 * stand in the way of, or be mistaken for, the next attempt on the same request.
 */
const attemptLease = (attemptId: string) => `attempt:${attemptId}`;

/** A running attempt's hold on its request, as other replicas see it. */
export interface AttemptHold {
  /** True once a renewal failed or was refused: other replicas may now settle this attempt. */
  lost(): boolean;
  /** Ends the hold (the lease is released at once). */
  release(): Promise<void>;
}

/**
 * Marks an attempt as alive for other replicas: a lease renewed while it runs. Throws when the
 * lease cannot be taken, so an attempt never runs unheld. A renewal that fails marks the hold
 * lost; the attempt then reveals nothing (its key is deleted unseen).
 */
async function holdAttempt(ctx: WorkflowContext, attemptId: string): Promise<AttemptHold> {
  ctx.attemptsInFlight.add(attemptId);
  const { attemptLeaseMs, exclusive } = ctx.replicas;
  const renew = (ttl: number) => ctx.store.tryLease(attemptLease(attemptId), attemptId, ttl, ctx.clock.now());
  let lost = false;
  let timer: NodeJS.Timeout | null = null;
  if (!exclusive) {
    const held = await renew(attemptLeaseMs).catch((error: unknown) => {
      ctx.attemptsInFlight.delete(attemptId);
      throw error;
    });
    if (!held) {
      ctx.attemptsInFlight.delete(attemptId);
      throw new Refused({ code: 'replica_settling' });
    }
    timer = setInterval(
      () => {
        renew(attemptLeaseMs).then(
          (renewed) => {
            if (!renewed) lost = true;
          },
          (error: unknown) => {
            lost = true;
            ctx.logger.warn({ err: error, attemptId }, 'could not renew an attempt lease');
          },
        );
      },
      Math.max(1, Math.floor(attemptLeaseMs / 3)),
    );
    timer.unref();
  }
  return {
    lost: () => lost,
    async release() {
      ctx.attemptsInFlight.delete(attemptId);
      if (timer) clearInterval(timer);
      if (!exclusive) await renew(0).catch(() => undefined);
    },
  };
}

/**
 * Runs one attempt on an approved request: moves it to `creating` (compare-and-set, so one click
 * or replica wins), holds it while `work` runs, and lets go afterwards. `{ won: false }` when
 * another attempt got there first or the approval lapsed.
 */
export async function runAttempt<T>(
  ctx: WorkflowContext,
  requestId: string,
  attemptId: string,
  work: (claimed: KeyRequest, startedAt: Date, hold: AttemptHold) => Promise<T>,
): Promise<{ won: true; value: T } | { won: false }> {
  const startedAt = ctx.clock.now();
  const claimed = await ctx.store.transition({
    id: requestId,
    from: 'approved',
    to: 'creating',
    at: startedAt,
    withinDeadline: true,
    set: { attemptId, attemptStartedAt: startedAt },
  });
  if (!claimed) return { won: false };
  let hold: AttemptHold;
  try {
    hold = await holdAttempt(ctx, attemptId);
  } catch (error) {
    // Nothing was done yet: give the request back rather than leave it to a settler.
    await releaseAttempt(ctx, claimed, attemptId).catch(() => undefined);
    throw error;
  }
  try {
    return { won: true, value: await work(claimed, startedAt, hold) };
  } finally {
    await hold.release();
  }
}

/** Whether the attempt holding a `creating` request is gone (crashed or abandoned), so it may be settled. */
async function interrupted(ctx: WorkflowContext, request: KeyRequest): Promise<boolean> {
  if (!request.attemptId || ctx.attemptsInFlight.has(request.attemptId)) return false;
  if (ctx.replicas.exclusive) return true;
  // Taking the attempt's lease succeeds only once its holder stopped renewing it. The holder name
  // is new each time, so a settler never re-takes a lease as if it were still its own.
  return ctx.store.tryLease(
    attemptLease(request.attemptId),
    `settle:${ctx.replicas.instanceId}:${ctx.newId()}`,
    ctx.replicas.attemptLeaseMs,
    ctx.clock.now(),
  );
}

/** Gives a `creating` request back to its requester: `approved` again, with no key attached. */
export async function releaseAttempt(
  ctx: WorkflowContext,
  request: KeyRequest,
  attemptId: string,
): Promise<boolean> {
  const released = await ctx.store.transition({
    id: request.id,
    from: 'creating',
    to: 'approved',
    at: ctx.clock.now(),
    attemptId,
    set: { keyId: null, keySuffix: null, attemptId: null, attemptStartedAt: null },
  });
  await ctx.audit.after({
    actorId: 'system',
    action: 'request.released',
    outcome: released ? 'ok' : 'failed',
    requestId: request.id,
    detail: { attemptId },
  });
  return released !== null;
}

/** Ends a successful attempt: `creating` → `delivered`, held by this attempt; null if it lost it. */
export function finishAttempt(
  ctx: WorkflowContext,
  requestId: string,
  attemptId: string,
): Promise<KeyRequest | null> {
  return ctx.store.transition({
    id: requestId,
    from: 'creating',
    to: 'delivered',
    at: ctx.clock.now(),
    attemptId,
    set: { deadline: null, attemptId: null, attemptStartedAt: null },
  });
}

/**
 * Finds and deletes keys an interrupted attempt may have made: the one it recorded, or, when it
 * died before recording one, keys with the request's name made since the attempt began that no
 * one owns. Their secrets are gone, so they must not live. True when none is left.
 */
export async function deleteOrphans(
  ctx: WorkflowContext,
  request: KeyRequest,
  createdKeyId: string | null = null,
): Promise<boolean> {
  let candidates: { id: string; name: string; keySuffix: string }[];
  try {
    const knownId = request.keyId ?? createdKeyId;
    if (knownId) {
      candidates = [{ id: knownId, name: request.keyName, keySuffix: request.keySuffix ?? '' }];
    } else {
      const since = (request.attemptStartedAt?.getTime() ?? 0) - CREATED_AT_SKEW_MS;
      const keys = await ctx.keys.listKeys({ fresh: true });
      candidates = [];
      for (const key of keys) {
        if (key.name !== request.keyName) continue;
        // Only a key provably made since the attempt began: one without a creation time, or
        // one Keyhouse knows belongs to someone, is never taken for an orphan.
        if (!key.createdAt || new Date(key.createdAt).getTime() < since) continue;
        if (await ctx.store.getKeyOwner(key.id)) continue;
        candidates.push(key);
      }
    }
  } catch (error) {
    ctx.logger.error(
      { err: error, requestId: request.id },
      'could not look for keys left by an interrupted attempt',
    );
    return false;
  }

  let allGone = true;
  for (const key of candidates) {
    if (!(await deleteUnseenKey(ctx, request, key, 'made by an interrupted attempt; its secret is lost'))) {
      allGone = false;
    }
  }
  return allGone;
}

/**
 * Deletes a key whose secret nobody saw, at once: its audit events are written if the store
 * answers and journaled otherwise, never waited for (product.md §3 rule 3 outranks the audit's
 * fail-closed rule, which exists to stop effects, not to keep a secretless key alive). A key
 * already gone counts as deleted. False when ClickHouse did not delete it: the request then stays
 * `creating` and the sweep tries again.
 */
export async function deleteUnseenKey(
  ctx: WorkflowContext,
  request: Pick<KeyRequest, 'id'>,
  key: { id: string; name: string; keySuffix: string },
  why: string,
): Promise<boolean> {
  const about = {
    actorId: 'system',
    requestId: request.id,
    keyId: key.id,
    keyName: key.name,
    keySuffix: key.keySuffix,
  };
  await ctx.audit.compensating({ ...about, action: 'key.delete', outcome: 'attempt', detail: { why } });
  let result: { requestId: string | null };
  try {
    result = await urgently(() => ctx.keys.deleteKey(key.id)).catch((error: unknown) => {
      if (error instanceof NotFoundError) return { requestId: null };
      throw error;
    });
  } catch (error) {
    ctx.logger.error(
      { err: error, requestId: request.id, keyId: key.id },
      'could not delete a key nobody saw',
    );
    await ctx.audit.compensating({
      ...about,
      action: 'key.delete',
      outcome: 'failed',
      detail: { why, error: error instanceof Error ? error.name : 'unknown' },
    });
    return false;
  }
  await ctx.store.deleteKeyOwner(key.id).catch((error: unknown) => {
    // A stale owner row only names a key that no longer exists; lists forget it once ClickHouse
    // confirms the key is gone.
    ctx.logger.warn({ err: error, keyId: key.id }, 'could not forget the owner of a deleted key');
  });
  await ctx.audit.compensating({
    ...about,
    action: 'key.deleted',
    outcome: 'ok',
    upstreamRequestId: result.requestId,
  });
  return true;
}

/** The mark of a key made for a request its attempt no longer held (see `deleteLostKey`). */
const LOST_KEY_RULE = 'orphan.lost-key';
/** A sweep every 30 s retries a lost key's deletion for about 3 days of ClickHouse refusing it. */
const LOST_KEY_ATTEMPTS = 10_000;

type LostKey = { id: string; name: string; keySuffix: string };

/** Claims a lost key's deletion for this process: the holder, or null when someone else has it. */
async function claimLostKey(
  ctx: WorkflowContext,
  keyId: string,
  claim: { dueAt: Date; detail?: Record<string, unknown>; abandonedBefore?: Date },
): Promise<string | null> {
  const holder = `lost-key:${ctx.replicas.instanceId}:${ctx.newId()}`;
  const mark = await ctx.store.claimTimer({
    rule: LOST_KEY_RULE,
    subject: keyId,
    threshold: 'delete',
    holder,
    at: ctx.clock.now(),
    maxAttempts: LOST_KEY_ATTEMPTS,
    ...claim,
  });
  return mark ? holder : null;
}

/**
 * Deletes a key made by an attempt that lost its request to a settler (its lease lapsed while the
 * create was in flight). The request is no longer this attempt's, so it cannot stay `creating`
 * for the sweep to find the key: the key is noted in the store first (a timer mark, written
 * once), and a deletion that fails, or a process that dies before it ends, leaves the mark for
 * the sweep (`deleteLostKeys`) to retry. True when the key is gone now.
 */
export async function deleteLostKey(ctx: WorkflowContext, requestId: string, key: LostKey): Promise<boolean> {
  const holder = await claimLostKey(ctx, key.id, {
    dueAt: ctx.clock.now(),
    detail: { requestId, keyName: key.name, keySuffix: key.keySuffix },
  }).catch((error: unknown) => {
    ctx.logger.error({ err: error, keyId: key.id }, 'could not note a key made for a lost request');
    return null;
  });
  return settleLostKey(ctx, requestId, key, holder);
}

async function settleLostKey(
  ctx: WorkflowContext,
  requestId: string,
  key: LostKey,
  holder: string | null,
): Promise<boolean> {
  const deleted = await deleteUnseenKey(
    ctx,
    { id: requestId },
    key,
    'made by an attempt that lost its request',
  );
  if (holder) {
    await ctx.store
      .settleTimer({
        rule: LOST_KEY_RULE,
        subject: key.id,
        threshold: 'delete',
        holder,
        state: deleted ? 'done' : 'failed',
        at: ctx.clock.now(),
      })
      .catch((error: unknown) => ctx.logger.warn({ err: error, keyId: key.id }, 'lost key mark not settled'));
  }
  return deleted;
}

/** Retries the deletion of every lost key still noted (failed, or abandoned by a dead process). */
export async function deleteLostKeys(ctx: WorkflowContext): Promise<void> {
  for (const mark of await ctx.store.listTimerMarks({ rules: [LOST_KEY_RULE] })) {
    if (mark.state === 'done') continue;
    const detail = mark.detail ?? {};
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    const key = { id: mark.subject, name: text(detail.keyName), keySuffix: text(detail.keySuffix) };
    const holder = await claimLostKey(ctx, key.id, {
      dueAt: mark.dueAt,
      // A deleter that died mid-way: deleting again is harmless (a key already gone counts).
      abandonedBefore: new Date(ctx.clock.now().getTime() - ctx.replicas.attemptLeaseMs),
    });
    if (holder) await settleLostKey(ctx, text(detail.requestId), key, holder);
  }
}

/**
 * Settles a request found in `creating` that no live attempt in this process holds (a crash, a
 * restart, or a clean-up that failed): deletes any key it made, returns it to `approved`, and
 * tells the requester they can click Create key again (product.md §2). A change request comes
 * back as `reapply`: its PATCH is simply applied again by the caller.
 */
export async function settleCreating(
  ctx: WorkflowContext,
  request: KeyRequest,
  keepWritten: KeepWritten = async () => false,
): Promise<'settled' | 'reapply' | null> {
  if (request.state !== 'creating' || !request.attemptId) return null;
  if (!(await interrupted(ctx, request))) return null;
  // Take the request over from the interrupted attempt (compare-and-set on its id) before
  // touching its key. Its lease has lapsed, so it is dead or has lost its hold, and a hold that
  // lost its lease reveals nothing; should it still be running, its own compare-and-sets now fail,
  // so it can no longer record its key or a delivery for this request.
  const settlerId = ctx.newId();
  const taken = await ctx.store.transition({
    id: request.id,
    from: 'creating',
    to: 'creating',
    at: ctx.clock.now(),
    attemptId: request.attemptId,
    set: { attemptId: settlerId },
  });
  if (!taken) return null;
  // A key its destination already holds is the destination's working key now: kept, and the
  // request finished (deleting it would leave the destination naming a dead key).
  if (taken.destinationId && taken.keyId && (await keepWritten(taken, settlerId))) return 'settled';
  // A change request's key is the user's existing key: never delete it. Its PATCH may or may not
  // have landed; applying it again is harmless, so the request only returns to `approved`.
  if (taken.kind === 'create' && !(await deleteOrphans(ctx, taken))) return null;
  if (!(await releaseAttempt(ctx, taken, settlerId))) return null;
  // Nothing is shown once for a change: it is applied again (a failure offers the retry button).
  // A key for a destination is made and written again at once: nobody has to click.
  if (request.kind === 'change' || request.destinationId) return 'reapply';
  await ctx.quietly('tell the requester their key can be created again', () =>
    ctx.notifier.tellRequester(request.requesterId, { kind: 'recovered', request }),
  );
  return 'settled';
}

/**
 * Whether an interrupted delivery's key is already in its destination (then it is kept and the
 * request finished by the callee, settled by `settlerId`); deliver.ts answers it.
 */
export type KeepWritten = (request: KeyRequest, settlerId: string) => Promise<boolean>;

/** Settles every `creating` request whose attempt was interrupted; the changes to apply again. */
export async function settleInterrupted(
  ctx: WorkflowContext,
  keepWritten?: KeepWritten,
): Promise<{ settled: number; reapply: string[] }> {
  const stuck = await ctx.store.listRequests({ states: ['creating'] });
  let settled = 0;
  const reapply: string[] = [];
  for (const request of stuck) {
    const outcome = await settleCreating(ctx, request, keepWritten);
    if (outcome) settled += 1;
    if (outcome === 'reapply') reapply.push(request.id);
  }
  return { settled, reapply };
}
