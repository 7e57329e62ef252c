import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/**
 * Delete, in the stale-key DM (confirmed by the button's own dialog): the workflow's delete path,
 * with the clicker's authority (owner or admin), so ownership is forgotten and the act audited.
 */
export function staleDeleteAction(deps: HandlerDeps) {
  return async ({ ack, action, body, respond }: Args): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const keyId = parseKeyId(action.value);
    const notice = await deps.workflow.deleteKey(userId, keyId);
    await rewriteStaleMessage(respond, { kind: 'deleted', by: userId, notice });
  };
}
