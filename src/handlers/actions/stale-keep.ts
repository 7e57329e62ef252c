import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';
import { wordsOf } from '../shared/words.js';

/** Keep, in the stale-key DM: nothing changes in ClickHouse; Keyhouse asks again after another `staleAfter`. */
export function staleKeepAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => {
    const userId = body.user.id;
    const keyId = parseKeyId(action.value);
    return {
      after: async ({ respond }) => {
        const { key, askAgainAt } = await deps.lifecycle.keepStale(userId, keyId);
        await rewriteStaleMessage(await wordsOf(deps, userId), respond, {
          kind: 'kept',
          key,
          askAgainAt: askAgainAt ?? deps.workflow.now(),
          by: userId,
        });
      },
    };
  };
}
