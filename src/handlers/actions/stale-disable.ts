import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Disable, in the stale-key DM: the workflow's own path, with the clicker's authority (owner or admin). */
export function staleDisableAction(deps: HandlerDeps) {
  return async ({ ack, action, body, respond }: Args): Promise<void> => {
    await ack();
    const userId = body.user.id;
    const keyId = parseKeyId(action.value);
    const notice = await deps.workflow.setKeyState(userId, keyId, 'disabled');
    await rewriteStaleMessage(respond, { kind: 'disabled', by: userId, notice });
  };
}
