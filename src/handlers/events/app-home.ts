import type { EventArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { publishHome } from '../shared/key-surface.js';

/** The Home tab is rendered afresh each time the user opens it (Bolt has acknowledged the event). */
export function appHomeOpened(deps: HandlerDeps): Listener<EventArgs<'app_home_opened'>, never> {
  return ({ event }) => ({
    after: async ({ client }) => {
      if (event.tab !== 'home') return;
      await publishHome(deps, client, event.user);
    },
  });
}
