import type { EventArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';

/**
 * Slack reports a user changed: their language and time zone are taken as they are now. Deactivated (`deleted: true`): offboarded once per deactivation
 * (product.md §8), and the timers run soon to handle their keys within the write budget. Active
 * (`deleted: false`, every other profile change too): if they were offboarded, offboarding ends.
 */
export function userChanged(deps: HandlerDeps): Listener<EventArgs<'user_change'>, never> {
  return ({ event }) => {
    const user = event.user as { id?: unknown; deleted?: unknown; locale?: unknown; tz?: unknown };
    const userId = user.id;
    if (typeof userId !== 'string') return {};
    // A changed language or time zone shows in the next thing Keyhouse says to them.
    deps.readers.heard({
      id: userId,
      ...(typeof user.locale === 'string' ? { locale: user.locale } : {}),
      ...(typeof user.tz === 'string' ? { tz: user.tz } : {}),
    });
    if (typeof user.deleted !== 'boolean') return {};
    if (user.deleted === false) {
      return {
        after: async () => {
          const outcome = await deps.lifecycle.reactivate(userId, 'event');
          if (outcome === 'ended') deps.logger.info({ user: userId }, 'user reactivated; offboarding ended');
        },
      };
    }
    return {
      after: async () => {
        const outcome = await deps.lifecycle.offboard(userId, 'event');
        deps.logger.info({ user: userId, outcome }, 'user deactivated');
        if (outcome === 'started') deps.kickTimers?.();
      },
    };
  };
}
