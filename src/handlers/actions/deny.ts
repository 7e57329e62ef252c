import type { BlockAction, ButtonAction } from '@slack/bolt';
import { errorSaying } from '../../i18n/index.js';
import { denyCheckingModal, denyModal, denyOutcomeModal } from '../../views/index.js';
import type { ActionArgs, Listener } from '../ack-first.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';
import { openModal } from '../shared/modal.js';
import { wordsNow, wordsOf } from '../shared/words.js';

/**
 * Deny asks for an optional reason first, and only someone who could deny gets the dialog. When
 * the approvers' group is not cached, the dialog opens on "checking…" (the trigger id lasts 3 s)
 * and becomes the Deny form, or says why not.
 */
export function denyAction(deps: HandlerDeps): Listener<ActionArgs<BlockAction<ButtonAction>>, never> {
  return ({ action, body }) => ({
    after: async ({ client }) => {
      const requestId = parseRequestId(action.value);
      const userId = body.user.id;
      await openModal(
        deps,
        client,
        { triggerId: body.trigger_id, userId },
        async () => {
          await deps.workflow.checkCanDecide(requestId, userId);
          const request = await deps.workflow.getRequest(requestId);
          const m = await wordsOf(deps, userId);
          if (!request) throw errorSaying('not_found', 'approval.requestGone');
          return denyModal(m, request);
        },
        denyCheckingModal(wordsNow(deps, userId)),
        (text) => denyOutcomeModal(wordsNow(deps, userId), { ok: false, text }),
      );
    },
  });
}
