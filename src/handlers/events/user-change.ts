import type { EventArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';

/**
 * Slack reports a user changed; when they were deactivated (`deleted: true`) they are offboarded
 * once (product.md §8), and the timers run soon to handle their keys within the write budget.
 */
export function userChanged(deps: HandlerDeps): Listener<EventArgs<'user_change'>, never> {
  return ({ event }) => {
    const user = event.user as { id?: unknown; deleted?: unknown };
    const userId = user.id;
    if (user.deleted !== true || typeof userId !== 'string') return {};
    return {
      after: async () => {
        const outcome = await deps.lifecycle.offboard(userId, 'event');
        deps.logger.info({ user: userId, outcome }, 'user deactivated');
        if (outcome === 'started') deps.kickTimers?.();
      },
    };
  };
}
