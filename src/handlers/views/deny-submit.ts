import { isKeyhouseError } from '../../core/errors.js';
import { unlessWaiting, WOULD_WAIT } from '../../util/no-wait.js';
import { BLOCK } from '../../views/ids.js';
import { denyOutcomeModal, denyWorkingModal, readDenyModal } from '../../views/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import { type HandlerDeps, parseRequestId } from '../deps.js';
import { describeError } from '../errors.js';
import { settleInModal } from '../shared/modal.js';
import { wordsNow } from '../shared/words.js';

/**
 * The deny dialog's submission. If the request was decided while the dialog was open, the dialog
 * says so instead of closing; otherwise it closes and the denial is recorded. When the approvers'
 * user group is not cached yet, the dialog turns to "recording…" and then says denied, or why not.
 */
export function denySubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return async ({ body, view }) => {
    const { requestId: raw, reason } = readDenyModal(view);
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
    let requestId: string;
    let waiting = false;
    try {
      requestId = parseRequestId(raw);
      waiting = (await unlessWaiting(() => deps.workflow.checkCanDecide(requestId, userId))) === WOULD_WAIT;
    } catch (error) {
      if (!isKeyhouseError(error)) throw error;
      return {
        ack: {
          response_action: 'errors',
          errors: { [BLOCK.denyReason]: describeError(wordsNow(deps, userId), error, deps.command).text },
        },
      };
    }
    if (!waiting) return { after: () => deps.workflow.deny(requestId, userId, reason) };
    return {
      ack: { response_action: 'update', view: denyWorkingModal(m) },
      after: ({ client }) =>
        settleInModal(
          deps,
          client,
          { viewId: body.view.id, userId },
          async () => {
            await deps.workflow.deny(requestId, userId, reason);
            const text = m.t('deny.denied');
            return { view: denyOutcomeModal(m, { ok: true, text }), text };
          },
          (text) => denyOutcomeModal(m, { ok: false, text }),
        ),
    };
  };
}
