import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { type HandlerDeps, parseRequestId } from '../deps.js';

type Args = AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;

/** Approve acts at once; the workflow checks the approver and counts atomically. */
export function approveAction(deps: HandlerDeps) {
  return async ({ ack, action, body }: Args): Promise<void> => {
    await ack();
    await deps.workflow.approve(parseRequestId(action.value), body.user.id);
  };
}
