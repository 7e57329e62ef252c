import { ACTION, BLOCK, readLifecycleModal } from '../../views/index.js';
import { problemText } from '../../views/outcomes.js';
import type { RotateField } from '../../workflow/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeLifecycleContext, settleLifecycleDialog } from '../shared/key-dialogs.js';
import { wordsNow } from '../shared/words.js';

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
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
    if (!context?.roleId) {
      return {
        ack: { response_action: 'errors', errors: { [BLOCK.rotateExpiry]: m.t('dialog.outOfDate') } },
      };
    }
    const draft = {
      overlap: values.read(BLOCK.rotateOverlap, ACTION.rotateOverlap),
      expiry: values.read(BLOCK.rotateExpiry, ACTION.rotateExpiry),
      reason: values.read(BLOCK.rotateReason, ACTION.rotateReason),
    };
    const errors: Record<string, string> = {};
    for (const [field, problem] of Object.entries(deps.workflow.checkRotate(context.roleId, draft)))
      errors[FIELD_BLOCK[field as RotateField]] = problemText(wordsNow(deps, body.user.id), problem);
    if (context.needsReason) {
      const reasonProblem = deps.policy.validateReason(draft.reason);
      if (reasonProblem)
        errors[BLOCK.rotateReason] = problemText(wordsNow(deps, body.user.id), reasonProblem);
    }
    if (Object.keys(errors).length > 0) return { ack: { response_action: 'errors', errors } };
    return settleLifecycleDialog(
      deps,
      m,
      {
        title: m.t('keyDialogs.rotateTitle'),
        working: m.t('keyDialogs.rotating'),
        viewId: values.viewId,
        userId,
        surface: context.surface,
      },
      async () => {
        const result = await deps.workflow.rotate(userId, context.keyId, draft);
        if (!result.ok) return result;
        return { ok: true, done: result.done, announce: result.request.id };
      },
    );
  };
}
