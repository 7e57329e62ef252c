import type { KeyRequest } from '../../core/model.js';
import type { Problem } from '../../core/outcomes.js';
import type { Messages } from '../../i18n/index.js';
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
 * Either way the modal then says where the request went and what comes next (issue #20 item 1):
 * at once when every check could be made without the network, else after "checking…" (the
 * requesters' user group was not cached yet), or why nothing was saved. All in the person's words
 * (they were looked up to draw the modal, so they are at hand for the acknowledgement).
 */
export function requestSubmitView(deps: HandlerDeps): Listener<ViewArgs, ViewAck> {
  return async ({ body, view }) => {
    const userId = body.user.id;
    const m = wordsNow(deps, userId);
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
        ack: {
          response_action: 'errors',
          errors: { [keyNameBlock]: m.t('request.nothingSaved', { problems: text }) },
        },
      };
    }
    if (result === WOULD_WAIT) {
      return {
        ack: { response_action: 'update', view: requestWorkingModal(m, draft.keyName) },
        after: ({ client }) =>
          settleInModal(
            deps,
            client,
            { viewId: body.view.id, userId },
            async () => {
              const submitted = await deps.workflow.submit(userId, draft);
              if (!submitted.ok) {
                const text = m.t('request.nothingSavedRunAgain', {
                  problems: problemsText(m, submitted.errors),
                });
                return { view: requestOutcomeModal(m, { ok: false, text }), text: `⚠️ ${text}` };
              }
              await deps.workflow.announce(submitted.request.id);
              return sent(deps, m, submitted.request);
            },
            (text) => requestOutcomeModal(m, { ok: false, text }),
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
    // The request is recorded: the modal says so at once, and the approval message follows.
    return {
      ack: { response_action: 'update', view: sent(deps, m, request).view },
      after: () => deps.workflow.announce(request.id),
    };
  };
}

/** Where a recorded request went and what comes next, for the modal (and a DM if it was closed). */
function sent(deps: HandlerDeps, m: Messages, request: KeyRequest) {
  // A role may name its own approval channel.
  const channel = deps.policy.role(request.roleId)?.approvalChannel ?? deps.policy.doc.approvalChannel;
  return {
    view: requestSentModal(m, request, channel, deps.workflow.placeOf(request)),
    text: m.t('request.recorded', { name: request.keyName }),
  };
}
