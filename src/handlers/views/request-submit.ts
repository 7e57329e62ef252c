import type { Problem } from '../../core/outcomes.js';
import { unlessWaiting, WOULD_WAIT } from '../../util/no-wait.js';
import {
  readRequestModal,
  requestModalBlockIds,
  requestOutcomeModal,
  requestSentModal,
  requestWorkingModal,
} from '../../views/index.js';
import { problemsText, problemText } from '../../views/outcomes.js';
import type { DraftField, SubmitResult } from '../../workflow/index.js';
import type { Listener, ViewAck, ViewArgs } from '../ack-first.js';
import type { HandlerDeps } from '../deps.js';
import { describeError } from '../errors.js';
import { settleInModal } from '../shared/modal.js';
import { wordsNow } from '../shared/words.js';

/**
 * The request modal's submission: every rule is checked again on the server; an invalid field is
 * answered inside the modal. A valid request is recorded before the modal closes, then posted.
 * When the requesters' user group is not cached yet, the modal turns to "checking…" and then shows
 * where the request went, or why nothing was saved.
 */
export function requestSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return async ({ body, view }) => {
    const userId = body.user.id;
    // `state` is Slack's; read defensively all the same, a crafted payload may lack it.
    const values = view?.state?.values ?? {};
    const draft = readRequestModal(values);
    const blocks = requestModalBlockIds(values);
    const keyNameBlock = blocks.keyName ?? 'key_name';
    let result: SubmitResult | typeof WOULD_WAIT;
    try {
      result = await unlessWaiting(() => deps.workflow.submit(userId, draft));
    } catch (error) {
      const { text, reference } = describeError(wordsNow(deps, userId), error, deps.command);
      if (reference) deps.logger.error({ err: error, reference, userId }, 'request submission failed');
      return {
        ack: { response_action: 'errors', errors: { [keyNameBlock]: `Nothing was saved. ${text}` } },
      };
    }
    if (result === WOULD_WAIT) {
      return {
        ack: { response_action: 'update', view: requestWorkingModal(draft.keyName) },
        after: ({ client }) =>
          settleInModal(
            deps,
            client,
            { viewId: body.view.id, userId },
            async () => {
              const submitted = await deps.workflow.submit(userId, draft);
              if (!submitted.ok) {
                const text = `Nothing was saved. ${problemsText(wordsNow(deps, userId), submitted.errors)} Run the command again to fix it.`;
                return { view: requestOutcomeModal({ ok: false, text }), text: `⚠️ ${text}` };
              }
              await deps.workflow.announce(submitted.request.id);
              return {
                view: requestSentModal(
                  submitted.request,
                  // A role may name its own approval channel.
                  deps.policy.role(submitted.request.roleId)?.approvalChannel ??
                    deps.policy.doc.approvalChannel,
                ),
                text: `Your request for ${submitted.request.keyName} was recorded.`,
              };
            },
            (text) => requestOutcomeModal({ ok: false, text }),
          ),
      };
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, problem] of Object.entries(result.errors) as [DraftField, Problem][]) {
        // A field missing from the modal (a tampered view) is reported on the key name.
        errors[blocks[field] ?? keyNameBlock] = problemText(wordsNow(deps, userId), problem);
      }
      return { ack: { response_action: 'errors', errors } };
    }
    const { request } = result;
    return { after: () => deps.workflow.announce(request.id) };
  };
}
