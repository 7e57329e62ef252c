import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';

/**
 * Approve acts at once; the workflow checks the approver and counts atomically. The outcome shows
 * in the approval message (rewritten, a thread reply); a refusal answers the click ephemerally.
 */
export function approveAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: async () => {
      await deps.workflow.approve(parseRequestId(action.value), body.user.id);
    },
  });
}
