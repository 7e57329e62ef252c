import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { KeyhouseError } from '../../errors.js';
import { readEditModal } from '../../views/index.js';
import type { EditField } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { decodeContext, refreshSurface } from '../shared/key-surface.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The Edit dialog: a rename or a shorter expiry applies at once; a longer expiry or another role
 * is posted for approval. Invalid fields are answered inside the dialog.
 */
export function editSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const values = readEditModal(view);
    const context = decodeContext(values.context);
    if (!context) {
      await ack({
        response_action: 'errors',
        errors: { [values.blockIds.keyName]: 'This dialog is out of date; open it again.' },
      });
      return;
    }
    const userId = body.user.id;
    let result: Awaited<ReturnType<typeof deps.workflow.editKey>>;
    try {
      result = await deps.workflow.editKey(userId, context.keyId, values);
    } catch (error) {
      if (!(error instanceof KeyhouseError)) throw error;
      await ack({ response_action: 'errors', errors: { [values.blockIds.keyName]: error.message } });
      return;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors) as [EditField, string][]) {
        errors[values.blockIds[field]] = message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    if (result.changeRequest) await deps.workflow.announce(result.changeRequest.id);
    await refreshSurface(deps, client, userId, context.surface, result.notice);
  };
}
