import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { answer, renderKeyList } from '../shared/key-surface.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

const PAGE_VALUE = /^(mine|all):(\d{1,4})$/;

/** Previous / Next: the list replaces itself with the other page (scope re-checked on render). */
export function listPageAction(deps: HandlerDeps) {
  return async ({ ack, action, body, respond }: Args): Promise<void> => {
    await ack();
    const match = PAGE_VALUE.exec(action.value ?? '');
    if (!match) return;
    const scope = match[1] === 'all' ? 'all' : 'mine';
    const message = await renderKeyList(deps, body.user.id, scope, Number(match[2]));
    await answer(respond, { ...message, replace_original: true });
  };
}
