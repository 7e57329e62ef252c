import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { answer, renderReview } from '../shared/key-surface.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

const PAGE_VALUE = /^\d{1,4}$/;

/** Previous / Next in `/chkey review`: the review replaces itself (the admin re-checked on render). */
export function reviewPageAction(deps: HandlerDeps) {
  return async ({ ack, action, body, respond }: Args): Promise<void> => {
    await ack();
    if (!PAGE_VALUE.test(action.value ?? '')) return;
    const message = await renderReview(deps, body.user.id, Number(action.value));
    await answer(respond, { ...message, replace_original: true });
  };
}
