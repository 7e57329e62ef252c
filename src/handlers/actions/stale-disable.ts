import type { BlockAction, ButtonAction } from '@slack/bolt';
import type { ActionArgs, Listener } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { parseKeyId, rewriteStaleMessage } from '../shared/stale-choice.js';
import { wordsOf } from '../shared/words.js';

/** Disable, in the stale-key DM: the workflow's own path, with the clicker's authority (owner or admin). */
export function staleDisableAction(
  deps: HandlerDeps,
): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => {
    const userId = body.user.id;
    const keyId = parseKeyId(action.value);
    return {
      after: async ({ respond }) => {
        const done = await deps.workflow.setKeyState(userId, keyId, 'disabled');
        await rewriteStaleMessage(await wordsOf(deps, userId), respond, {
          kind: 'disabled',
          by: userId,
          done,
        });
      },
    };
  };
}
