import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { isUserId } from '../../policy/index.js';
import { ACTION, BLOCK, readLifecycleModal } from '../../views/index.js';
import type { HandlerDeps } from '../deps.js';
import { refreshSurface } from '../shared/key-surface.js';
import { decodeLifecycleContext, finishInDialog, workingView } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The Reassign dialog (admins). A missing person is answered inside the dialog; whether the
 * viewer is an admin, and the key, are checked after the acknowledgement, and the outcome shown
 * in the dialog and the list it came from.
 */
export function reassignSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    const newOwner = values.read(BLOCK.reassignUser, ACTION.reassignUser);
    if (!context || !isUserId(newOwner)) {
      await ack({
        response_action: 'errors',
        errors: {
          [BLOCK.reassignUser]: context
            ? 'Choose a person to own the key.'
            : 'This dialog is out of date; open it again.',
        },
      });
      return;
    }
    await ack(workingView('Reassign key', 'Reassigning'));
    const userId = body.user.id;
    await finishInDialog(deps, client, { userId, viewId: values.viewId, title: 'Reassign key' }, async () => {
      const notice = await deps.workflow.reassign(userId, context.keyId, newOwner);
      await refreshSurface(deps, client, userId, context.surface, notice);
      return notice;
    });
  };
}
