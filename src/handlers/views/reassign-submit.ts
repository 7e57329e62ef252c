import { isUserId } from '../../policy/index.js';
import { ACTION, BLOCK, outcomeModal, readLifecycleModal, workingModal } from '../../views/index.js';
import { doneText } from '../../views/outcomes.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeLifecycleContext } from '../shared/key-dialogs.js';
import { refreshSurface } from '../shared/key-surface.js';
import { settleInModal } from '../shared/modal.js';
import { wordsNow } from '../shared/words.js';

/**
 * The Reassign dialog (admins). A missing person is answered inside the dialog; whether the
 * viewer is an admin (a user-group look-up, maybe), and the key, are checked after the
 * acknowledgement, and the outcome shown in the dialog and the list it came from.
 */
export function reassignSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return ({ body, view }) => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    const newOwner = values.read(BLOCK.reassignUser, ACTION.reassignUser);
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
    if (!context || !isUserId(newOwner)) {
      return {
        ack: {
          response_action: 'errors',
          errors: {
            [BLOCK.reassignUser]: context ? m.t('keyDialogs.choosePersonToOwn') : m.t('dialog.outOfDate'),
          },
        },
      };
    }
    const title = m.t('keyDialogs.reassignTitle');
    return {
      ack: { response_action: 'update', view: workingModal(m, title, m.t('keyDialogs.reassigning')) },
      after: ({ client }) =>
        settleInModal(
          deps,
          client,
          { viewId: values.viewId, userId },
          async () => {
            const notice = doneText(
              wordsNow(deps, userId),
              await deps.workflow.reassign(userId, context.keyId, newOwner),
            );
            await refreshSurface(deps, client, userId, context.surface, notice).catch((error: unknown) =>
              deps.logger.warn({ err: error }, 'could not refresh the key list after a reassignment'),
            );
            return { view: outcomeModal(m, title, { ok: true, text: notice }), text: notice };
          },
          (text) => outcomeModal(m, title, { ok: false, text }),
        ),
    };
  };
}
