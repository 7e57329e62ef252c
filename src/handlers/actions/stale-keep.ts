import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Keep, in the stale-key DM: nothing changes in ClickHouse; Keyhouse asks again after another `staleAfter`. */
export function staleKeepAction(deps: HandlerDeps) {
  return async ({ ack, action, body, respond }: Args): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const { key, askAgainAt } = await deps.lifecycle.keepStale(userId, parseKeyId(action.value));
    await rewriteStaleMessage(respond, {
      kind: 'kept',
      key,
      askAgainAt: askAgainAt ?? deps.workflow.now(),
      by: userId,
    });
  };
}
