import {
  ACTION,
  BLOCK,
  escapeMrkdwn,
  outcomeModal,
  readLifecycleModal,
  workingModal,
} from '../../views/index.js';
import type { RotateField } from '../../workflow/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { refreshSurface } from '../shared/key-surface.js';
import { decodeLifecycleContext } from '../shared/lifecycle.js';
import { settleInModal } from '../shared/modal.js';

const FIELD_BLOCK: Record<RotateField, string> = {
  overlap: BLOCK.rotateOverlap,
  expiry: BLOCK.rotateExpiry,
  reason: BLOCK.rotateReason,
};

/**
 * The Rotate dialog. What needs no network (overlap, expiry within the role, a reason where one
 * is asked) is answered inside the dialog; then it turns to "rotating…", records the rotation
 * (checking the viewer and key again against ClickHouse and the policy), announces it like any
 * request, and shows the outcome in the dialog and in the list it came from.
 */
export function rotateSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return ({ body, view }) => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    if (!context?.roleId) {
      return {
        ack: {
          response_action: 'errors',
          errors: { [BLOCK.rotateExpiry]: 'This dialog is out of date; open it again.' },
        },
      };
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
    if (Object.keys(errors).length > 0) return { ack: { response_action: 'errors', errors } };
    const userId = body.user.id;
    return {
      ack: { response_action: 'update', view: workingModal('Rotate key', 'Rotating…') },
      after: ({ client }) =>
        settleInModal(
          deps,
          client,
          { viewId: values.viewId, userId },
          async () => {
            const result = await deps.workflow.rotate(userId, context.keyId, draft);
            if (!result.ok) {
              const text = `Nothing was done: ${Object.values(result.errors).join(' ')}`;
              return { view: outcomeModal('Rotate key', { ok: false, text }), text: `⚠️ ${text}` };
            }
            await deps.workflow.announce(result.request.id);
            await refreshSurface(deps, client, userId, context.surface, result.notice).catch(
              (error: unknown) =>
                deps.logger.warn({ err: error }, 'could not refresh the key list after a rotation'),
            );
            return {
              view: outcomeModal('Rotate key', { ok: true, text: escapeMrkdwn(result.notice) }),
              text: result.notice,
            };
          },
          (text) => outcomeModal('Rotate key', { ok: false, text }),
        ),
    };
  };
}
