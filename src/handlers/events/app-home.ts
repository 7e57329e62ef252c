import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { publishHome } from '../shared/key-surface.js';

type Args = AllMiddlewareArgs & SlackEventMiddlewareArgs<'app_home_opened'>;

/** The Home tab is rendered afresh each time the user opens it. */
export function appHomeOpened(deps: HandlerDeps) {
  return async ({ event, client }: Args): Promise<void> => {
    if (event.tab !== 'home') return;
    await publishHome(deps, client, event.user);
  };
}
