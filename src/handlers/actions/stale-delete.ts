import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';
import { wordsOf } from '../shared/words.js';

/**
 * Delete, in the stale-key DM (confirmed by the button's own dialog): the workflow's delete path,
 * with the clicker's authority (owner or admin), so ownership is forgotten and the act audited.
 */
export function staleDeleteAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => {
    const userId = body.user.id;
    const keyId = parseKeyId(action.value);
    return {
      after: async ({ respond }) => {
        const done = await deps.workflow.deleteKey(userId, keyId);
        await rewriteStaleMessage(await wordsOf(deps, userId), respond, {
          kind: 'deleted',
          by: userId,
          done,
        });
      },
    };
  };
}
