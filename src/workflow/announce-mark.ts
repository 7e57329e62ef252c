/**
 * What follows a request's record and its approval happens once (product.md §2): its approval
 * message (`post`), its Create key DM (`dm`) and, for a destination, its delivery (`deliver`) are each
 * claimed as a `request.announce` mark before they are done, by the live path and the timers alike. The timers send what a crash left unsent
 * `ANNOUNCE_AFTER_MS` after it was due (timers/announce.ts), and take over a claim whose process
 * died once it is `ABANDONED_AFTER_MS` old.
 */

import type { Clock } from '../core/clock.js';
import type { Store } from '../core/model.js';

/**
 * Subject: a request id; threshold `post` (its approval message, and an on-call or break-glass
 * announcement), `dm` (its Create key DM) or `deliver` (the delivery of a key for a destination once
 * approved). Never rename: it names stored marks and audit actions.
 */
export const ANNOUNCE_RULE = 'request.announce';

/** How long after it was due an unsent post is sent by the timers: the live path takes seconds. */
export const ANNOUNCE_AFTER_MS = 60_000;
/** Tries at one post in all: the live path's, then the timers' retries. */
export const ANNOUNCE_ATTEMPTS = 3;

export type AnnounceStep = 'post' | 'dm' | 'deliver';

interface Marks {
  store: Store;
  clock: Clock;
  replicas: { instanceId: string };
  quietly(what: string, effect: () => Promise<unknown>): Promise<boolean>;
}

/**
 * Runs `send` for `step` of a request unless its mark is already taken (sent, being sent, or left
 * to the timers); false when it was not run. The mark ends `done`, or `failed` when `send` threw,
 * so the timers look again.
 */
export async function announceOnce(
  ctx: Marks,
  request: { id: string; createdAt: Date },
  step: AnnounceStep,
  send: () => Promise<void>,
): Promise<boolean> {
  const ids = {
    rule: ANNOUNCE_RULE,
    subject: request.id,
    threshold: step,
    holder: ctx.replicas.instanceId,
  };
  const claimed = await ctx.store.claimTimer({
    ...ids,
    dueAt: request.createdAt,
    at: ctx.clock.now(),
    maxAttempts: ANNOUNCE_ATTEMPTS,
  });
  if (!claimed) return false;
  const settle = (state: 'done' | 'failed') =>
    ctx.quietly(`settle the ${step} mark`, () =>
      ctx.store.settleTimer({ ...ids, state, at: ctx.clock.now() }),
    );
  try {
    await send();
  } catch (error) {
    await settle('failed');
    throw error;
  }
  await settle('done');
  return true;
}
