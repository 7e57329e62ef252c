import { ACTION, BLOCK, readLifecycleModal } from '../../views/index.js';
import { problemText } from '../../views/outcomes.js';
import type { ExtendField } from '../../workflow/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { decodeLifecycleContext, settleLifecycleDialog } from '../shared/key-dialogs.js';
import { wordsNow } from '../shared/words.js';

const FIELD_BLOCK: Record<ExtendField, string> = { expiry: BLOCK.extendExpiry, reason: BLOCK.extendReason };

/**
 * The Extend dialog. The expiry and reason are checked inside the dialog (no network); then it
 * turns to "extending…" and runs Edit's change path (approval like a new key, or at once for a
 * role with `approvals: 0`), showing the outcome in the dialog.
 */
export function extendSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return ({ body, view }) => {
    const values = readLifecycleModal(view);
    const context = decodeLifecycleContext(values.context);
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
    if (!context?.roleId) {
      return {
        ack: { response_action: 'errors', errors: { [BLOCK.extendExpiry]: m.t('dialog.outOfDate') } },
      };
    }
    const draft = {
      expiry: values.read(BLOCK.extendExpiry, ACTION.extendExpiry),
      reason: values.read(BLOCK.extendReason, ACTION.extendReason),
    };
    const problems = deps.workflow.checkExtend(context.roleId, draft);
    if (Object.keys(problems).length > 0) {
      const errors: Record<string, string> = {};
      for (const [field, problem] of Object.entries(problems))
        errors[FIELD_BLOCK[field as ExtendField]] = problemText(wordsNow(deps, body.user.id), problem);
      return { ack: { response_action: 'errors', errors } };
    }
    return settleLifecycleDialog(
      deps,
      m,
      {
        title: m.t('keyDialogs.extendTitle'),
        working: m.t('keyDialogs.extending'),
        viewId: values.viewId,
        userId,
        surface: context.surface,
      },
      async () => {
        const result = await deps.workflow.extend(userId, context.keyId, draft);
        if (!result.ok) return result;
        return { ok: true, done: result.done, announce: result.changeRequest?.id ?? null };
      },
    );
  };
}
