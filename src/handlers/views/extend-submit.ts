import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { ACTION, BLOCK, readLifecycleModal } from '../../views/index.js';
import type { ExtendField } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { refreshSurface } from '../shared/key-surface.js';
import { decodeLifecycleContext, finishInDialog, workingView } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

const FIELD_BLOCK: Record<ExtendField, string> = { expiry: BLOCK.extendExpiry, reason: BLOCK.extendReason };

/**
 * The Extend dialog. The expiry and reason are checked inside the dialog (no network); then it
 * acknowledges and runs Edit's change path (approval like a new key, or at once for a role with
 * `approvals: 0`), showing the outcome in the dialog.
 */
export function extendSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    if (!context?.roleId) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.extendExpiry]: 'This dialog is out of date; open it again.' },
      });
      return;
    }
    const draft = {
      expiry: values.read(BLOCK.extendExpiry, ACTION.extendExpiry),
      reason: values.read(BLOCK.extendReason, ACTION.extendReason),
    };
    const problems = deps.workflow.checkExtend(context.roleId, draft);
    if (Object.keys(problems).length > 0) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(problems))
        errors[FIELD_BLOCK[field as ExtendField]] = message;
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack(workingView('Extend key', 'Extending'));
    const userId = body.user.id;
    await finishInDialog(deps, client, { userId, viewId: values.viewId, title: 'Extend key' }, async () => {
      const result = await deps.workflow.extend(userId, context.keyId, draft);
      if (!result.ok) return `Nothing was done: ${Object.values(result.errors).join(' ')}`;
      if (result.changeRequest) await deps.workflow.announce(result.changeRequest.id);
      await refreshSurface(deps, client, userId, context.surface, result.notice);
      return result.notice;
    });
  };
}
