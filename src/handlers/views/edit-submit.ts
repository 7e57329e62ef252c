import { isKeyhouseError } from '../../core/errors.js';
import type { Problem } from '../../core/outcomes.js';
import { unlessWaiting } from '../../util/no-wait.js';
import { editKeyModal, editOutcomeModal, editWorkingModal, readEditModal } from '../../views/index.js';
import { doneText, problemsText, problemText } from '../../views/outcomes.js';
import { type EditField, KEEP } from '../../workflow/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { describeError } from '../errors.js';
import { decodeContext, refreshSurface } from '../shared/key-surface.js';
import { settleInModal } from '../shared/modal.js';
import { editServiceOffer } from '../shared/request-modal.js';
import { wordsNow } from '../shared/words.js';

/**
 * The Edit dialog: a rename or a shorter expiry applies at once; a longer expiry or another role
 * is posted for approval. What needs no network (who may change the key, the name's rule, a chosen
 * role and its expiry) is answered inside the dialog; the rest needs the key from ClickHouse, so the dialog turns to
 * "applying…" and then shows what was done, the form again with the errors found, or the failure.
 */
export function editSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return async ({ body, view }) => {
    const values = readEditModal(view);
    const context = decodeContext(values.context);
    const userId = body.user.id;
    // They were looked up to draw the dialog: their words are at hand for the acknowledgement.
    const m = wordsNow(deps, userId);
    if (!context) {
      return {
        ack: {
          response_action: 'errors',
          errors: { [values.blockIds.keyName]: m.t('dialog.outOfDate') },
        },
      };
    }
    try {
      // Who may change the key is known from the store and the policy: refused in the dialog at once.
      await unlessWaiting(() => deps.workflow.manageable(userId, context.keyId));
    } catch (error) {
      if (!isKeyhouseError(error)) throw error;
      return {
        ack: {
          response_action: 'errors',
          errors: {
            [values.blockIds.keyName]: describeError(wordsNow(deps, userId), error, deps.command).text,
          },
        },
      };
    }
    const early = await deps.workflow.checkEditDraft(userId, values);
    if (Object.keys(early).length > 0) {
      const errors: Record<string, string> = {};
      for (const [field, problem] of Object.entries(early) as [EditField, Problem][]) {
        errors[values.blockIds[field]] = problemText(wordsNow(deps, userId), problem);
      }
      return { ack: { response_action: 'errors', errors } };
    }
    return {
      ack: { response_action: 'update', view: editWorkingModal(m, values.keyName) },
      after: ({ client }) =>
        settleInModal(
          deps,
          client,
          { viewId: body.view.id, userId },
          async () => {
            const result = await deps.workflow.editKey(userId, context.keyId, values);
            if (!result.ok) {
              // Found only once ClickHouse answered (a longer expiry needs a reason): the form again.
              const { entry, currentRoleId } = await deps.workflow.manageable(userId, context.keyId);
              const roleId = values.roleId === KEEP ? null : values.roleId;
              const choicesFor = roleId ?? currentRoleId;
              const errors: Partial<Record<EditField, string>> = {};
              for (const [field, problem] of Object.entries(result.errors) as [EditField, Problem][])
                errors[field] = problemText(m, problem);
              const form = editKeyModal(m, {
                entry,
                roles: await deps.policy.requestableRoles(userId),
                currentRoleId,
                selectedRoleId: roleId,
                expiryChoices: choicesFor ? deps.policy.expiryChoices(choicesFor) : [],
                context: values.context,
                draft: values,
                errors,
                services: await editServiceOffer(deps.workflow, choicesFor, entry),
              });
              const text = m.t('dialog.nothingChanged', { problems: problemsText(m, result.errors) });
              return { view: form, text: `⚠️ ${text}` };
            }
            if (result.changeRequest) await deps.workflow.announce(result.changeRequest.id);
            // The list (or Home tab) shows the new state too; the dialog is where the outcome is read.
            const notice = doneText(wordsNow(deps, userId), result.done);
            await refreshSurface(deps, client, userId, context.surface, notice).catch((error: unknown) =>
              deps.logger.warn({ err: error }, 'could not refresh the key list after an edit'),
            );
            return { view: editOutcomeModal(m, { ok: true, text: notice }), text: notice };
          },
          (text) => editOutcomeModal(m, { ok: false, text }),
        ),
    };
  };
}
