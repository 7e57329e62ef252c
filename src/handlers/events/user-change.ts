import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'user_change'>;

/**
 * Slack reports a user changed; when they were deactivated (`deleted: true`) they are offboarded
 * once (product.md §8), and the timers run soon to handle their keys within the write budget.
 */
export function userChanged(deps: HandlerDeps) {
  return async ({ event }: Args): Promise<void> => {
    const user = event.user as { id?: unknown; deleted?: unknown };
    if (user.deleted !== true || typeof user.id !== 'string') return;
    const outcome = await deps.lifecycle.offboard(user.id, 'event');
    deps.logger.info({ user: user.id, outcome }, 'user deactivated');
    if (outcome === 'started') deps.kickTimers?.();
  };
}
