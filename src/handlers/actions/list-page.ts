import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList } from '../shared/key-surface.js';

const PAGE_VALUE = /^(mine|all):(\d{1,4})$/;

/** Previous / Next: the list replaces itself with the other page (scope re-checked on render). */
export function listPageAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: async ({ respond }) => {
      const match = PAGE_VALUE.exec(action.value ?? '');
      if (!match) return;
      const scope = match[1] === 'all' ? 'all' : 'mine';
      const message = await renderKeyList(deps, body.user.id, scope, Number(match[2]));
      await answer(respond, { ...message, replace_original: true });
    },
  });
}
