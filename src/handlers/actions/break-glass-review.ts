import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ReviewDecision } from '../../core/access.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';

/**
 * Keep or Revoke under a break glass (product.md §15). The gate checks the reviewer (an approver,
 * not the requester) and that nobody decided before; the review message is rewritten with the
 * outcome, and a refusal answers the click ephemerally.
 */
export function breakGlassReviewAction(
  deps: HandlerDeps,
  decision: ReviewDecision,
): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: async () => {
      await deps.workflow.reviewBreakGlass(body.user.id, parseRequestId(action.value), decision);
    },
  });
}
