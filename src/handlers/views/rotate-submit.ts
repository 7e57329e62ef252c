import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { ACTION, BLOCK, readLifecycleModal } from '../../views/index.js';
import type { RotateField } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { refreshSurface } from '../shared/key-surface.js';
import { decodeLifecycleContext, finishInDialog, workingView } from '../shared/lifecycle.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

const FIELD_BLOCK: Record<RotateField, string> = {
  overlap: BLOCK.rotateOverlap,
  expiry: BLOCK.rotateExpiry,
  reason: BLOCK.rotateReason,
};

/**
 * The Rotate dialog. What needs no network (overlap, expiry within the role, a reason where one
 * is asked) is answered inside the dialog; then it acknowledges, records the rotation (checking
 * the viewer and key again against ClickHouse and the policy), announces it like any request,
 * and shows the outcome in the dialog and in the list it came from.
 */
export function rotateSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view, client }: Args): Promise<void> => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    if (!context?.roleId) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.rotateExpiry]: 'This dialog is out of date; open it again.' },
      });
      return;
    }
    const draft = {
      overlap: values.read(BLOCK.rotateOverlap, ACTION.rotateOverlap),
      expiry: values.read(BLOCK.rotateExpiry, ACTION.rotateExpiry),
      reason: values.read(BLOCK.rotateReason, ACTION.rotateReason),
    };
    const errors: Record<string, string> = {};
    for (const [field, message] of Object.entries(deps.workflow.checkRotate(context.roleId, draft)))
      errors[FIELD_BLOCK[field as RotateField]] = message;
    if (context.needsReason) {
      const reasonError = deps.policy.validateReason(draft.reason);
      if (reasonError) errors[BLOCK.rotateReason] = reasonError;
    }
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack(workingView('Rotate key', 'Rotating'));
    const userId = body.user.id;
    await finishInDialog(deps, client, { userId, viewId: values.viewId, title: 'Rotate key' }, async () => {
      const result = await deps.workflow.rotate(userId, context.keyId, draft);
      if (!result.ok) return `Nothing was done: ${Object.values(result.errors).join(' ')}`;
      await deps.workflow.announce(result.request.id);
      await refreshSurface(deps, client, userId, context.surface, result.notice);
      return result.notice;
    });
  };
}
