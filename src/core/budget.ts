import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whose work a ClickHouse call is, for sharing the 10-requests-per-10-s budget fairly
 * (product.md §9 "Budget fairness"). It travels with the async context, so a listener states it
 * once (`runAs(userId, …)`) and every call made on that user's behalf is counted to them, however
 * deep in the workflow it is made.
 *
 * - Every call counts to its owner, and no owner (the timers are one, `timers`) takes more than
 *   half of the budget in any window, urgent or not: one user's burst of renames, or of pasted
 *   secrets, never delays another user's click by more than a request's turn.
 * - `urgent` work goes first, owners taking turns: creating a key for a click that waits for it,
 *   and deleting a key nobody saw (or disabling a leaked one). One send per window is kept for it.
 * - `normal` work is served round-robin between owners in what is left.
 *
 * The exact rule, and what "a turn" is, are in `SlidingWindowLimiter` (src/api/limiter.ts).
 */
export interface BudgetLane {
  /** A Slack user id, `timers`, or `system`; shared reads use whoever asked first. */
  owner: string;
  priority: 'urgent' | 'normal';
}

const DEFAULT_LANE: BudgetLane = { owner: 'system', priority: 'normal' };
const lanes = new AsyncLocalStorage<BudgetLane>();

/** The lane of the work running now. */
export function currentLane(): BudgetLane {
  return lanes.getStore() ?? DEFAULT_LANE;
}

/** Runs `work` as `owner`'s (normal priority unless an enclosing urgent lane says otherwise). */
export function runAs<T>(owner: string, work: () => T): T {
  return lanes.run({ owner, priority: currentLane().priority }, work);
}

/** Runs `work` ahead of normal work, taking turns with other owners' urgent work, still counted to the current owner (and its share). */
export function urgently<T>(work: () => T): T {
  return lanes.run({ ...currentLane(), priority: 'urgent' }, work);
}
