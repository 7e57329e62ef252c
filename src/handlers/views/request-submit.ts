import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { readRequestModal, requestModalBlockIds } from '../../views/index.js';
import type { DraftField } from '../../workflow/index.js';
import type { HandlerDeps } from '../deps.js';
import { describeError } from '../errors.js';

type Args = AllMiddlewareArgs & SlackViewMiddlewareArgs<ViewSubmitAction>;

/**
 * The request modal's submission: every rule is checked again on the server; an invalid field is
 * answered inside the modal. A valid request is recorded before the modal closes, then posted.
 */
export function requestSubmitView(deps: HandlerDeps) {
  return async ({ ack, body, view }: Args): Promise<void> => {
    const userId = body.user.id;
    // `state` is Slack's; read defensively all the same, a crafted payload may lack it.
    const values = view?.state?.values ?? {};
    const draft = readRequestModal(values);
    const blocks = requestModalBlockIds(values);
    let result: Awaited<ReturnType<typeof deps.workflow.submit>>;
    try {
      result = await deps.workflow.submit(userId, draft);
    } catch (error) {
      const { text, reference } = describeError(error);
      if (reference) deps.logger.error({ err: error, reference, userId }, 'request submission failed');
      await ack({
        response_action: 'errors',
        errors: { [blocks.keyName ?? 'key_name']: `Nothing was saved. ${text}` },
      });
      return;
    }
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors) as [DraftField, string][]) {
        // A field missing from the modal (a tampered view) is reported on the key name.
        errors[blocks[field] ?? blocks.keyName ?? 'key_name'] = message;
      }
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    await deps.workflow.announce(result.request.id);
  };
}
