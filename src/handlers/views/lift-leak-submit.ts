import type { Problem } from '../../core/outcomes.js';
import { ACTION, BLOCK, outcomeModal, readLifecycleModal, workingModal } from '../../views/index.js';
import { doneText, problemText } from '../../views/outcomes.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeLifecycleContext } from '../shared/key-dialogs.js';
import { refreshSurface } from '../shared/key-surface.js';
import { settleInModal } from '../shared/modal.js';
import { wordsNow } from '../shared/words.js';

/**
 * The Lift leak mark dialog (admins). A missing reason is answered inside the dialog; whether the
 * viewer is an admin, and whether the key still carries a mark, are checked by the gate after the
 * acknowledgement, and the outcome shown in the dialog and the list it came from.
 */
export function liftLeakSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return ({ body, view }) => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    const reason = values.read(BLOCK.liftLeakReason, ACTION.liftLeakReason).trim();
    // A lift is always explained, whatever the policy asks of other reasons.
    const problem: Problem | null = !context
      ? { code: 'stale_dialog' }
      : reason === ''
        ? { code: 'reason_missing' }
        : deps.policy.validateReason(reason);
    if (!context || problem) {
      const shown = problem ?? { code: 'stale_dialog' as const };
      return {
        ack: {
          response_action: 'errors',
          errors: { [BLOCK.liftLeakReason]: problemText(wordsNow(deps, body.user.id), shown) },
        },
      };
    }
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
    const title = m.t('keyDialogs.liftTitle');
    return {
      ack: { response_action: 'update', view: workingModal(m, title, m.t('keyDialogs.lifting')) },
      after: ({ client }) =>
        settleInModal(
          deps,
          client,
          { viewId: values.viewId, userId },
          async () => {
            const notice = doneText(
              wordsNow(deps, userId),
              await deps.workflow.liftLeak(userId, context.keyId, reason),
            );
            await refreshSurface(deps, client, userId, context.surface, notice).catch((error: unknown) =>
              deps.logger.warn({ err: error }, 'could not refresh the key list after lifting a leak mark'),
            );
            return { view: outcomeModal(m, title, { ok: true, text: notice }), text: notice };
          },
          (text) => outcomeModal(m, title, { ok: false, text }),
        ),
    };
  };
}
