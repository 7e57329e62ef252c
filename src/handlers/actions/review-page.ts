import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { answer, renderReview } from '../shared/key-surface.js';

const PAGE_VALUE = /^\d{1,4}$/;

/** Previous / Next in `/chkey review`: the review replaces itself (the admin re-checked on render). */
export function reviewPageAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: async ({ respond }) => {
      if (!PAGE_VALUE.test(action.value ?? '')) return;
      const message = await renderReview(deps, body.user.id, Number(action.value));
      await answer(respond, { ...message, replace_original: true });
    },
  });
}
